/// Why linear attention refused its inputs.
public enum LinearAttentionError: Error, CustomStringConvertible, Equatable {
    case shapes(String)
    case mask(String)

    public var description: String {
        switch self {
        case .shapes(let s): return "linear attention: \(s)"
        case .mask(let s): return "linear attention: \(s)"
        }
    }
}

/// Kernelised (linear) attention, O_i = φ(q_i)ᵀ·Σ_j φ(k_j)v_jᵀ / (φ(q_i)ᵀ·Σ_j φ(k_j) + eps)
/// (METHODS.md §3): no 1/√D unless `scale` is given, eps 1e-6 as fast-transformers.
///
/// q [B, H, N, D], k [B, H, S, D], v [B, H, S, M] → [B, H, N, M].
/// - `.padding(keyMask)`: the associative form, KV = φ(K)ᵀV [B, H, C, M] and ksum [B, H, C], with padded
///   keys zeroed in φ(K) before both sums — O((N+S)·C·M).
/// - `.causal(keyMask)`: the memory-efficient scan (`causalLinearAttentionNumerator`) for the numerator,
///   a prefix sum of φ(K) for the denominator; N must equal S.
/// - `.unilm(segments, keyMask)`: bidirectional source state + causal scan over the target.
/// - `.additive` biases are arbitrary per-query key sets, which no O(N) form can express: they throw.
public func linearAttention(query q: Tensor, key k: Tensor, value v: Tensor, mask: AttentionMask,
                            featureMap: FeatureMap = EluPlusOne(), eps: Double = 1e-6,
                            scale: Double? = nil) throws -> Tensor {
    guard q.rank == 4, k.rank == 4, v.rank == 4 else {
        throw LinearAttentionError.shapes("q, k, v must be [B, H, N, D]; got \(q.shape), \(k.shape), \(v.shape)")
    }
    guard q.shape[0] == k.shape[0], q.shape[1] == k.shape[1], q.shape[3] == k.shape[3] else {
        throw LinearAttentionError.shapes("query \(q.shape) and key \(k.shape) differ in batch, heads or head size")
    }
    guard Array(k.shape.prefix(3)) == Array(v.shape.prefix(3)) else {
        throw LinearAttentionError.shapes("key \(k.shape) and value \(v.shape) differ in batch, heads or length")
    }
    let b = k.shape[0], s = k.shape[2]
    func checkedKeyMask(_ m: Tensor?) throws -> Tensor? {
        guard let m else { return nil }
        guard m.shape == [b, s] else {
            throw LinearAttentionError.mask("key mask \(m.shape) does not match batch \(b) × \(s) keys")
        }
        return m.to(k.dtype).reshaped([b, 1, s, 1])
    }
    let phiQ = featureMap.queries(scale.map { q * $0 } ?? q)  // [B, H, N, C]
    if featureMap.normalizesOverPositions {
        // Efficient Attention: rows already sum to 1, so no denominator; keys need every position.
        guard case .padding(let m) = mask else {
            throw LinearAttentionError.mask("\(type(of: featureMap)) normalises keys over all positions, so it has no causal or UniLM form; use it with padding masks only")
        }
        let m4 = try checkedKeyMask(m)
        let phiK = (featureMap as? SoftmaxPerSide)?.keys(k, keyMask: m4) ?? featureMap.keys(k)  // [B, H, S, D]
        return matmul(phiQ, matmul(phiK, v, transposeA: true))  // [B, H, N, M]
    }
    var phiK = featureMap.keys(k)  // [B, H, S, C]
    switch mask {
    case .padding(let m):
        if let m = try checkedKeyMask(m) { phiK = phiK * m }
        return linearAttentionAssociative(phiQ: phiQ, phiK: phiK, value: v, eps: eps)  // [B, H, N, M]
    case .causal(let m):
        guard q.shape[2] == s else {
            throw LinearAttentionError.mask("causal attention needs as many queries as keys; got \(q.shape[2]) queries and \(s) keys")
        }
        if let m = try checkedKeyMask(m) { phiK = phiK * m }
        let num = causalLinearAttentionNumerator(phiQ: phiQ, phiK: phiK, value: v)  // [B, H, N, M]
        let den = (phiQ * phiK.cumsum(axis: 2)).sum(axis: -1, keepDims: true)  // [B, H, N, 1]
        return num / (den + eps)
    case .unilm(let segments, let m):
        guard q.shape[2] == s else {
            throw LinearAttentionError.mask("the UniLM mask needs as many queries as keys; got \(q.shape[2]) queries and \(s) keys")
        }
        guard segments.shape == [b, s] else {
            throw LinearAttentionError.mask("UniLM segments \(segments.shape) do not match batch \(b) × \(s) tokens")
        }
        if let m = try checkedKeyMask(m) { phiK = phiK * m }
        return try unilmLinearAttention(phiQ: phiQ, phiK: phiK, value: v, segments: segments,
                                        keyMask: m.map { $0.to(.float32).floats }, eps: eps)
    case .additive:
        throw LinearAttentionError.mask("an additive bias is an arbitrary per-query mask; linear attention can only express key padding (shared key sets) or causal masks (nested key sets)")
    }
}

/// The UniLM prefix mask in O(N) (METHODS.md §3): with s the number of tokens before the first
/// segment-1 token, source rows read the bidirectional state (S_src, z_src) of the real source
/// keys; target rows run the causal scan seeded with it. φk must already be zeroed at padding.
/// Real tokens after the first target token must all be targets (segment 1): a later segment-0
/// token would share the last target's idx, a key set the scan cannot express. Outputs at padded
/// query positions are not meaningful (they are discarded downstream).
func unilmLinearAttention(phiQ: Tensor, phiK: Tensor, value v: Tensor, segments: Tensor, keyMask: [Float]?,
                          eps: Double) throws -> Tensor {
    let b = phiK.shape[0], n = phiK.shape[2]
    let seg = segments.int32s
    var rows: [Tensor] = []
    for bi in 0..<b {
        let row = Array(seg[(bi * n)..<((bi + 1) * n)])
        let s = row.firstIndex(of: 1) ?? n
        for j in s..<n where row[j] != 1 && (keyMask?[bi * n + j] ?? 1) != 0 {
            throw LinearAttentionError.mask("UniLM mask in linear form: batch row \(bi) has a real segment-\(row[j]) token at \(j) after the first target token at \(s); it would need a per-query key set")
        }
        let q = phiQ.sliced(axis: 0, bi, bi + 1), k = phiK.sliced(axis: 0, bi, bi + 1)
        let vb = v.sliced(axis: 0, bi, bi + 1)
        var parts: [Tensor] = []
        var source: (kv: Tensor, z: Tensor)? = nil
        if s > 0 {
            let kSrc = k.sliced(axis: 2, 0, s), vSrc = vb.sliced(axis: 2, 0, s), qSrc = q.sliced(axis: 2, 0, s)
            let kv = matmul(kSrc, vSrc, transposeA: true)  // [1, H, C, M]
            let z = kSrc.sum(axis: 2, keepDims: true)  // [1, H, 1, C]
            parts.append(matmul(qSrc, kv) / ((qSrc * z).sum(axis: -1, keepDims: true) + eps))
            source = (kv, z)
        }
        if s < n {
            let qT = q.sliced(axis: 2, s, n), kT = k.sliced(axis: 2, s, n), vT = vb.sliced(axis: 2, s, n)
            var num = causalLinearAttentionNumerator(phiQ: qT, phiK: kT, value: vT)  // [1, H, T, M]
            var z = kT.cumsum(axis: 2)  // [1, H, T, C]
            if let source {
                num = num + matmul(qT, source.kv)
                z = z + source.z
            }
            parts.append(num / ((qT * z).sum(axis: -1, keepDims: true) + eps))
        }
        rows.append(parts.count == 1 ? parts[0] : concat(parts, axis: 2))
    }
    return rows.count == 1 ? rows[0] : concat(rows, axis: 0)
}

/// The quadratic reference (tests only): A = φ(Q)φ(K)ᵀ masked, O = A·V / (A·1 + eps).
/// `allowed` [B or 1, 1, N, S] holds 1 where query i may see key j.
public func quadraticLinearAttentionReference(query q: Tensor, key k: Tensor, value v: Tensor, allowed: Tensor?,
                                              featureMap: FeatureMap = EluPlusOne(), eps: Double = 1e-6) -> Tensor {
    var a = matmul(featureMap.queries(q), featureMap.keys(k), transposeB: true)  // [B, H, N, S]
    if let allowed { a = a * allowed }
    return matmul(a, v) / (a.sum(axis: -1, keepDims: true) + eps)
}
