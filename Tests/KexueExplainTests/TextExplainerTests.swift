import XCTest
import Foundation
@testable import KexueExplain
import Kexue

/// Text IG on a tiny random BERT classifier saved by tools/make_ig_fixture.py, against captum.
final class TextExplainerTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Fixture: Decodable {
        struct Case: Decodable { let text: String; let ids: [Int32]; let token_scores: [Double]; let f_input: Double; let f_baseline: Double }
        let target: Int, steps: Int, cases: [Case]
    }

    func load() throws -> (BertClassifier, Fixture) {
        let model = try BertClassifier(directory: Self.fixtures.appendingPathComponent("ig_tiny_bert"))
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("ig_captum.json"))
        return (model, try JSONDecoder().decode(Fixture.self, from: data))
    }

    func testAgreesWithCaptumLayerIntegratedGradients() throws {
        let (model, fixture) = try load()
        let explainer = TextExplainer(classifier: model, ig: IntegratedGradients(steps: fixture.steps, internalBatchSize: 25))
        for c in fixture.cases {
            let e = try explainer.explain(c.text, target: fixture.target)
            XCTAssertEqual(try model.tokenizer.encode(c.text).ids, c.ids)
            let scores = e.tokens.map(\.score)
            let tol = 1e-3 * c.token_scores.map { abs($0) }.max()!
            for (s, r) in zip(scores, c.token_scores) { XCTAssertEqual(s, r, accuracy: tol, c.text) }
            XCTAssertEqual(e.attribution.outputAtInput, c.f_input, accuracy: 1e-4)
            XCTAssertEqual(e.attribution.outputAtBaseline, c.f_baseline, accuracy: 1e-4)
        }
    }

    func testPadReferenceGivesSpecialTokensZeroAndWordsSumPieces() throws {
        let (model, _) = try load()
        let text = "The movie was unable to enjoy, but brilliant!"
        let e = try TextExplainer(classifier: model, ig: IntegratedGradients(steps: 20)).explain(text)
        XCTAssertEqual(e.tokens.first!.score, 0)
        XCTAssertEqual(e.tokens.last!.score, 0)
        XCTAssertEqual(e.tokens.first!.text, "[CLS]")
        // Words are whitespace chunks cut from the text by offsets; their scores sum their pieces.
        XCTAssertEqual(e.words.map(\.text), text.split(separator: " ").map(String.init))
        XCTAssertEqual(e.words.map(\.score).reduce(0, +), e.tokens.map(\.score).reduce(0, +), accuracy: 1e-9)
        XCTAssertEqual(e.attribution.delta, e.tokens.map(\.score).reduce(0, +) - e.attribution.outputDifference, accuracy: 1e-9)
        XCTAssertLessThan(abs(e.attribution.delta), 1e-3 * max(abs(e.attribution.outputDifference), 1e-2))
    }

    func testBadInputs() throws {
        let (model, _) = try load()
        let explainer = TextExplainer(classifier: model, ig: IntegratedGradients(steps: 4))
        XCTAssertThrowsError(try explainer.explain("good", target: 2)) {
            XCTAssertEqual($0 as? IntegratedGradientsError, .targetOutOfRange(target: 2, classes: 2))
        }
        XCTAssertThrowsError(try TextExplainer(classifier: model, baseline: .ids([2, 3])).explain("very good"))
        // Longer than the model's 32 positions: truncated, with a notice.
        let long = Array(repeating: "good", count: 50).joined(separator: " ")
        let e = try explainer.explain(long)
        XCTAssertEqual(e.tokens.count, 32)
        XCTAssertNotNil(e.notice)
        XCTAssertTrue(e.notice!.contains("truncated from 52 to 32"))
        XCTAssertNil(try explainer.explain("good").notice)
    }

    func testTokenScoringModes() {
        let a = Tensor(doubles: [1, -2, 2, 3, -4, 0], shape: [2, 3])
        XCTAssertEqual(TokenScoring.sum.scores(a), [1, -1])
        XCTAssertEqual(TokenScoring.l2.scores(a), [3, 5])
        XCTAssertEqual(TokenScoring.maxAbs.scores(a), [2, 4])
        XCTAssertEqual(TokenScoring.sum.displayValues([1, -2, 0.5]), [0.5, -1, 0.25])
        XCTAssertEqual(TokenScoring.l2.displayValues([3, 5, 4]), [0, 1, 0.5])
    }

    func testHTMLReport() throws {
        let (model, _) = try load()
        let text = "a <b>dull</b> & boring mess"
        let e = try TextExplainer(classifier: model, ig: IntegratedGradients(steps: 10)).explain(text, target: 1)
        let html = HTMLReport.render([HTMLReport.Row(e, trueLabel: "negative")])
        XCTAssertFalse(html.lowercased().contains("<script"))
        XCTAssertFalse(html.contains("http"))
        XCTAssertFalse(html.contains("<b>dull"))
        XCTAssertTrue(html.contains("&lt;b&gt;dull&lt;/b&gt;"))
        XCTAssertTrue(html.contains("&amp;"))
        for header in ["True Label", "Predicted Label", "Attribution Label", "Attribution Score", "Convergence Delta", "Word Importance"] {
            XCTAssertTrue(html.contains("<th>\(header)</th>"), header)
        }
        XCTAssertTrue(html.contains(">Negative</mark>") && html.contains(">Neutral</mark>") && html.contains(">Positive</mark>"))
        XCTAssertEqual(html.components(separatedBy: "<mark style").count - 1, 3 + e.words.count)
        // The word with the largest |score| gets the fullest colour.
        let top = e.words.max { abs($0.score) < abs($1.score) }!
        let full = top.score > 0 ? "hsl(120, 75%, 50%)" : "hsl(0, 75%, 60%)"
        XCTAssertTrue(html.contains("background-color: \(full)\" title=\"\(HTMLReport.escape(top.text))"))
        XCTAssertEqual(HTMLReport.color(0.5), "hsl(120, 75%, 75%)")
        XCTAssertEqual(HTMLReport.color(-2), "hsl(0, 75%, 60%)")
        XCTAssertEqual(HTMLReport.color(0), "hsl(0, 75%, 100%)")
    }
}
