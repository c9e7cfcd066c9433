import XCTest
import Kexue
import KexueNN
@testable import KexueVision

/// METHODS.md §6(c) invariants of NVAE's pieces.
final class NVAEInvariantTests: XCTestCase {
    private func doubles(_ shape: [Int], _ rng: inout RandomGenerator, low: Double = -2, high: Double = 2) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, dtype: .float64, using: &rng)
    }

    func testResidualNormalKLEqualsGenericGaussianKL() {
        var rng = RandomGenerator(seed: 1)
        let shape = [4, 20, 3, 3]
        let muP = doubles(shape, &rng), sigmaP = doubles(shape, &rng, low: 0.05, high: 3)
        let dMu = doubles(shape, &rng), dSigma = doubles(shape, &rng, low: 0.05, high: 3)
        let prior = DiagonalGaussian(mu: muP, sigma: sigmaP)
        let posterior = DiagonalGaussian(mu: muP + dMu, sigma: sigmaP * dSigma)
        let generic = posterior.kl(to: prior).doubles
        let residual = DiagonalGaussian.residualKL(deltaMu: dMu, deltaSigma: dSigma, priorSigma: sigmaP).doubles
        var worst = 0.0
        for (a, b) in zip(generic, residual) { worst = max(worst, abs(a - b)) }
        XCTAssertLessThan(worst, 1e-12)
        XCTAssertTrue(generic.allSatisfy { $0 > 0 }, "KL > 0 when Δμ ≠ 0 or Δσ ≠ 1")

        // Zero iff Δμ = 0 and Δσ = 1.
        let zero = DiagonalGaussian(mu: muP, sigma: sigmaP).kl(to: prior).doubles
        XCTAssertTrue(zero.allSatisfy { abs($0) < 1e-15 })
        let onlyMu = DiagonalGaussian.residualKL(deltaMu: Tensor.full(1e-3, shape: shape, dtype: .float64),
                                                 deltaSigma: Tensor.ones(shape, dtype: .float64), priorSigma: sigmaP).doubles
        XCTAssertTrue(onlyMu.allSatisfy { $0 > 0 })
        let onlySigma = DiagonalGaussian.residualKL(deltaMu: Tensor.zeros(shape, dtype: .float64),
                                                    deltaSigma: Tensor.full(1.01, shape: shape, dtype: .float64), priorSigma: sigmaP).doubles
        XCTAssertTrue(onlySigma.allSatisfy { $0 > 0 })
    }

    func testGaussianKLAndLogProbGradients() {
        var rng = RandomGenerator(seed: 2)
        let inputs = [doubles([2, 3], &rng), doubles([2, 3], &rng), doubles([2, 3], &rng), doubles([2, 3], &rng), doubles([2, 3], &rng)]
        let r = gradCheck(inputs) { v in
            let q = DiagonalGaussian(mu: v[0], logSigma: v[1]), p = DiagonalGaussian(mu: v[2], logSigma: v[3])
            return q.kl(to: p).sum() + q.logProb(v[4]).sum()
        }
        XCTAssertTrue(r.passed, "\(r)")
    }

    func testSoftClampAndSigmaFloor() {
        let big = Tensor([-100, -5, 0, 5, 100], shape: [5])
        let d = DiagonalGaussian(mu: big, logSigma: big)
        XCTAssertTrue(d.mu.floats.allSatisfy { abs($0) <= 5 })
        XCTAssertLessThan(Double(d.mu.floats[3]), 5 * tanh(1.0) + 1e-5)
        XCTAssertEqual(Double(d.mu.floats[2]), 0, accuracy: 1e-7)
        XCTAssertTrue(d.sigma.floats.allSatisfy { $0 > 0.01 && $0 < Float(exp(5.0) + 0.011) })
        let hot = DiagonalGaussian(mu: big, logSigma: big, temperature: 0.5)
        for (a, b) in zip(hot.sigma.floats, d.sigma.floats) { XCTAssertEqual(Double(a), 0.5 * Double(b), accuracy: 1e-5 * Double(b)) }
    }

    /// σ_max of a fixed random 64×576 matrix: the reference is the square root of the top
    /// eigenvalue of W·Wᵀ by 20,000 Float64 power iterations; the persistent iteration (40 on the
    /// first call, 4 per call after) must be within 1 % after 20 calls.
    func testPowerIterationReachesTheTopSingularValue() {
        var rng = RandomGenerator(seed: 3)
        let w = Tensor.normal([64, 576], dtype: .float64, using: &rng)
        let gram = matmul(w, w, transposeB: true).doubles  // [64, 64]
        var x = [Double](repeating: 1, count: 64), lambda = 0.0
        for _ in 0..<20_000 {
            var y = [Double](repeating: 0, count: 64)
            for i in 0..<64 { var s = 0.0; for j in 0..<64 { s += gram[i * 64 + j] * x[j] }; y[i] = s }
            let norm = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
            lambda = norm / x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            x = y.map { $0 / norm }
        }
        let reference = lambda.squareRoot()
        let u = Tensor.zeros([64], dtype: .float64), v = Tensor.zeros([576], dtype: .float64)
        var estimate = 0.0
        for _ in 0..<20 {
            SpectralRegularization.powerIterate(w, u: u, v: v, using: &rng)
            estimate = SpectralRegularization.sigmaMax(w, u: u, v: v).item
        }
        XCTAssertLessThan(abs(estimate - reference) / reference, 0.01, "σ_max \(estimate) vs reference \(reference)")
        XCTAssertLessThanOrEqual(estimate, reference * (1 + 1e-9), "uᵀWv never exceeds σ_max for unit u, v")
        // The gradient of uᵀWv in W is u·vᵀ.
        let wv = Tensor(doubles: w.doubles, shape: w.shape).requiringGrad()
        let g = gradients(of: SpectralRegularization.sigmaMax(wv, u: u, v: v), wrt: [wv])[0].doubles
        let (ud, vd) = (u.doubles, v.doubles)
        XCTAssertEqual(g[5 * 576 + 7], ud[5] * vd[7], accuracy: 1e-12)
        XCTAssertEqual(g[63 * 576 + 575], ud[63] * vd[575], accuracy: 1e-12)
    }

    func testWeightNormalisedRowsHaveNormExpG() {
        var rng = RandomGenerator(seed: 4)
        let conv = NVAEConv2d(8, 6, kernel: 3, using: &rng)
        conv.logWeightNorm!.assign(Tensor.uniform([6, 1, 1, 1], low: -1, high: 1, using: &rng))
        let w = conv.normalizedWeight().floats, g = conv.logWeightNorm!.floats
        for o in 0..<6 {
            let row = w[(o * 72)..<((o + 1) * 72)]
            let norm = row.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(norm, exp(Double(g[o])), accuracy: 1e-4 * exp(Double(g[o])))
        }
        // At initialisation W = V·‖V‖/(‖V‖ + 1e-5)·(‖V‖ + 1e-2)/‖V‖ ≈ V.
        let fresh = NVAEConv2d(8, 6, kernel: 3, using: &rng)
        for (a, b) in zip(fresh.normalizedWeight().floats, fresh.weight.floats) { XCTAssertEqual(a, b, accuracy: 0.02 * abs(b) + 1e-6) }
    }

    func testDataDependentInitGivesUnitScaleOutputs() {
        var rng = RandomGenerator(seed: 5)
        let conv = NVAEConv2d(3, 4, kernel: 3, using: &rng)
        let x = Tensor.normal([8, 3, 6, 6], mean: 2, std: 3, using: &rng)
        conv.pendingDataInit = true
        let y = withoutGrad { conv(x) }
        let mean = y.mean(axes: [0, 2, 3]).floats, std = y.variance(axes: [0, 2, 3], unbiased: true).sqrt().floats
        for c in 0..<4 {
            XCTAssertEqual(Double(mean[c]), 0, accuracy: 1e-4)
            XCTAssertEqual(Double(std[c]), 0.2, accuracy: 1e-3)
        }
    }

    func testSqueezeExcitationGatesLieStrictlyBetweenZeroAndOne() {
        var rng = RandomGenerator(seed: 6)
        let se = SqueezeExcitation(64, using: &rng)
        XCTAssertEqual(se.reduce.outFeatures, 4, "hidden width max(C/16, 4)")
        let x = Tensor.normal([4, 64, 5, 5], std: 3, using: &rng)
        let gate = se.gate(x).floats
        XCTAssertTrue(gate.allSatisfy { $0 > 0 && $0 < 1 })
        let y = se(x)
        XCTAssertEqual(y.shape, x.shape)
        XCTAssertTrue(zip(y.floats, x.floats).allSatisfy { abs($0) <= abs($1) })
    }

    func testKLWarmUpFollowsItsFormula() {
        let total = 1000
        XCTAssertEqual(KLSchedule.beta(step: 0, totalSteps: total), 1e-4)
        XCTAssertEqual(KLSchedule.beta(step: 151, totalSteps: total), (151 - 0.1) / 300, accuracy: 1e-15)
        XCTAssertEqual(KLSchedule.beta(step: 300, totalSteps: total), (300 - 0.1) / 300, accuracy: 1e-15)
        XCTAssertEqual(KLSchedule.beta(step: 301, totalSteps: total), 1)
        XCTAssertEqual(KLSchedule.beta(step: 999, totalSteps: total), 1)
    }

    func testKLBalancingCoefficients() {
        let alpha = KLSchedule.alpha(groupsPerScale: [2, 4])
        XCTAssertEqual(alpha, [1, 1, 2, 2, 2, 2], "α = 4^s/G_s over the minimum: 1/2 at 4×4, 4/4 at 8×8")
        XCTAssertEqual(KLSchedule.alpha(groupsPerScale: [5, 10]), Array(repeating: 1, count: 5) + Array(repeating: 2, count: 10))
        let kl: [[Double]] = [[1, -3], [10, 10], [0, 0], [4, 6], [2, 2], [0.5, 1.5]]
        let gamma = KLSchedule.balance(klPerGroup: kl, alpha: alpha, beta: 0.5)
        XCTAssertEqual(gamma.reduce(0, +) / 6, 1, accuracy: 1e-12, "γ has mean 1")
        let c = [2.01, 10.01, 0.01, 5.01, 2.01, 1.01]
        let raw = zip(c, alpha).map { $0 / $1 }
        for l in 0..<6 { XCTAssertEqual(gamma[l] / gamma[0], raw[l] / raw[0], accuracy: 1e-12) }
        XCTAssertEqual(KLSchedule.balance(klPerGroup: kl, alpha: alpha, beta: 1), Array(repeating: 1, count: 6))
    }

    func testBatchNormReestimationAveragesTheBatchStatistics() throws {
        final class Net: Module { let bn = BatchNorm(3, momentum: 0.05) }
        let net = Net()
        var rng = RandomGenerator(seed: 7)
        let batches = (0..<5).map { i in Tensor.normal([16, 3, 2, 2], mean: Double(i), std: 1 + Double(i), using: &rng) }
        var i = 0
        try BatchNormReestimation.run(net, passes: 5) { _ = net.bn(batches[i]); i += 1 }
        XCTAssertFalse(net.isTraining)
        XCTAssertEqual(net.bn.momentum, 0.05, "momentum restored")
        let expectedMean = (0..<3).map { c in batches.map { Double($0.mean(axes: [0, 2, 3]).floats[c]) }.reduce(0, +) / 5 }
        let expectedVar = (0..<3).map { c in batches.map { Double($0.variance(axes: [0, 2, 3], unbiased: true).floats[c]) }.reduce(0, +) / 5 }
        for c in 0..<3 {
            XCTAssertEqual(Double(net.bn.runningMean.floats[c]), expectedMean[c], accuracy: 1e-4)
            XCTAssertEqual(Double(net.bn.runningVar.floats[c]), expectedVar[c], accuracy: 1e-3)
        }
        // Non-finite statistics are an error, not silently kept.
        XCTAssertThrowsError(try BatchNormReestimation.run(net, passes: 1) { _ = net.bn(Tensor.full(.nan, shape: [4, 3, 2, 2])) })
    }

    func testActiveUnitsCountDimensionsThatVaryAcrossImages() {
        // 4 images × 5 dims: dims 0 and 3 vary (variance 1 and 0.25), dim 1 barely (0.0025), 2 and 4 constant.
        let m: [Float] = [1, 0.05, 2, 0.5, 7,  -1, -0.05, 2, -0.5, 7,  1, 0.05, 2, 0.5, 7,  -1, -0.05, 2, -0.5, 7]
        XCTAssertEqual(VAEEvaluation.activeUnits(Tensor(m, shape: [4, 5])), 2)
    }
}
