import XCTest
@testable import Kexue
import CBLAS

final class BLASTests: XCTestCase {
    /// The benchmark `env` names the library that actually runs the products.
    func testConfigNamesTheActiveBackend() {
        switch BLAS.backend {
        case .openblas: XCTAssertTrue(BLAS.config.lowercased().contains("openblas"), BLAS.config)
        case .mkl: XCTAssertTrue(BLAS.config.contains("Math Kernel Library") || BLAS.config.contains("MKL"), BLAS.config)
        }
    }

    /// Whatever backend is active agrees with the linked OpenBLAS on every transpose combination
    /// (with MKL installed this compares two libraries; without, it is OpenBLAS against itself
    /// through the dispatch path).
    func testActiveBackendAgreesWithOpenBLAS() {
        var rng = RandomGenerator(seed: 4)
        let reference = BLAS.openBLAS()
        for (m, n, k) in [(7, 5, 3), (64, 33, 129), (130, 200, 17)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = Tensor.normal([m * k], using: &rng).floats, b = Tensor.normal([k * n], using: &rng).floats
                    var c1 = [Float](repeating: 0, count: m * n), c2 = c1
                    let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
                    let lda = Int32(transA ? m : k), ldb = Int32(transB ? k : n)
                    BLAS.active.sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, a, lda, b, ldb, 0, &c1, Int32(n))
                    reference.sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1, a, lda, b, ldb, 0, &c2, Int32(n))
                    let worst = zip(c1, c2).map { Swift.abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-4, "\(BLAS.backend) vs OpenBLAS, \(m)×\(k)·\(k)×\(n) transA \(transA) transB \(transB)")
                }
            }
        }
    }

    /// Large products give the same bits at 1 and 2 threads when Kexue splits them (OpenBLAS,
    /// `KEXUE_MKL_THREADING=sequential`, and products below `BLAS.threadedFlops` under MKL): every
    /// element is one single-threaded dot product. Threaded MKL may split K (the weight-gradient shape here does), so there the promise is MKL's
    /// conditional reproducibility — the same bits for the same thread count — and agreement to
    /// rounding across thread counts, as in PyTorch.
    func testLargeProductsDoNotDependOnThreadCount() {
        var rng = RandomGenerator(seed: 9)
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        for (m, k, n, transA) in [(256, 256, 256, false), (1024, 384, 1536, false), (384, 4096, 384, true), (96, 2048, 64, false)] {
            let a = Tensor.normal(transA ? [k, m] : [m, k], using: &rng), b = Tensor.normal([k, n], using: &rng)
            var results: [[Float]] = []
            for threads in [1, 2, 2] {
                Runtime.threads = threads
                results.append(matmul(a, b, transposeA: transA).floats)
            }
            let what = "\(BLAS.config): \(m)×\(k)·\(k)×\(n)"
            XCTAssertEqual(zip(results[1], results[2]).filter { $0 != $1 }.count, 0, "\(what): two runs at 2 threads differ")
            if BLAS.threadsInternally && 2 * m * n * k >= BLAS.threadedFlops {
                // Float32 sums of k unit-scale products in another order differ by ~ε·√k·|terms|.
                let worst = zip(results[0], results[1]).map { Swift.abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-6 * Float(k), "\(what): 1 and 2 threads disagree beyond rounding")
            } else {
                let differing = zip(results[0], results[1]).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "\(what): \(differing) elements differ between 1 and 2 threads")
            }
        }
    }

    /// Batched products (one MKL batch call, or per-product calls spread over threads) equal a
    /// loop of single products, for every transpose combination.
    func testBatchedProductsEqualOneAtATime() {
        var rng = RandomGenerator(seed: 10)
        for (count, m, k, n) in [(96, 128, 32, 128), (6, 40, 300, 50)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = Tensor.normal(transA ? [count, k, m] : [count, m, k], using: &rng)
                    let b = Tensor.normal(transB ? [count, n, k] : [count, k, n], using: &rng)
                    let batched = matmul(a, b, transposeA: transA, transposeB: transB).floats
                    var single: [Float] = []
                    for i in 0..<count {
                        single += matmul(a.sliced(axis: 0, i, i + 1).squeezed(0), b.sliced(axis: 0, i, i + 1).squeezed(0),
                                         transposeA: transA, transposeB: transB).floats
                    }
                    let worst = zip(batched, single).map { Swift.abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-4, "\(BLAS.config): [\(count),\(m),\(k)]·[\(count),\(k),\(n)] transA \(transA) transB \(transB)")
                }
            }
        }
    }
}
