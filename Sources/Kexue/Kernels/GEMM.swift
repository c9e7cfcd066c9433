import CBLAS

/// Row-major GEMM through CBLAS: C[M,N] = op(A)·op(B) (+ C when `accumulate`).
/// Transposes are BLAS flags, never copies (DESIGN.md §3).
enum GEMM {
    static func run(_ dtype: DType, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                    a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutableRawPointer, accumulate: Bool = false) {
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        let lda = Int32(transA ? m : k), ldb = Int32(transB ? k : n)
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { c.initializeMemory(as: UInt8.self, repeating: 0, count: m * n * dtype.byteSize) }
            return
        }
        switch dtype {
        case .float32:
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                        a.assumingMemoryBound(to: Float.self), lda, b.assumingMemoryBound(to: Float.self), ldb,
                        accumulate ? 1 : 0, c.assumingMemoryBound(to: Float.self), Int32(n))
        case .float64:
            cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                        a.assumingMemoryBound(to: Double.self), lda, b.assumingMemoryBound(to: Double.self), ldb,
                        accumulate ? 1 : 0, c.assumingMemoryBound(to: Double.self), Int32(n))
        case .int32:
            preconditionFailure("matmul: int32 tensors are not supported")
        }
    }

    /// `count` independent GEMMs of one shape at fixed strides. Small products run one per thread
    /// with single-threaded BLAS (OpenBLAS threads small GEMMs poorly); large ones run in turn,
    /// each using every thread. Either way each product is computed by one call, so results do
    /// not depend on the thread count.
    static func batched(_ dtype: DType, count: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                        a: UnsafeRawPointer, strideA: Int, b: UnsafeRawPointer, strideB: Int,
                        c: UnsafeMutableRawPointer, strideC: Int) {
        let e = dtype.byteSize
        let flops = 2 * m * n * k
        let threads = Runtime.threads
        if count > 1 && threads > 1 && flops < 16_000_000 {
            BLAS.threads = 1
            defer { BLAS.threads = threads }
            parallelChunks(count, grain: 1) { range in
                for i in range {
                    run(dtype, transA: transA, transB: transB, m: m, n: n, k: k,
                        a: a + i * strideA * e, b: b + i * strideB * e, c: c + i * strideC * e)
                }
            }
        } else {
            for i in 0..<count {
                run(dtype, transA: transA, transB: transB, m: m, n: n, k: k,
                    a: a + i * strideA * e, b: b + i * strideB * e, c: c + i * strideC * e)
            }
        }
    }
}
