/// y = x·Wᵀ + b in one GEMM: the output starts as the broadcast bias and BLAS accumulates onto
/// it (beta = 1), saving the separate bias pass over the activations.
///
/// x [..., in], W [out, in], b [out] → [..., out].
public func linear(_ x: Tensor, weight w: Tensor, bias b: Tensor?) -> Tensor {
    guard let b else { return matmul(x, w, transposeB: true) }
    precondition(w.rank == 2 && x.shape.last == w.shape[1] && b.shape == [w.shape[0]] && x.dtype == w.dtype && w.dtype == b.dtype,
                 "linear: input \(x.shape), weight \(w.shape), bias \(b.shape) do not fit (\(x.dtype), \(w.dtype), \(b.dtype))")
    let (inF, outF) = (w.shape[1], w.shape[0])
    let rows = x.count / Swift.max(inF, 1)
    let out = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outF], dtype: x.dtype)
    let e = x.dtype.byteSize
    for r in 0..<rows { (out.storage.data + r * outF * e).copyMemory(from: b.storage.data, byteCount: outF * e) }
    GEMM.run(x.dtype, transA: false, transB: true, m: rows, n: outF, k: inF,
             a: x.storage.data, b: w.storage.data, c: out.storage.data, accumulate: true)
    return record(out, .linear, [x, w, b]) { g, needs in
        let g2 = g.reshaped([rows, outF])
        return [needs[0] ? matmul(g2, w).reshaped(x.shape) : nil,
                needs[1] ? matmul(g2, x.reshaped([rows, inF]), transposeA: true) : nil,
                needs[2] ? g2.sum(axis: 0) : nil]
    }
}
