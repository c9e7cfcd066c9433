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
    if q.dtype == .float32 {
        CausalLinearScan<Float>.forward(q.pointer(Float.self), k.pointer(Float.self), v.pointer(Float.self),
                                        out.pointer(Float.self), heads: heads, n: n, c: c, m: m)
    } else {
        CausalLinearScan<Double>.forward(q.pointer(Double.self), k.pointer(Double.self), v.pointer(Double.self),
                                         out.pointer(Double.self), heads: heads, n: n, c: c, m: m)
    }
    return record(out, .causalLinearAttention, [q, k, v]) { g, _ in
        let dq = Tensor(uninitializedShape: q.shape, dtype: q.dtype)
        let dk = Tensor(uninitializedShape: k.shape, dtype: k.dtype)
        let dv = Tensor(uninitializedShape: v.shape, dtype: v.dtype)
        if q.dtype == .float32 {
            CausalLinearScan<Float>.backward(q.pointer(Float.self), k.pointer(Float.self), v.pointer(Float.self),
                                             g.pointer(Float.self), dq.pointer(Float.self), dk.pointer(Float.self),
                                             dv.pointer(Float.self), heads: heads, n: n, c: c, m: m)
        } else {
            CausalLinearScan<Double>.backward(q.pointer(Double.self), k.pointer(Double.self), v.pointer(Double.self),
                                              g.pointer(Double.self), dq.pointer(Double.self), dk.pointer(Double.self),
                                              dv.pointer(Double.self), heads: heads, n: n, c: c, m: m)
        }
        return [dq, dk, dv]
    }
}

/// The per-head loops. Inner loops run over M, contiguous in S, v and G, so they vectorise.
enum CausalLinearScan<T: KexueFloat> {
    static func forward(_ q: UnsafePointer<T>, _ k: UnsafePointer<T>, _ v: UnsafePointer<T>,
                        _ out: UnsafeMutablePointer<T>, heads: Int, n: Int, c: Int, m: Int) {
        let s = UnsafeMutablePointer<T>.allocate(capacity: c * m)  // [C, M]
        defer { s.deallocate() }
        for h in 0..<heads {
            s.initialize(repeating: 0, count: c * m)
            for i in 0..<n {
                let qi = q + (h * n + i) * c, ki = k + (h * n + i) * c
                let vi = v + (h * n + i) * m, oi = out + (h * n + i) * m
                for x in 0..<m { oi[x] = 0 }
                for a in 0..<c {
                    let row = s + a * m, kk = ki[a], qq = qi[a]
                    // Update before read: token i sees itself.
                    for x in 0..<m {
                        row[x] += kk * vi[x]
                        oi[x] += qq * row[x]
                    }
                }
            }
        }
    }

    static func backward(_ q: UnsafePointer<T>, _ k: UnsafePointer<T>, _ v: UnsafePointer<T>, _ g: UnsafePointer<T>,
                         _ dq: UnsafeMutablePointer<T>, _ dk: UnsafeMutablePointer<T>, _ dv: UnsafeMutablePointer<T>,
                         heads: Int, n: Int, c: Int, m: Int) {
        let s = UnsafeMutablePointer<T>.allocate(capacity: c * m)  // [C, M] running S_i, then R_j
        defer { s.deallocate() }
        for x in 0..<(heads * n * m) { dv[x] = 0 }
        for h in 0..<heads {
            // ∂L/∂φq_i = S_i·G_i, S recomputed forward.
            s.initialize(repeating: 0, count: c * m)
            for i in 0..<n {
                let ki = k + (h * n + i) * c, vi = v + (h * n + i) * m
                let gi = g + (h * n + i) * m, dqi = dq + (h * n + i) * c
                for a in 0..<c {
                    let row = s + a * m, kk = ki[a]
                    var acc: T = 0
                    for x in 0..<m {
                        row[x] += kk * vi[x]
                        acc += row[x] * gi[x]
                    }
                    dqi[a] = acc
                }
            }
            // R_j = Σ_{i≥j} φq_i·G_iᵀ, reverse: ∂L/∂φk_j = R_j·v_j, ∂L/∂v_j = R_jᵀ·φk_j.
            s.initialize(repeating: 0, count: c * m)
            for j in stride(from: n - 1, through: 0, by: -1) {
                let qj = q + (h * n + j) * c, kj = k + (h * n + j) * c
                let vj = v + (h * n + j) * m, gj = g + (h * n + j) * m
                let dkj = dk + (h * n + j) * c, dvj = dv + (h * n + j) * m
                for a in 0..<c {
                    let row = s + a * m, qq = qj[a], kk = kj[a]
                    var acc: T = 0
                    for x in 0..<m {
                        row[x] += qq * gj[x]
                        acc += row[x] * vj[x]
                        dvj[x] += row[x] * kk
                    }
                    dkj[a] = acc
                }
            }
        }
    }
}
