import XCTest
@testable import KexueVision

/// The flooding report's reading of curves, on synthetic loss sequences.
final class FloodingReportTests: XCTestCase {
    func testSecondDescentIsDetectedOnlyWhenTheLossFallsAgain() {
        let rising = [1.0, 0.8, 0.7, 0.72, 0.8, 0.9, 1.0, 1.1, 1.2]
        XCTAssertNil(FloodingReport.secondDescent(rising), "memorisation: rises and stays up")
        let twice = [1.0, 0.8, 0.7, 0.72, 0.8, 0.9, 0.85, 0.75, 0.7, 0.68]
        let d = FloodingReport.secondDescent(twice)
        XCTAssertNotNil(d)
        XCTAssertLessThan(d!.minEpoch, d!.peakEpoch)
        XCTAssertLessThan(d!.peakEpoch, d!.lastEpoch)
        XCTAssertNil(FloodingReport.secondDescent([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4]), "monotone descent")
    }

    func testReductionAgainstTheUnfloodedRun() {
        func level(_ b: Double, _ test: [Double]) -> FloodingExperiment.LevelResult {
            .init(level: b, epochTrainLoss: [1], stepTrainLoss: [1, b], validationLoss: [1], testLoss: test, testAccuracy: [0.5])
        }
        let report = FloodingReport(results: [level(0.2, [0.6]), level(0, [1.5])], chosen: 0.2, title: "t")
        XCTAssertEqual(report.results.map(\.level), [0, 0.2], "sorted by level")
        XCTAssertEqual(report.testLossReduction(report.results[1])!, 0.6, accuracy: 1e-12)
        XCTAssertTrue(report.markdown.contains("← chosen"))
    }
}
