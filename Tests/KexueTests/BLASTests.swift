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
}
