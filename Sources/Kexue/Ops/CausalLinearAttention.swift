/// The numerator of causal linear attention as a scan: num_i = φ(q_i)ᵀ·S_i with
/// S_i = Σ_{j≤i} φ(k_j)·v_jᵀ (METHODS.md §3, implementation 3).
///
/// φq [B, H, N, C], φk [B, H, N, C], v [B, H, N, M] → [B, H, N, M]. Only one running state S [C, M]
/// per head is alive at a time, so memory is O(N·(C+M) + C·M) instead of the cumsum form's
/// O(N·C·M). The backward is the closed form of Katharopoulos et al.: with G_i = ∂L/∂num_i,
/// ∂L/∂φq_i = S_i·G_i (S recomputed by a second forward scan rather than stored per step), and with
/// the reverse running sum R_j = Σ_{i≥j} φq_i·G_iᵀ, ∂L/∂φk_j = R_j·v_j and ∂L/∂v_j = R_jᵀ·φk_j.
/// The state accumulates in the tensor's own dtype: Float32 for activations, Float64 in checks.
public func causalLinearAttentionNumerator(phiQ q: Tensor, phiK k: Tensor, value v: Tensor) -> Tensor {
    precondition(q.rank == 4 && k.rank == 4 && v.rank == 4,
                 "causal linear attention: φq, φk, v must be [B, H, N, ·]; got \(q.shape), \(k.shape), \(v.shape)")
    precondition(q.shape == k.shape, "causal linear attention: φq \(q.shape) and φk \(k.shape) must have the same shape")
    precondition(Array(v.shape.prefix(3)) == Array(k.shape.prefix(3)),
                 "causal linear attention: value \(v.shape) and key \(k.shape) differ in batch, heads or length")
    precondition(q.dtype == k.dtype && k.dtype == v.dtype && q.dtype.isFloatingPoint,
                 "causal linear attention: φq, φk, v need one floating-point dtype; got \(q.dtype), \(k.dtype), \(v.dtype)")
    let heads = q.shape[0] * q.shape[1], n = q.shape[2], c = q.shape[3], m = v.shape[3]
    let out = Tensor(uninitializedShape: [q.shape[0], q.shape[1], n, m], dtype: q.dtype)
    CausalLinearScan.forward(q.dtype, q.storage.data, k.storage.data, v.storage.data, out.storage.data,
                             heads: heads, n: n, c: c, m: m)
    return record(out, .causalLinearAttention, [q, k, v]) { g, _ in
        let dq = Tensor(uninitializedShape: q.shape, dtype: q.dtype)
        let dk = Tensor(uninitializedShape: k.shape, dtype: k.dtype)
        let dv = Tensor(uninitializedShape: v.shape, dtype: v.dtype)
        CausalLinearScan.backward(q.dtype, q.storage.data, k.storage.data, v.storage.data, g.storage.data,
                                  dq.storage.data, dk.storage.data, dv.storage.data, heads: heads, n: n, c: c, m: m)
        return [dq, dk, dv]
    }
}

/// The chunked scan (METHODS.md §3, "a chunked variant … uses GEMMs, same results"): per head,
/// chunks of `chunk` positions; inside a chunk A = tril(φQ_c·φK_cᵀ) [L, L] replaces the per-token
/// updates, across chunks S [C, M] (forward) or R [C, M] (reverse) carries the rest:
///   O_c = A·V_c + φQ_c·S,                    S += φK_cᵀ·V_c
///   ∂φQ_c = tril(G_c·V_cᵀ)·φK_c + G_c·Sᵀ     (S before the chunk)
///   ∂φK_c = tril(G_c·V_cᵀ)ᵀ·φQ_c + V_c·Rᵀ,   ∂V_c = Aᵀ·G_c + φK_c·R,   R += φQ_cᵀ·G_c
/// (R = Σ over later chunks). Heads run in parallel; each GEMM is single-threaded.
enum CausalLinearScan {
    static let chunk = 64

    /// Zeroes the strictly upper triangle of an [L, L] block (j > i: a later key).
    static func lowerTriangle(_ dtype: DType, _ p: UnsafeMutableRawPointer, _ l: Int) {
        if dtype == .float32 {
            let a = p.assumingMemoryBound(to: Float.self)
            for i in 0..<l { for j in (i + 1)..<Swift.max(l, i + 1) { a[i * l + j] = 0 } }
        } else {
            let a = p.assumingMemoryBound(to: Double.self)
            for i in 0..<l { for j in (i + 1)..<Swift.max(l, i + 1) { a[i * l + j] = 0 } }
        }
    }

    static func forward(_ dtype: DType, _ q: UnsafeMutableRawPointer, _ k: UnsafeMutableRawPointer, _ v: UnsafeMutableRawPointer,
                        _ out: UnsafeMutableRawPointer, heads: Int, n: Int, c: Int, m: Int) {
        let e = dtype.byteSize
        parallelChunks(heads, grain: 1) { range in
            let s = UnsafeMutableRawPointer.allocate(byteCount: c * m * e, alignment: 64)  // S [C, M]
            let a = UnsafeMutableRawPointer.allocate(byteCount: chunk * chunk * e, alignment: 64)  // A [L, L]
            defer { s.deallocate(); a.deallocate() }
            for h in range {
                s.initializeMemory(as: UInt8.self, repeating: 0, count: c * m * e)
                var s0 = 0
                while s0 < n {
                    let l = Swift.min(chunk, n - s0)
                    let qc = q + (h * n + s0) * c * e, kc = k + (h * n + s0) * c * e
                    let vc = v + (h * n + s0) * m * e, oc = out + (h * n + s0) * m * e
                    GEMM.call(dtype, false, true, l, l, c, qc, c, kc, c, a, l, false)  // A = Qc·Kcᵀ
                    lowerTriangle(dtype, a, l)
                    GEMM.call(dtype, false, false, l, m, l, a, l, vc, m, oc, m, false)  // O = A·Vc
                    GEMM.call(dtype, false, false, l, m, c, qc, c, s, m, oc, m, true)  // O += Qc·S
                    GEMM.call(dtype, true, false, c, m, l, kc, c, vc, m, s, m, true)  // S += Kcᵀ·Vc
                    s0 += l
                }
            }
        }
    }

    static func backward(_ dtype: DType, _ q: UnsafeMutableRawPointer, _ k: UnsafeMutableRawPointer, _ v: UnsafeMutableRawPointer,
                         _ g: UnsafeMutableRawPointer, _ dq: UnsafeMutableRawPointer, _ dk: UnsafeMutableRawPointer,
                         _ dv: UnsafeMutableRawPointer, heads: Int, n: Int, c: Int, m: Int) {
        let e = dtype.byteSize
        parallelChunks(heads, grain: 1) { range in
            let s = UnsafeMutableRawPointer.allocate(byteCount: c * m * e, alignment: 64)  // S, then R [C, M]
            let a = UnsafeMutableRawPointer.allocate(byteCount: chunk * chunk * e, alignment: 64)
            let b = UnsafeMutableRawPointer.allocate(byteCount: chunk * chunk * e, alignment: 64)
            defer { s.deallocate(); a.deallocate(); b.deallocate() }
            for h in range {
                // Forward over chunks: ∂φQ with S before each chunk.
                s.initializeMemory(as: UInt8.self, repeating: 0, count: c * m * e)
                var s0 = 0
                while s0 < n {
                    let l = Swift.min(chunk, n - s0)
                    let kc = k + (h * n + s0) * c * e, vc = v + (h * n + s0) * m * e
                    let gc = g + (h * n + s0) * m * e, dqc = dq + (h * n + s0) * c * e
                    GEMM.call(dtype, false, true, l, l, m, gc, m, vc, m, b, l, false)  // B = Gc·Vcᵀ
                    lowerTriangle(dtype, b, l)
                    GEMM.call(dtype, false, false, l, c, l, b, l, kc, c, dqc, c, false)  // ∂Qc = B·Kc
                    GEMM.call(dtype, false, true, l, c, m, gc, m, s, m, dqc, c, true)  // ∂Qc += Gc·Sᵀ
                    GEMM.call(dtype, true, false, c, m, l, kc, c, vc, m, s, m, true)  // S += Kcᵀ·Vc
                    s0 += l
                }
                // Reverse over chunks: ∂φK, ∂V with R after each chunk.
                s.initializeMemory(as: UInt8.self, repeating: 0, count: c * m * e)
                var end = n
                while end > 0 {
                    let l = (end - 1) % chunk + 1, start = end - l
                    let qc = q + (h * n + start) * c * e, kc = k + (h * n + start) * c * e
                    let vc = v + (h * n + start) * m * e, gc = g + (h * n + start) * m * e
                    let dkc = dk + (h * n + start) * c * e, dvc = dv + (h * n + start) * m * e
                    GEMM.call(dtype, false, true, l, l, m, gc, m, vc, m, b, l, false)  // B = Gc·Vcᵀ
                    lowerTriangle(dtype, b, l)
                    GEMM.call(dtype, true, false, l, c, l, b, l, qc, c, dkc, c, false)  // ∂Kc = Bᵀ·Qc
                    GEMM.call(dtype, false, true, l, c, m, vc, m, s, m, dkc, c, true)  // ∂Kc += Vc·Rᵀ
                    GEMM.call(dtype, false, true, l, l, c, qc, c, kc, c, a, l, false)  // A = Qc·Kcᵀ
                    lowerTriangle(dtype, a, l)
                    GEMM.call(dtype, true, false, l, m, l, a, l, gc, m, dvc, m, false)  // ∂Vc = Aᵀ·Gc
                    GEMM.call(dtype, false, false, l, m, c, kc, c, s, m, dvc, m, true)  // ∂Vc += Kc·R
                    GEMM.call(dtype, true, false, c, m, l, qc, c, gc, m, s, m, true)  // R += Qcᵀ·Gc
                    end = start
                }
            }
        }
    }
}
