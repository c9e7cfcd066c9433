import CBLAS

/// Row-major GEMM through the active CBLAS backend (OpenBLAS or MKL, `BLAS`): C[M,N] = op(A)·op(B) (+ C when `accumulate`).
/// Transposes are BLAS flags, never copies (DESIGN.md §3).
enum GEMM {
    /// Products below this many flops run on one thread: splitting costs more than it saves.
    static let parallelFlops = 4_000_000

    static func run(_ dtype: DType, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                    a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutableRawPointer, accumulate: Bool = false) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { c.initializeMemory(as: UInt8.self, repeating: 0, count: m * n * dtype.byteSize) }
            return
        }
        let threads = Runtime.threads   // first use also switches OpenBLAS to one thread
        let lda = transA ? m : k, ldb = transB ? k : n
        guard 2 * m * n * k >= parallelFlops && threads > 1 else {
            call(dtype, transA, transB, m, n, k, a, lda, b, ldb, c, n, accumulate)
            return
        }
        if BLAS.threadsInternally {
            let inRegion = ParallelRegion.depth.load(ordering: .relaxed) > 0
            if inRegion {
                // The caller's threads are busy: stay on this one.
                call(dtype, transA, transB, m, n, k, a, lda, b, ldb, c, n, accumulate)
                return
            }
            if 2 * m * n * k >= BLAS.threadedFlops {
                BLAS.threadedCall(threads) {
                    call(dtype, transA, transB, m, n, k, a, lda, b, ldb, c, n, accumulate)
                }
                return
            }
            // Below `BLAS.threadedFlops` (a tuning setting): Kexue's split, as for OpenBLAS.
        }
        // Split the larger of M and N across threads; every output element is still computed by
        // one single-threaded call over the whole of K, so results do not depend on the split.
        let e = dtype.byteSize
        if m >= n {
            parallelChunks(m, grain: 16) { rows in
                let aOffset = transA ? rows.lowerBound : rows.lowerBound * lda
                call(dtype, transA, transB, rows.count, n, k, a + aOffset * e, lda, b, ldb,
                     c + rows.lowerBound * n * e, n, accumulate)
            }
        } else {
            parallelChunks(n, grain: 16) { cols in
                let bOffset = transB ? cols.lowerBound * ldb : cols.lowerBound
                call(dtype, transA, transB, m, cols.count, k, a, lda, b + bOffset * e, ldb,
                     c + cols.lowerBound * e, n, accumulate)
            }
        }
    }

    /// One CBLAS call, row-major, with explicit leading dimensions.
    @inline(__always)
    static func call(_ dtype: DType, _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ a: UnsafeRawPointer, _ lda: Int, _ b: UnsafeRawPointer, _ ldb: Int,
                     _ c: UnsafeMutableRawPointer, _ ldc: Int, _ accumulate: Bool) {
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        switch dtype {
        case .float32:
            BLAS.active.sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                        a.assumingMemoryBound(to: Float.self), Int32(lda), b.assumingMemoryBound(to: Float.self), Int32(ldb),
                        accumulate ? 1 : 0, c.assumingMemoryBound(to: Float.self), Int32(ldc))
        case .float64:
            BLAS.active.dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                        a.assumingMemoryBound(to: Double.self), Int32(lda), b.assumingMemoryBound(to: Double.self), Int32(ldb),
                        accumulate ? 1 : 0, c.assumingMemoryBound(to: Double.self), Int32(ldc))
        case .int32:
            preconditionFailure("matmul: int32 tensors are not supported")
        }
    }

    /// `count` independent GEMMs of one shape at fixed strides: small products one per thread,
    /// large ones in turn, each split across threads by `run`.
    static func batched(_ dtype: DType, count: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                        a: UnsafeRawPointer, strideA: Int, b: UnsafeRawPointer, strideB: Int,
                        c: UnsafeMutableRawPointer, strideC: Int) {
        let e = dtype.byteSize
        let perProduct = 2 * m * n * k
        if dtype == .float32, let batch = BLAS.active.sgemmBatchStrided, count > 1 {
            // One call: MKL spreads the products over its threads (attention's many small heads).
            let threads = ParallelRegion.depth.load(ordering: .relaxed) > 0 ? 1 : Runtime.threads
            let lda = transA ? m : k, ldb = transB ? k : n
            BLAS.threadedCall(threads) {
                batch(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                      Int32(m), Int32(n), Int32(k), 1, a.assumingMemoryBound(to: Float.self), Int32(lda), Int32(strideA),
                      b.assumingMemoryBound(to: Float.self), Int32(ldb), Int32(strideB), 0,
                      c.assumingMemoryBound(to: Float.self), Int32(n), Int32(strideC), Int32(count))
            }
            return
        }
        let grain = perProduct >= parallelFlops ? count : Swift.max(1, parallelFlops / Swift.max(perProduct, 1) / 4)
        let body = { (range: Range<Int>) in
            for i in range {
                run(dtype, transA: transA, transB: transB, m: m, n: n, k: k,
                    a: a + i * strideA * e, b: b + i * strideB * e, c: c + i * strideC * e)
            }
        }
        if perProduct >= parallelFlops { body(0..<count) } else { parallelChunks(count, grain: grain, body) }
    }

    /// `count` products of one shape at arbitrary element offsets and leading dimensions:
    /// C_i = op(A_i)·op(B_i) (+ C_i when `accumulate`), A_i at `a + offsetA(i)` with leading
    /// dimension `lda`, and so on. Attention reads each head in place from a packed [B, T, H·D]
    /// projection this way (lda = H·D) instead of copying heads out and back.
    static func grouped(_ dtype: DType, count: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                        a: UnsafeRawPointer, lda: Int, offsetA: (Int) -> Int,
                        b: UnsafeRawPointer, ldb: Int, offsetB: (Int) -> Int,
                        c: UnsafeMutableRawPointer, ldc: Int, offsetC: (Int) -> Int, accumulate: Bool = false) {
        if count == 0 || m == 0 || n == 0 { return }
        let e = dtype.byteSize
        if dtype == .float32, k > 0, count > 1, let batch = BLAS.active.sgemmBatch {
            // One MKL call for the whole group: MKL spreads it over its threads.
            let f = { (p: UnsafeRawPointer, i: Int) in UnsafePointer<Float>?(p.assumingMemoryBound(to: Float.self) + i) }
            let aPointers = (0..<count).map { f(a, offsetA($0)) }, bPointers = (0..<count).map { f(b, offsetB($0)) }
            let cPointers = (0..<count).map { Optional(c.assumingMemoryBound(to: Float.self) + offsetC($0)) }
            var ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
            var (m32, n32, k32) = (Int32(m), Int32(n), Int32(k))
            var (lda32, ldb32, ldc32, size) = (Int32(lda), Int32(ldb), Int32(ldc), Int32(count))
            var (alpha, beta): (Float, Float) = (1, accumulate ? 1 : 0)
            let threads = ParallelRegion.depth.load(ordering: .relaxed) > 0 ? 1 : Runtime.threads
            BLAS.threadedCall(threads) {
                batch(CblasRowMajor, &ta, &tb, &m32, &n32, &k32, &alpha, aPointers, &lda32, bPointers, &ldb32, &beta,
                      cPointers, &ldc32, 1, &size)
            }
            return
        }
        let perProduct = 2 * m * n * Swift.max(k, 1)
        parallelChunks(count, grain: Swift.max(1, parallelFlops / perProduct / 4)) { range in
            for i in range {
                if k == 0 {
                    if !accumulate {
                        for r in 0..<m { (c + (offsetC(i) + r * ldc) * e).initializeMemory(as: UInt8.self, repeating: 0, count: n * e) }
                    }
                    continue
                }
                call(dtype, transA, transB, m, n, k, a + offsetA(i) * e, lda, b + offsetB(i) * e, ldb,
                     c + offsetC(i) * e, ldc, accumulate)
            }
        }
    }
}
