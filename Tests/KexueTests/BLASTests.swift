import XCTest
@testable import Kexue

final class BLASTests: XCTestCase {
    func testConfigNamesOpenBLAS() {
        XCTAssertTrue(BLAS.config.lowercased().contains("openblas"), BLAS.config)
    }
}
