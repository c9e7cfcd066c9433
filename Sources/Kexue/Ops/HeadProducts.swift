/// Per-head products that read attention heads in place from packed projections.
///
/// A projection such as `query(x)` is [B, T, H·D]: head h of row t is columns h·D ..< (h+1)·D.
/// Splitting heads out to [B, H, T, D] and merging them back costs two copies per tensor and
/// layer, forward and backward; these two ops instead hand BLAS each head as a strided matrix
/// (leading dimension H·D). Each one's gradient is made of the two.

/// Scores per head: a [B, X, H·D], b [B, Y, H·D] → [B, H, X, Y], out[b, h] = a_h · b_hᵀ
/// (a_h = a[b, :, h·D ..< (h+1)·D]). Attention's q·kᵀ with q and k packed.
public func headScores(_ a: Tensor, _ b: Tensor, heads: Int) -> Tensor {
    let (batch, x, y, c) = headShapes(a, b, heads: heads, op: "headScores")
    let d = c / heads
    let out = Tensor(uninitializedShape: [batch, heads, x, y], dtype: a.dtype)
    GEMM.grouped(a.dtype, count: batch * heads, transA: false, transB: true, m: x, n: y, k: d,
                 a: a.storage.data, lda: c, offsetA: { i in (i / heads) * x * c + (i % heads) * d },
                 b: b.storage.data, ldb: c, offsetB: { i in (i / heads) * y * c + (i % heads) * d },
                 c: out.storage.data, ldc: y, offsetC: { i in i * x * y })
    return record(out, .headScores, [a, b]) { g, needs in
        // out_h = a_h·b_hᵀ: da_h = g_h·b_h, db_h = g_hᵀ·a_h.
        [needs[0] ? headContext(g, b, heads: heads) : nil,
         needs[1] ? headContext(g, a, heads: heads, transposeWeights: true) : nil]
    }
}

/// Context per head, written packed: w [B, H, X, Y], v [B, Y, H·D] → [B, X, H·D] with
/// out_h = w_h · v_h; with `transposeWeights`, v [B, X, H·D] → [B, Y, H·D] and out_h = w_hᵀ · v_h.
/// Attention's p·v with v packed and the result already merged.
public func headContext(_ w: Tensor, _ v: Tensor, heads: Int, transposeWeights: Bool = false) -> Tensor {
    precondition(w.dtype == v.dtype && w.dtype.isFloatingPoint,
                 "headContext: weights and values must share a float dtype, got \(w.dtype) and \(v.dtype)")
    precondition(w.rank == 4 && v.rank == 3 && heads > 0 && w.shape[0] == v.shape[0] && w.shape[1] == heads
                 && v.shape[2] % heads == 0,
                 "headContext: weights must be [B, \(heads), X, Y] and values [B, ·, \(heads)·D], got \(w.shape) and \(v.shape)")
    let (batch, x, y, c) = (w.shape[0], w.shape[2], w.shape[3], v.shape[2])
    let (rows, inner) = transposeWeights ? (y, x) : (x, y)
    precondition(v.shape[1] == inner,
                 "headContext: values \(v.shape) need \(inner) rows to meet weights \(w.shape)\(transposeWeights ? "ᵀ" : "")")
    let d = c / heads
    let out = Tensor(uninitializedShape: [batch, rows, c], dtype: w.dtype)
    GEMM.grouped(w.dtype, count: batch * heads, transA: transposeWeights, transB: false, m: rows, n: d, k: inner,
                 a: w.storage.data, lda: y, offsetA: { i in i * x * y },
                 b: v.storage.data, ldb: c, offsetB: { i in (i / heads) * inner * c + (i % heads) * d },
                 c: out.storage.data, ldc: c, offsetC: { i in (i / heads) * rows * c + (i % heads) * d })
    return record(out, .headContext, [w, v]) { g, needs in
        if transposeWeights {
            // out_h = w_hᵀ·v_h: dw_h = v_h·g_hᵀ, dv_h = w_h·g_h.
            return [needs[0] ? headScores(v, g, heads: heads) : nil,
                    needs[1] ? headContext(w, g, heads: heads) : nil]
        }
        // out_h = w_h·v_h: dw_h = g_h·v_hᵀ, dv_h = w_hᵀ·g_h.
        return [needs[0] ? headScores(g, v, heads: heads) : nil,
                needs[1] ? headContext(w, g, heads: heads, transposeWeights: true) : nil]
    }
}

/// Checks two packed operands [B, X, C], [B, Y, C] with H | C; returns (B, X, Y, C).
private func headShapes(_ a: Tensor, _ b: Tensor, heads: Int, op: String) -> (Int, Int, Int, Int) {
    precondition(a.dtype == b.dtype && a.dtype.isFloatingPoint,
                 "\(op): operands must share a float dtype, got \(a.dtype) and \(b.dtype)")
    precondition(a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0] && a.shape[2] == b.shape[2],
                 "\(op): operands must be [B, ·, H·D] with equal B and H·D, got \(a.shape) and \(b.shape)")
    precondition(heads > 0 && a.shape[2] % heads == 0, "\(op): \(heads) heads do not divide width \(a.shape[2])")
    return (a.shape[0], a.shape[1], b.shape[1], a.shape[2])
}
