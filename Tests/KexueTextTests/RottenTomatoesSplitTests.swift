import XCTest
import Foundation
@testable import KexueText

/// The Rotten Tomatoes split every experiment reuses: the seeded function must keep producing the
/// committed id lists (`kexue splits` printed them), and the three parts must be disjoint.
final class RottenTomatoesSplitTests: XCTestCase {
    func testSplitEqualsTheCommittedIdLists() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/rotten_tomatoes_splits.json")
        let committed = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let items = try RottenTomatoes.load()
        XCTAssertGreaterThan(items.count, 10_000, "zero-score sentences are the only ones dropped")
        let s = RottenTomatoes.split(items)
        XCTAssertEqual(s.train.map(\.id), committed["train"] as! [String])
        XCTAssertEqual(s.validation.map(\.id), committed["validation"] as! [String])
        XCTAssertEqual(s.test.map(\.id), committed["test"] as! [String])
        let all = s.train.map(\.id) + s.validation.map(\.id) + s.test.map(\.id)
        XCTAssertEqual(Set(all).count, all.count, "splits overlap")
        XCTAssertEqual(all.count, items.count)
        XCTAssertFalse(items.contains { $0.label != "positive" && $0.label != "negative" })
    }
}
