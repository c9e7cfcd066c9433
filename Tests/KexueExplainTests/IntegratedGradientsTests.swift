import XCTest
import Foundation
@testable import KexueExplain
import Kexue

/// METHODS.md §7(c) invariants on a small Float64 MLP 16 → 32 (tanh) → 3 (softmax).
final class IntegratedGradientsTests: XCTestCase {
    struct MLP {
        let w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor  // [16, 32], [32], [32, 3], [3]
        init(seed: UInt64) {
            var rng = RandomGenerator(seed: seed)
            w1 = Tensor.normal([16, 32], std: 0.5, dtype: .float64, using: &rng)
            b1 = Tensor.normal([32], std: 0.1, dtype: .float64, using: &rng)
            w2 = Tensor.normal([32, 3], std: 0.5, dtype: .float64, using: &rng)
            b2 = Tensor.normal([3], std: 0.1, dtype: .float64, using: &rng)
        }
        func logits(_ x: Tensor) -> Tensor {  // [K, 16] → [K, 3]
            matmul((matmul(x, w1) + b1).tanh(), w2) + b2
        }
    }

    let mlp = MLP(seed: 7)
    lazy var x: Tensor = { var rng = RandomGenerator(seed: 11); return Tensor.normal([16], dtype: .float64, using: &rng) }()
    var zero: Tensor { Tensor.zeros([16], dtype: .float64) }

    func predicted() -> Int {
        let l = mlp.logits(x.reshaped([1, 16])).doubles
        return l.indices.max { l[$0] < l[$1] }!
    }

    func probabilityFunction() -> (Tensor) throws -> Tensor {
        let m = mlp
        return ClassOutput.probability.scalarFunction(target: predicted()) { m.logits($0) }
    }

    func testGaussLegendreIsExactForPolynomialsOfDegree2nMinus1() throws {
        for n in [1, 2, 3, 5, 8, 13, 40] {
            let (a, w) = try QuadratureRule.gaussLegendre.nodesAndWeights(n)
            XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-13)
            for p in 0...(2 * n - 1) {
                let integral = zip(a, w).map { pow($0, Double(p)) * $1 }.reduce(0, +)
                XCTAssertEqual(integral, 1 / Double(p + 1), accuracy: 1e-12, "n=\(n) p=\(p)")
            }
            XCTAssertTrue(zip(a, a.dropFirst()).allSatisfy { $0 < $1 } && a.first! > 0 && a.last! < 1)
        }
        // Known 3-point rule on [−1, 1]: ±√(3/5) with weight 5/9, 0 with weight 8/9.
        let (t, omega) = QuadratureRule.gaussLegendreOnMinusOneOne(3)
        XCTAssertEqual(t[2], (3.0 / 5).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(omega[1], 8.0 / 9, accuracy: 1e-15)
    }

    /// Least-squares slope of log|δ| against log n.
    func slope(_ method: QuadratureRule, _ ns: [Int]) throws -> Double {
        let f = probabilityFunction()
        var pts: [(Double, Double)] = []
        for n in ns {
            let r = try IntegratedGradients(steps: n, method: method).attribute(x, baselines: [zero], function: f)
            pts.append((log(Double(n)), log(Swift.abs(r.delta))))
        }
        let mx = pts.map(\.0).reduce(0, +) / Double(pts.count), my = pts.map(\.1).reduce(0, +) / Double(pts.count)
        let num = pts.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +)
        let den = pts.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +)
        return num / den
    }

    func testCompletenessConvergesAtTheRuleOrder() throws {
        let ns = [20, 40, 80, 160]
        for m in [QuadratureRule.riemannLeft, .riemannRight] {
            XCTAssertEqual(try slope(m, ns), -1, accuracy: 0.2, "\(m)")
        }
        for m in [QuadratureRule.riemannMiddle, .riemannTrapezoid] {
            XCTAssertEqual(try slope(m, ns), -2, accuracy: 0.3, "\(m)")
        }
        let gl = try IntegratedGradients(steps: 50).attribute(x, baselines: [zero], function: probabilityFunction())
        XCTAssertGreaterThan(Swift.abs(gl.outputDifference), 0.01)
        XCTAssertLessThan(Swift.abs(gl.delta), 1e-10)
    }

    func testLinearity() throws {
        let m = mlp
        let f1 = ClassOutput.logit.scalarFunction(target: 0) { m.logits($0) }
        let f2 = ClassOutput.probability.scalarFunction(target: 2) { m.logits($0) }
        let ig = IntegratedGradients(steps: 30)
        let a1 = try ig.attribute(x, baselines: [zero], function: f1).attributions.doubles
        let a2 = try ig.attribute(x, baselines: [zero], function: f2).attributions.doubles
        let both = try ig.attribute(x, baselines: [zero]) { try 2 * f1($0) - 3 * f2($0) }.attributions.doubles
        for i in 0..<16 { XCTAssertEqual(both[i], 2 * a1[i] - 3 * a2[i], accuracy: 1e-12) }
    }

    func testSymmetryAndDummy() throws {
        // F(x) = tanh(x0 + x1)·x2² ignores x3: symmetric in x0, x1 and with x3 a dummy.
        let f: (Tensor) -> Tensor = { b in  // [K, 4] → [K]
            let s = (b.sliced(axis: 1, 0, 1) + b.sliced(axis: 1, 1, 2)).tanh()
            let c = b.sliced(axis: 1, 2, 3)
            return (s * c * c).reshaped([b.shape[0]])
        }
        let input = Tensor(doubles: [0.7, 0.7, -1.3, 5], shape: [4])
        let base = Tensor(doubles: [0.1, 0.1, 0.2, -2], shape: [4])
        let a = try IntegratedGradients(steps: 40).attribute(input, baselines: [base], function: f)
        let v = a.attributions.doubles
        XCTAssertEqual(v[0], v[1], accuracy: 1e-14)
        XCTAssertEqual(v[3], 0)
        XCTAssertNotEqual(v[0], 0)
        XCTAssertEqual(a.delta, 0, accuracy: 1e-12)
    }

    func testInputEqualToBaselineGivesZeros() throws {
        let a = try IntegratedGradients().attribute(x, baselines: [x], function: probabilityFunction())
        XCTAssertEqual(a.attributions.doubles, [Double](repeating: 0, count: 16))
        XCTAssertEqual(a.delta, 0)
    }

    func testSwappingInputAndBaselineNegates() throws {
        var rng = RandomGenerator(seed: 3)
        let b = Tensor.normal([16], dtype: .float64, using: &rng)
        let f = probabilityFunction()
        for m in [QuadratureRule.riemannMiddle, .riemannTrapezoid, .gaussLegendre] {
            let ig = IntegratedGradients(steps: 17, method: m)
            let ab = try ig.attribute(x, baselines: [b], function: f).attributions.doubles
            let ba = try ig.attribute(b, baselines: [x], function: f).attributions.doubles
            for i in 0..<16 { XCTAssertEqual(ab[i], -ba[i], accuracy: 1e-13, "\(m)") }
        }
        // Left and right trade places.
        let l = try IntegratedGradients(steps: 9, method: .riemannLeft).attribute(x, baselines: [b], function: f).attributions.doubles
        let r = try IntegratedGradients(steps: 9, method: .riemannRight).attribute(b, baselines: [x], function: f).attributions.doubles
        for i in 0..<16 { XCTAssertEqual(l[i], -r[i], accuracy: 1e-13) }
    }

    func testChunkingInvarianceAndBaselineAveraging() throws {
        let f = probabilityFunction()
        var rng = RandomGenerator(seed: 5)
        let b1 = Tensor.normal([16], std: 0.3, dtype: .float64, using: &rng)
        let whole = try IntegratedGradients(steps: 50).attribute(x, baselines: [zero, b1], function: f)
        for chunk in [1, 7, 25, 50, 80] {
            let part = try IntegratedGradients(steps: 50, internalBatchSize: chunk).attribute(x, baselines: [zero, b1], function: f)
            for (p, w) in zip(part.attributions.doubles, whole.attributions.doubles) { XCTAssertEqual(p, w, accuracy: 1e-14) }
        }
        // Several baselines: the mean of the single-baseline IGs, complete against the mean F(x̄_j).
        let one = try IntegratedGradients(steps: 50).attribute(x, baselines: [zero], function: f).attributions.doubles
        let two = try IntegratedGradients(steps: 50).attribute(x, baselines: [b1], function: f).attributions.doubles
        for i in 0..<16 { XCTAssertEqual(whole.attributions.doubles[i], (one[i] + two[i]) / 2, accuracy: 1e-14) }
        XCTAssertEqual(whole.delta, 0, accuracy: 1e-10)
    }

    func testBadInputErrors() {
        let m = mlp
        let f = ClassOutput.logit.scalarFunction(target: 3) { m.logits($0) }
        XCTAssertThrowsError(try IntegratedGradients().attribute(x, baselines: [zero], function: f)) {
            XCTAssertEqual($0 as? IntegratedGradientsError, .targetOutOfRange(target: 3, classes: 3))
            XCTAssertTrue("\($0)".contains("target class 3"))
        }
        let g = probabilityFunction()
        XCTAssertThrowsError(try IntegratedGradients().attribute(x, baselines: [Tensor.zeros([15], dtype: .float64)], function: g)) {
            XCTAssertEqual($0 as? IntegratedGradientsError, .baselineShape(expected: [16], got: [15]))
        }
        XCTAssertThrowsError(try IntegratedGradients(steps: 0).attribute(x, baselines: [zero], function: g)) {
            XCTAssertEqual($0 as? IntegratedGradientsError, .badSteps(0))
        }
        XCTAssertThrowsError(try IntegratedGradients(steps: 1, method: .riemannTrapezoid).attribute(x, baselines: [zero], function: g))
        XCTAssertThrowsError(try IntegratedGradients(internalBatchSize: 0).attribute(x, baselines: [zero], function: g))
        XCTAssertThrowsError(try IntegratedGradients().attribute(x, baselines: [], function: g))
    }
}
