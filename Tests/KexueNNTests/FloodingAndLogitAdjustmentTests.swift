import XCTest
import Foundation
@testable import KexueNN

/// Invariants of METHODS.md §1 (flooding) and §2 (logit adjustment), in Float64.
final class FloodingTests: XCTestCase {
    func perExample(_ seed: UInt64, _ n: Int = 6) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.uniform([n], low: 0.1, high: 1.5, dtype: .float64, using: &rng).requiringGrad()
    }

    func testZeroLevelIsThePlainLossInBothModes() throws {
        for mode in [Flooding.Mode.batch, .perSample] {
            let l = perExample(1)
            let f = try Flooding(level: 0, mode: mode)
            XCTAssertEqual(f.apply(l).item, l.mean().item, accuracy: 1e-15)
            XCTAssertEqual(gradients(of: f.apply(l), wrt: [l])[0].doubles, gradients(of: l.mean(), wrt: [l])[0].doubles)
        }
    }

    func testAllLossesAboveLevelMakeIFloodEqualBatchFlooding() throws {
        let l = perExample(2)  // all ≥ 0.1
        let b = try Flooding(level: 0.05, mode: .batch), p = try Flooding(level: 0.05, mode: .perSample)
        XCTAssertEqual(b.apply(l).item, p.apply(l).item, accuracy: 1e-15)
        XCTAssertEqual(b.apply(l).item, l.mean().item, accuracy: 1e-15)
    }

    func testBelowLevelTheGradientIsExactlyReversed() throws {
        let l = perExample(3)
        let f = try Flooding(level: 10, mode: .batch)
        let g = gradients(of: f.apply(l), wrt: [l])[0].doubles
        let plain = gradients(of: l.mean(), wrt: [l])[0].doubles
        XCTAssertEqual(g, plain.map { -$0 })
    }

    func testBadLevelsAreRejected() {
        XCTAssertThrowsError(try Flooding(level: -0.1))
        XCTAssertThrowsError(try Flooding(level: .nan))
    }

    /// Su's analysis: a descent step then an ascent step of size η move θ by −(η²/2)∇‖∇L‖² + O(η³).
    /// On L(θ) = Σ log cosh(Aθ − c), halving η divides the error by ≈ 8.
    func testTwoStepIsGradientPenaltyUpToThirdOrder() {
        var rng = RandomGenerator(seed: 4)
        let a = Tensor.normal([5, 3], dtype: .float64, using: &rng), c = Tensor.normal([5], dtype: .float64, using: &rng)
        let theta0 = Tensor.normal([3], dtype: .float64, using: &rng)
        func grad(_ t: Tensor) -> Tensor {
            let v = t.detached().requiringGrad()
            let r = matmul(a, v.reshaped([3, 1])).reshaped([5]) - c
            // log cosh(r) = r + softplus(−2r) − log 2, stable
            let loss = (r + (-2 * r).softplus() - Foundation.log(2.0)).sum()
            return gradients(of: loss, wrt: [v])[0]
        }
        // ∇‖∇L‖² = 2·H·g by central differences of ∇L along g.
        let g0 = grad(theta0)
        let h = 1e-5
        let hg = (grad(theta0 + h * g0) - grad(theta0 - h * g0)) / (2 * h)
        let penaltyGradient = 2 * hg
        func error(_ eta: Double) -> Double {
            let t1 = theta0 - eta * grad(theta0)
            let t2 = t1 + eta * grad(t1)
            let d = (t2 - theta0) + (eta * eta / 2) * penaltyGradient
            return (d * d).sum().sqrt().item
        }
        let e1 = error(0.02), e2 = error(0.01)
        XCTAssertEqual(e1 / e2, 8, accuracy: 1.2, "error ratio \(e1 / e2) (errors \(e1), \(e2))")
    }
}

final class LogitAdjustmentTests: XCTestCase {
    let logits = Tensor(doubles: [1, 2, 0.5, -1, 0.3, 0.9, 2, -0.5, 0], shape: [3, 3])
    let targets = Tensor(indices: [0, 2, 1], shape: [3])

    func testUniformPriorOrZeroTauIsPlainCrossEntropy() throws {
        let ce = crossEntropy(logits: logits, targets: targets).item
        XCTAssertEqual(try logitAdjustedCrossEntropy(logits: logits, targets: targets, prior: ClassPrior(counts: [5, 5, 5])).item, ce, accuracy: 1e-14)
        XCTAssertEqual(try logitAdjustedCrossEntropy(logits: logits, targets: targets, prior: ClassPrior(counts: [90, 9, 1]), tau: 0).item, ce, accuracy: 1e-14)
        let same = try adjustedScores(logits, prior: ClassPrior(counts: [7, 7, 7]), trainedWith: .plainCrossEntropy, mode: .balanced)
        XCTAssertEqual(same.argmax(axis: -1).int32s, logits.argmax(axis: -1).int32s)
    }

    func testConstantShiftOfTheLogPriorChangesNothing() throws {
        let p1 = try ClassPrior(counts: [90, 9, 1])
        let shifted = logits + Tensor(doubles: [3.7, 3.7, 3.7], shape: [3])
        let a = try logitAdjustedCrossEntropy(logits: logits, targets: targets, prior: p1).item
        let b = crossEntropy(logits: shifted + p1.offset(tau: 1, dtype: .float64), targets: targets).item
        XCTAssertEqual(a, b, accuracy: 1e-13)
    }

    func testGradientIsShiftedSoftmaxMinusOneHot() throws {
        let prior = try ClassPrior(counts: [90, 9, 1])
        let f = logits.detached().requiringGrad()
        let loss = try logitAdjustedCrossEntropy(logits: f, targets: targets, prior: prior, tau: 1.5, reduction: .sum)
        let g = gradients(of: loss, wrt: [f])[0].doubles
        let expected = ((logits + prior.offset(tau: 1.5, dtype: .float64)).softmax() - Tensor.oneHot(targets, classes: 3, dtype: .float64)).doubles
        for (x, y) in zip(g, expected) { XCTAssertEqual(x, y, accuracy: 1e-14) }
        let check = gradCheck([logits]) { try! logitAdjustedCrossEntropy(logits: $0[0], targets: self.targets, prior: prior, tau: 1.5) }
        XCTAssertTrue(check.passed, "\(check)")
    }

    func testPriorBroadcastsAndChecksClassCount() throws {
        let prior = try ClassPrior(counts: [3, 2, 1])
        let l3 = Tensor.zeros([2, 4, 3], dtype: .float64)
        XCTAssertEqual(try logitAdjustedCrossEntropy(logits: l3, targets: Tensor(indices: [0, 1, 2, 0, 1, 2, 0, 1], shape: [2, 4]), prior: prior).shape, [])
        XCTAssertThrowsError(try logitAdjustedCrossEntropy(logits: Tensor.zeros([2, 4], dtype: .float64), targets: Tensor(indices: [0, 1]), prior: prior))
    }

    func testZeroCountClassIsAnErrorUnlessAllowed() throws {
        XCTAssertThrowsError(try ClassPrior(counts: [5, 0, 1])) { XCTAssertTrue("\($0)".contains("class 1 has no training examples"), "\($0)") }
        let p = try ClassPrior(counts: [5, 0, 1], allowEmptyClasses: true)
        XCTAssertTrue(p.logPrior.allSatisfy(\.isFinite))
        XCTAssertThrowsError(try logitAdjustedCrossEntropy(logits: logits, targets: targets, prior: p, tau: -1))
        XCTAssertThrowsError(try logitAdjustedCrossEntropy(logits: logits, targets: targets, prior: p, tau: .nan))
    }

    func testBalancedErrorOfPerfectAndConstantClassifiers() {
        let labels: [Int32] = [0, 0, 1, 2, 2, 2, 3, 1]
        XCTAssertEqual(ClassificationMetrics(predictions: labels, labels: labels, classes: 4).balancedError, 0)
        XCTAssertEqual(ClassificationMetrics(predictions: labels.map { _ in 2 }, labels: labels, classes: 4).balancedError, 0.75, accuracy: 1e-15)
    }

    func testLongTailCountsAndSeededSubsample() throws {
        XCTAssertEqual(LongTail.counts(nMax: 5000, imbalance: 100, classes: 10).first, 5000)
        XCTAssertEqual(LongTail.counts(nMax: 5000, imbalance: 100, classes: 10).last, 50)
        var labels: [Int32] = []
        for k in 0..<10 { labels += Array(repeating: Int32(k), count: 600) }
        let a = try LongTail.subsample(labels: labels, classes: 10, imbalance: 100, seed: 1)
        XCTAssertEqual(a, try LongTail.subsample(labels: labels, classes: 10, imbalance: 100, seed: 1))
        XCTAssertNotEqual(a, try LongTail.subsample(labels: labels, classes: 10, imbalance: 100, seed: 2))
        var counts = [Int](repeating: 0, count: 10)
        for i in a { counts[Int(labels[i])] += 1 }
        XCTAssertEqual(counts, LongTail.counts(nMax: 600, imbalance: 100, classes: 10))
    }
}
