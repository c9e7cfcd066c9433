/// Scaled dot-product attention: softmax(q·kᵀ/√d + bias)·v.
///
/// q [B, H, T, D], k [B, H, S, D], v [B, H, S, M] → [B, H, T, M]. `bias` broadcasts to
/// [B, H, T, S]. One batched GEMM each side; kᵀ is a BLAS flag, not a copy.
public func scaledDotProductAttention(query q: Tensor, key k: Tensor, value v: Tensor, bias: Tensor?,
                                      dropout: Double = 0, training: Bool = false) -> Tensor {
    precondition(q.rank == 4 && k.rank == 4 && v.rank == 4, "attention: q, k, v must be [B, H, T, D]; got \(q.shape), \(k.shape), \(v.shape)")
    precondition(q.shape[0] == k.shape[0] && q.shape[1] == k.shape[1] && q.shape[3] == k.shape[3],
                 "attention: query \(q.shape) and key \(k.shape) differ in batch, heads or head size")
    precondition(k.shape[2] == v.shape[2] && k.shape[0] == v.shape[0] && k.shape[1] == v.shape[1],
                 "attention: key \(k.shape) and value \(v.shape) differ in batch, heads or length")
    let scale = 1 / Double(q.shape[3]).squareRoot()
    let scores = matmul(q, k, transposeB: true)  // [B, H, T, S]
    // Scale, additive mask and softmax in one pass over the scores (a learned bias keeps the
    // unfused path, which differentiates it).
    var p = bias?.requiresGrad == true ? (scores * scale + bias!).softmax(axis: -1) : scores.softmax(scale: scale, bias: bias)
    if training && dropout > 0 {
        p = Random.withGlobal { rng in p.dropout(dropout, training: true, using: &rng) }
    }
    return matmul(p, v)
}

/// Scaled dot-product attention over packed projections: q [B, T, H·D], k [B, S, H·D],
/// v [B, S, H·D] → [B, T, H·D], equal to splitting heads, `scaledDotProductAttention` and merging
/// them back, without the copies (each head is a strided matrix to BLAS, `headScores` and
/// `headContext`). `bias` broadcasts to [B, H, T, S].
public func scaledDotProductAttention(packedQuery q: Tensor, key k: Tensor, value v: Tensor, heads: Int, bias: Tensor?,
                                      dropout: Double = 0, training: Bool = false) -> Tensor {
    precondition(q.rank == 3 && k.rank == 3 && v.rank == 3 && k.shape == v.shape && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2],
                 "attention: packed q, k, v must be [B, T, H·D], [B, S, H·D], [B, S, H·D]; got \(q.shape), \(k.shape), \(v.shape)")
    precondition(heads > 0 && q.shape[2] % heads == 0, "attention: \(heads) heads do not divide width \(q.shape[2])")
    let scale = 1 / Double(q.shape[2] / heads).squareRoot()
    let scores = headScores(q, k, heads: heads)  // [B, H, T, S]
    var p = bias?.requiresGrad == true ? (scores * scale + bias!).softmax(axis: -1) : scores.softmax(scale: scale, bias: bias)
    if training && dropout > 0 {
        p = Random.withGlobal { rng in p.dropout(dropout, training: true, using: &rng) }
    }
    return headContext(p, v, heads: heads)  // [B, T, H·D]
}
