import XCTest
@testable import KexueNN

/// The training objective of classifiers: each base loss equals its definition, flooding sits on
/// top of the raw mean, and bad settings fail with a message.
final class ClassificationObjectiveTests: XCTestCase {
    let logits = Tensor(doubles: [1, 2, 0.5, -1, 0.3, 0.9, 2, -0.5, 0, 0.2, 0.1, -0.3], shape: [4, 3])
    let targets = Tensor(indices: [0, 2, 1, 1], shape: [4])

    func testBasesMatchTheirDefinitions() throws {
        let prior = try ClassPrior(counts: [60, 30, 10])
        let ce = try ClassificationObjective(.crossEntropy).loss(logits: logits, targets: targets)
        XCTAssertEqual(ce.loss.item, crossEntropy(logits: logits, targets: targets).item, accuracy: 1e-14)
        XCTAssertEqual(ce.raw, ce.loss.item, accuracy: 1e-14)
        let la = try ClassificationObjective(.logitAdjusted(prior: prior, tau: 1)).loss(logits: logits, targets: targets)
        XCTAssertEqual(la.loss.item, try logitAdjustedCrossEntropy(logits: logits, targets: targets, prior: prior).item, accuracy: 1e-14)
        // Weighted: Σ w_y·ℓ / Σ w_y.
        let w = balancedClassWeights(prior)
        let perExample = crossEntropy(logits: logits, targets: targets, reduction: .none).doubles
        let t = targets.int32s.map(Int.init)
        let expected = zip(perExample, t).map { $0 * w[$1] }.reduce(0, +) / t.map { w[$0] }.reduce(0, +)
        let weighted = try ClassificationObjective(.weighted(w)).loss(logits: logits, targets: targets)
        XCTAssertEqual(weighted.loss.item, expected, accuracy: 1e-13)
        XCTAssertEqual(w[0] * 0.6 + w[1] * 0.3 + w[2] * 0.1, 1, accuracy: 1e-12, "weights 1/(K·π) average to 1 under π")
    }

    func testFloodingReportsTheRawLossBesideTheFloodedOne() throws {
        let objective = try ClassificationObjective(.crossEntropy, flood: Flooding(level: 5))
        let (loss, raw) = try objective.loss(logits: logits, targets: targets)
        XCTAssertEqual(raw, crossEntropy(logits: logits, targets: targets).item, accuracy: 1e-14)
        XCTAssertEqual(loss.item, 10 - raw, accuracy: 1e-12, "below b the flooded loss is 2b − L")
        XCTAssertEqual(objective.trainedWith.isPlain, true)
    }

    func testBadSettingsAreErrors() throws {
        let prior = try ClassPrior(counts: [2, 1, 1])
        XCTAssertThrowsError(try ClassificationObjective(.logitAdjusted(prior: prior, tau: -1)))
        XCTAssertThrowsError(try ClassificationObjective(.logitAdjusted(prior: prior, tau: .nan)))
        XCTAssertThrowsError(try ClassificationObjective(.weighted([1, .nan, 1])))
        XCTAssertThrowsError(try ClassificationObjective(.weighted([1, 1, 1]), flood: Flooding(level: 0.1)))
        XCTAssertThrowsError(try ClassificationObjective(.weighted([1, 1])).loss(logits: logits, targets: targets)) {
            XCTAssertTrue("\($0)".contains("2 class weights for logits with 3 classes"), "\($0)")
        }
        XCTAssertThrowsError(try ClassificationObjective(.logitAdjusted(prior: try ClassPrior(counts: [1, 1]), tau: 1))
            .loss(logits: logits, targets: targets))
    }
}

extension TrainedWith {
    var isPlain: Bool { if case .plainCrossEntropy = self { return true } else { return false } }
}

final class HoldOutAndLongTailTests: XCTestCase {
    var labels: [Int32] { (0..<300).map { Int32($0 % 3) } }

    func testBalancedHoldOutIsDisjointSeededAndBalanced() throws {
        let (held, rest) = try HoldOut.balanced(labels: labels, classes: 3, perClass: 10, seed: 4)
        XCTAssertEqual(held.count, 30)
        XCTAssertEqual(Set(held).intersection(rest).count, 0)
        XCTAssertEqual(held.count + rest.count, 300)
        XCTAssertEqual((0..<3).map { k in held.filter { labels[$0] == k }.count }, [10, 10, 10])
        XCTAssertEqual(try HoldOut.balanced(labels: labels, classes: 3, perClass: 10, seed: 4).heldOut, held)
        XCTAssertNotEqual(try HoldOut.balanced(labels: labels, classes: 3, perClass: 10, seed: 5).heldOut, held)
        XCTAssertThrowsError(try HoldOut.balanced(labels: labels, classes: 3, perClass: 100, seed: 0))
    }

    func testLabelsOutOfRangeAreErrorsNamingThePosition() {
        var bad = labels
        bad[17] = 7
        XCTAssertThrowsError(try LongTail.subsample(labels: bad, classes: 3, imbalance: 10, seed: 0)) {
            XCTAssertTrue("\($0)".contains("label 7 at position 17"), "\($0)")
        }
        XCTAssertThrowsError(try LongTail.flipLabels(bad, classes: 3, rate: 0.1, seed: 0))
        XCTAssertThrowsError(try LongTail.subsample(labels: labels, classes: 3, imbalance: .nan, seed: 0))
        XCTAssertThrowsError(try LongTail.subsample(labels: labels, classes: 3, imbalance: 0.5, seed: 0))
    }

    func testFlipLabelsFlipsExactlyTheRateToOtherClasses() throws {
        let (noisy, flipped) = try LongTail.flipLabels(labels, classes: 3, rate: 0.2, seed: 9)
        XCTAssertEqual(flipped.count, 60)
        for i in labels.indices { XCTAssertEqual(noisy[i] != labels[i], flipped.contains(i)) }
        XCTAssertEqual(try LongTail.flipLabels(labels, classes: 3, rate: 0.2, seed: 9).labels, noisy)
        XCTAssertThrowsError(try LongTail.flipLabels(labels, classes: 3, rate: 1.5, seed: 0))
    }
}

final class FloodLevelSearchTests: XCTestCase {
    func trial(_ b: Double, _ val: Double, acc: Double = 0, settle: Double? = nil) -> FloodLevelSearch.Trial {
        FloodLevelSearch.Trial(level: b, validationLoss: val, metrics: ["accuracy": acc],
                               trainLoss: [2.3] + Array(repeating: settle ?? b, count: 40))
    }

    func testChoosesLowestValidationLossThenLowerLevel() throws {
        let search = try FloodLevelSearch(levels: [0, 0.1, 0.2, 0.3])
        let (trials, chosen) = try search.run { b in self.trial(b, [0: 1.9, 0.1: 0.9, 0.2: 0.7, 0.3: 0.7][b]!) }
        XCTAssertEqual(trials.map(\.level), [0, 0.1, 0.2, 0.3])
        XCTAssertEqual(chosen.level, 0.2, "ties go to the lower level")
        let byAccuracy = try FloodLevelSearch(levels: [0, 0.1], criterion: .metric(name: "accuracy", higherIsBetter: true))
        XCTAssertEqual(try byAccuracy.run { b in self.trial(b, 1, acc: b == 0 ? 0.7 : 0.8) }.chosen.level, 0.1)
        let missing = try FloodLevelSearch(levels: [0], criterion: .metric(name: "f1", higherIsBetter: true))
        XCTAssertThrowsError(try missing.run { b in self.trial(b, 1) }) { XCTAssertTrue("\($0)".contains("'f1'"), "\($0)") }
    }

    func testWarnsAboutPureAscentAndLevelsNeverReached() {
        XCTAssertTrue(trial(3, 1).warnings.first?.contains("only ascends") ?? false)
        XCTAssertTrue(trial(0.2, 1, settle: 0.9).warnings.first?.contains("never near b") ?? false)
        XCTAssertEqual(trial(0.2, 1).warnings, [])
        XCTAssertEqual(trial(0.2, 1).settledTrainLoss, 0.2, accuracy: 1e-12)
    }

    func testBadGridsAreErrors() {
        XCTAssertThrowsError(try FloodLevelSearch(levels: []))
        XCTAssertThrowsError(try FloodLevelSearch(levels: [0, -0.1]))
        XCTAssertThrowsError(try FloodLevelSearch(levels: [0.1, 0.1]))
        XCTAssertThrowsError(try FloodLevelSearch(levels: [.nan]))
    }
}
