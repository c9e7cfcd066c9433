/// Matrix products through BLAS.
///
/// `matmul(a, b)` multiplies the last two axes: a [..., M, K] · b [..., K, N] → [..., M, N].
/// `transposeA`/`transposeB` read an operand stored as [..., K, M] / [..., N, K] (a Linear weight
/// is [out, in], so `x · Wᵀ` is `matmul(x, w, transposeB: true)` with no copy). Batch axes must be
/// equal, or b may be a plain matrix shared by every batch element.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.dtype == b.dtype && a.dtype.isFloatingPoint,
                 "matmul: operands must share a float dtype, got \(a.dtype) and \(b.dtype)")
    precondition(a.rank >= 2 && b.rank >= 2, "matmul: operands need rank ≥ 2, got \(a.shape) and \(b.shape)")
    // A shared matrix b: fold a's batch axes into its rows — one large GEMM instead of many.
    if b.rank == 2 && a.rank > 2 && !transposeA {
        let flat = a.reshaped([-1, a.shape[a.rank - 1]])
        let y = matmul(flat, b, transposeB: transposeB)
        return y.reshaped(Array(a.shape.dropLast()) + [y.shape[1]])
    }
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    precondition(batchA == batchB,
                 "matmul: batch axes differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
    let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let (m, k) = transposeA ? (ac, ar) : (ar, ac)
    let (kb, n) = transposeB ? (bc, br) : (br, bc)
    precondition(k == kb, "matmul: inner sizes differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "") (\(k) vs \(kb))")
    let batch = batchA.reduce(1, *)
    let out = Tensor(uninitializedShape: batchA + [m, n], dtype: a.dtype)
    GEMM.batched(a.dtype, count: batch, transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                 a: a.storage.data, strideA: m * k, b: b.storage.data, strideB: k * n,
                 c: out.storage.data, strideC: m * n)
    return record(out, .matmul, [a, b]) { g, needs in
        // C = op(A)·op(B): each case reads the stored layout of A and B back with flags.
        var ga: Tensor? = nil, gb: Tensor? = nil
        switch (transposeA, transposeB) {
        case (false, false):
            if needs[0] { ga = matmul(g, b, transposeB: true) }
            if needs[1] { gb = matmul(a, g, transposeA: true) }
        case (false, true):
            if needs[0] { ga = matmul(g, b) }
            if needs[1] { gb = matmul(g, a, transposeA: true) }
        case (true, false):
            if needs[0] { ga = matmul(b, g, transposeB: true) }
            if needs[1] { gb = matmul(a, g) }
        case (true, true):
            if needs[0] { ga = matmul(b, g, transposeA: true, transposeB: true) }
            if needs[1] { gb = matmul(g, a, transposeA: true, transposeB: true) }
        }
        return [ga, gb]
    }
}
