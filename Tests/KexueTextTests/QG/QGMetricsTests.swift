import XCTest
@testable import KexueText

/// QG metrics against pycocoevalcap (BLEU-4 'closest', ROUGE-L β = 1.2) and the official SQuAD
/// v1.1 EM/F1 on a committed fixture (tools/make_qg_metrics_fixture.py).
final class QGMetricsTests: XCTestCase {
    struct Fixture: Decodable {
        struct Squad: Decodable { let prediction: String; let golds: [String]; let em: Double; let f1: Double; let normalized: String }
        let hypotheses: [[String]]
        let references: [[[String]]]
        let bleu: [Double]
        let rouge_l: Double
        let rouge_l_each: [Double]
        let squad: [Squad]
    }

    func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/qg_metrics.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func testBLEUAndROUGEMatchCocoCaption() throws {
        let f = try fixture()
        for n in 1...4 {
            XCTAssertEqual(QGMetrics.corpusBLEU(hypotheses: f.hypotheses, references: f.references, maxN: n), f.bleu[n - 1],
                           accuracy: 1e-6, "BLEU-\(n)")
        }
        let each = zip(f.hypotheses, f.references).map { QGMetrics.rougeL(hypothesis: $0, references: $1) }
        for (i, (a, b)) in zip(each, f.rouge_l_each).enumerated() { XCTAssertEqual(a, b, accuracy: 1e-9, "ROUGE-L of sentence \(i)") }
        XCTAssertEqual(each.reduce(0, +) / Double(each.count) * 100, f.rouge_l, accuracy: 1e-6)
    }

    func testSQuADExactMatchAndF1MatchTheOfficialScript() throws {
        for s in try fixture().squad {
            XCTAssertEqual(QGMetrics.normalizeAnswer(s.prediction), s.normalized, s.prediction)
            XCTAssertEqual(QGMetrics.exactMatch(s.prediction, golds: s.golds), s.em, s.prediction)
            XCTAssertEqual(QGMetrics.f1(s.prediction, golds: s.golds), s.f1, accuracy: 1e-12, s.prediction)
        }
    }

    func testTokensAndEdgeCases() {
        XCTAssertEqual(QGMetrics.tokens("What year did Beyoncé's album sell 1,000 copies?"),
                       ["what", "year", "did", "beyoncé", "'", "s", "album", "sell", "1", ",", "000", "copies", "?"])
        XCTAssertEqual(QGMetrics.tokens("珠穆朗玛峰 is K2?"), ["珠", "穆", "朗", "玛", "峰", "is", "k2", "?"])
        XCTAssertEqual(QGMetrics.corpusBLEU(hypotheses: [["a", "b", "c", "d"]], references: [[["a", "b", "c", "d"]]]), 100, accuracy: 1e-6)
        XCTAssertLessThan(QGMetrics.corpusBLEU(hypotheses: [["x"]], references: [[["a", "b"]]]), 1e-3, "no matches: ~0, not NaN")
        XCTAssertEqual(QGMetrics.rougeL(hypothesis: [], references: [["a"]]), 0)
    }
}
