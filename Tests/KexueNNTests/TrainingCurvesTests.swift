import XCTest
import Foundation
@testable import KexueNN

/// metrics.jsonl times across resumes, and the multi-run comparison figure.
final class TrainingCurvesTests: XCTestCase {
    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kexue-curves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    private func writeLines(_ lines: [String], to url: URL) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    /// A resumed run's `time` continues from the last kept line (training wall time across
    /// processes), so runs can be compared at equal time; lines past the resume step are dropped.
    func testResumedLogContinuesTheRunsTime() throws {
        let url = try scratch().appendingPathComponent("metrics.jsonl")
        try writeLines((1...3).map { #"{"epoch":0,"name":"loss","split":"train","step":\#($0),"time":\#(100 * $0).5,"value":1}"# }, to: url)
        let log = try MetricsLog(url: url, truncateAfterStep: 2)
        log.log(step: 3, epoch: 0, split: "train", name: "loss", value: 0.5)
        let entries = try MetricsLog.read(url)
        XCTAssertEqual(entries.map(\.step), [1, 2, 3])
        XCTAssertEqual(entries[1].time, 200.5)
        let resumedTime = try XCTUnwrap(entries[2].time)
        XCTAssertGreaterThanOrEqual(resumedTime, 200.5)
        XCTAssertLessThan(resumedTime, 260, "time restarted or jumped instead of continuing from 200.5 s")
    }

    func testComparisonSmoothsEachRunAndNamesWhatIsMissing() throws {
        let dir = try scratch()
        let a = dir.appendingPathComponent("a.jsonl"), b = dir.appendingPathComponent("b.jsonl")
        try writeLines((1...4).map { #"{"epoch":0,"name":"nelbo","split":"train","step":\#($0),"time":\#(60 * $0),"value":\#(10 * $0)}"# }, to: a)
        try writeLines([#"{"epoch":0,"name":"nelbo","split":"train","step":1,"value":5}"#], to: b)
        let png = dir.appendingPathComponent("c.png")

        let curves = try TrainingCurves.compare(runs: [("a", a)], name: "nelbo", x: .minutes, smoothing: 2, title: "t", to: png)
        XCTAssertEqual(curves.first?.finalMean, 35)     // mean of the last two values, 30 and 40
        XCTAssertEqual(curves.first?.lastMinutes, 4)
        XCTAssertEqual(curves.first?.lastStep, 4)
        XCTAssertEqual(try Data(contentsOf: png).prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))

        XCTAssertThrowsError(try TrainingCurves.compare(runs: [("a", a), ("b", b)], name: "nelbo", x: .minutes, title: "t", to: png)) {
            XCTAssertTrue("\($0)".contains("b.jsonl") && "\($0)".contains("time"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingCurves.compare(runs: [("a", a)], name: "kl", title: "t", to: png)) {
            XCTAssertTrue("\($0)".contains("a.jsonl") && "\($0)".contains("'kl'"), "\($0)")
        }
    }
}
