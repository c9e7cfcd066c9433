import XCTest
import Kexue
import KexueNN
@testable import KexueVision

/// Shapes, bounds and a short learning run of the NVAE and the conv VAE baseline.
final class NVAEModelTests: XCTestCase {
    /// A smaller NVAE for fast tests (same structure: 2 scales, adaptive groups).
    static var tiny: NVAEConfig {
        var c = NVAEConfig()
        c.stemChannels = 4
        c.groupsPerScale = [1, 2]
        c.latentChannels = 4
        c.decoderExpansion = 2
        c.postprocessExpansion = 2
        return c
    }

    static func binaryBatch(_ n: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        // Blobs rather than noise: a digit-like stroke in the middle.
        var px = [Float](repeating: 0, count: n * 784)
        for i in 0..<n { for r in 8..<20 { for c in (10 + i % 4)..<(14 + i % 4) { px[i * 784 + r * 28 + c] = 1 } } }
        return BinarizedMNIST.binarize(Tensor(px, shape: [n, 1, 28, 28]), using: &rng)
    }

    func testMiniatureShapes() {
        let model = NVAE(.miniature, seed: 1)
        XCTAssertEqual(model.groupNames.count, 6)
        XCTAssertTrue(model.groupNames[0].contains("20×4×4") && model.groupNames[5].contains("20×8×8"))
        var rng = RandomGenerator(seed: 2)
        let x = Self.binaryBatch(2, seed: 3)
        let pass = withoutGrad { model.pass(x, using: &rng) }
        XCTAssertEqual(pass.logits.shape, [2, 1, 28, 28])
        XCTAssertEqual(pass.kl.count, 6)
        XCTAssertEqual(pass.posteriorMeans.map { $0.shape[1] }, [320, 320, 1280, 1280, 1280, 1280])
        XCTAssertTrue(pass.kl.allSatisfy { $0.shape == [2] && $0.floats.allSatisfy { $0.isFinite && $0 >= -1e-3 } })
        XCTAssertEqual(withoutGrad { model.generate(count: 3, temperature: 0.7, using: &rng) }.shape, [3, 1, 28, 28])
        // Every cell is reached by parameter reflection: the count equals the PyTorch peer's
        // (benchmarks/peer_nvae.py, the same miniature) exactly.
        XCTAssertEqual(model.parameterCount(), 2_195_030)
        let vae = ConvVAE(seed: 1)
        let ratio = Double(vae.parameterCount()) / Double(model.parameterCount())
        XCTAssertTrue(ratio > 0.9 && ratio < 1.1, "baseline \(vae.parameterCount()) vs NVAE \(model.parameterCount()) parameters")
    }

    /// k samples with the encoder run once equal one pass over k stacked copies of the batch
    /// (same random draws), for both models in eval mode — what importance sampling relies on.
    func testSeveralSamplesEqualAPassOverStackedCopies() {
        let x = Self.binaryBatch(3, seed: 5)
        let models: [any LatentVariableModel] = [NVAE(Self.tiny, seed: 2), ConvVAE(seed: 2)]
        for model in models {
            model.eval()
            var r1 = RandomGenerator(seed: 6), r2 = RandomGenerator(seed: 6)
            let once = withoutGrad { model.pass(x, samples: 4, using: &r1) }
            let stacked = withoutGrad { model.pass(concat(Array(repeating: x, count: 4), axis: 0), using: &r2) }
            let name = String(describing: type(of: model))
            XCTAssertEqual(once.logits.shape, [12, 1, 28, 28], name)
            for (a, b) in [(once.logits, stacked.logits), (once.logQ, stacked.logQ), (once.logP, stacked.logP)] + zip(once.kl, stacked.kl).map({ ($0, $1) }) {
                let worst = zip(a.floats, b.floats).map { Swift.abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, name)
            }
        }
    }

    func testFactorizedReduceAndUpsampleSkipShapes() {
        var rng = RandomGenerator(seed: 4)
        let x = Tensor.normal([2, 6, 8, 8], using: &rng)
        XCTAssertEqual(FactorizedReduce(6, 12, using: &rng)(x).shape, [2, 12, 4, 4])
        XCTAssertEqual(UpsampleSkip(6, 3, using: &rng)(x).shape, [2, 3, 16, 16])
        XCTAssertEqual(EncoderCell(6, down: true, using: &rng)(x).shape, [2, 12, 4, 4])
        XCTAssertEqual(DecoderCell(6, expansion: 2, up: true, using: &rng)(x).shape, [2, 3, 16, 16])
        // The residual branch is scaled by 0.1: a fresh cell stays close to its identity skip.
        let cell = EncoderCell(6, down: false, using: &rng)
        let y = withoutGrad { cell(x) }
        let diff = zip(y.floats, x.floats).map { Double(abs($0 - $1)) }.max()!
        XCTAssertLessThan(diff, 1.0)
        XCTAssertGreaterThan(diff, 0)
    }

    func testTemperatureMustBePositive() {
        let model = NVAE(Self.tiny, seed: 1)
        var rng = RandomGenerator(seed: 1)
        XCTAssertThrowsError(try VAESampling.sample(model, count: 4, temperature: 0, reestimationPasses: 1, using: &rng)) {
            XCTAssertTrue("\($0)".contains("temperature"))
        }
        XCTAssertThrowsError(try VAESampling.sample(model, count: 4, temperature: -0.5, reestimationPasses: 1, using: &rng))
        XCTAssertEqual(try VAESampling.sample(model, count: 4, temperature: 0.8, reestimationPasses: 2, using: &rng).count, 4)
    }

    /// The importance-weighted bound is tighter than the ELBO: per image, log p̂_k ≥ the mean of
    /// the same k log-weights (Jensen), and on the batch IW-NLL(k) ≤ the NELBO from independent
    /// one-sample passes (averaged over 8 draws) for the hierarchical model, whose bound gap is large.
    func testImportanceWeightedNLLIsBelowTheNELBO() {
        for model in [NVAE(Self.tiny, seed: 5) as any LatentVariableModel, ConvVAE(width: 4, latentDim: 8, seed: 5)] {
            model.eval()
            let x = Self.binaryBatch(8, seed: 6)
            var rng = RandomGenerator(seed: 7)
            var nelbo = 0.0
            for _ in 0..<8 {
                let pass = withoutGrad { model.pass(x, using: &rng) }
                nelbo += withoutGrad { 0 - pass.logLikelihood(x) + pass.kl.dropFirst().reduce(pass.kl[0], +) }.doubles.reduce(0, +) / 8 / 8
            }
            let w = VAEEvaluation.logWeights(model, x: x, k: 16, chunk: 4, using: &rng)
            let iwPerImage = w.map { ws in ws.max()! + log(ws.reduce(0) { $0 + exp($1 - ws.max()!) } / 16) }
            for (iw, ws) in zip(iwPerImage, w) { XCTAssertGreaterThanOrEqual(iw, ws.reduce(0, +) / 16 - 1e-9) }
            let iwNLL = -iwPerImage.reduce(0, +) / 8
            XCTAssertTrue(iwNLL.isFinite && iwNLL > 0)
            if model is NVAE { XCTAssertLessThan(iwNLL, nelbo, "IW-NLL \(iwNLL) vs NELBO \(nelbo)") }
        }
    }

    /// A resumed or sharded evaluation equals an uninterrupted one: each batch draws its own seeded
    /// samples, so batches taken from a journal give the same IW-NLL, and only missing batches are
    /// computed (and reported to `finished`).
    func testEvaluationResumedFromFinishedBatchesEqualsTheWholeRun() throws {
        let model = NVAE(Self.tiny, seed: 11)
        let x = Self.binaryBatch(10, seed: 12)
        let data = ImageDataset(pixels: x.floats, labels: [Int32](repeating: 0, count: 10), height: 28, width: 28, classes: 10)
        var computed: [Int] = []
        let whole = VAEEvaluation.evaluate(model, data: data, k: 3, batchSize: 4, seed: 5) { b, _ in computed.append(b) }
        XCTAssertEqual(computed, [0, 1, 2])
        // Batch 1 "from a journal", computed out of order by another process.
        let earlier = VAEEvaluation.batchLogLikelihoods(model, data: data, batch: 1, batchSize: 4, k: 3, seed: 5)
        computed = []
        let resumed = VAEEvaluation.evaluate(model, data: data, k: 3, batchSize: 4, seed: 5, done: [1: earlier]) { b, _ in computed.append(b) }
        XCTAssertEqual(computed, [0, 2])
        XCTAssertEqual(resumed.nll, whole.nll, accuracy: 1e-12)
        XCTAssertEqual(resumed.nelbo, whole.nelbo, accuracy: 1e-12)
        XCTAssertEqual(resumed.activeUnits, whole.activeUnits)
        // Another seed draws other samples.
        XCTAssertNotEqual(try VAEEvaluation.evaluate(model, data: data, k: 3, batchSize: 4, seed: 6).nll, whole.nll)
    }

    /// A few Adamax steps on one fixed batch lower the NELBO (KL warm-up on, spectral penalty on).
    func testTrainingStepsLowerTheNELBO() {
        let model = NVAE(Self.tiny, seed: 8)
        let x = Self.binaryBatch(16, seed: 9)
        var rng = RandomGenerator(seed: 10)
        model.dataDependentInit(x, using: &rng)
        let optimizer = Adamax(model.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: 5e-3,
                               epsilon: 1e-3, weightDecay: 3e-4)
        let objective = VAEObjective(totalSteps: 100, groupsPerScale: model.groupsPerScale)
        var nelbos: [Double] = []
        for step in 0..<25 {
            optimizer.zeroGrad()
            let t = objective.terms(model.pass(x, using: &rng), x: x, step: step, model: model, using: &rng)
            t.loss.backward()
            optimizer.step()
            nelbos.append(t.nelbo)
            XCTAssertEqual(t.gamma.reduce(0, +) / Double(t.gamma.count), 1, accuracy: 1e-9)
            XCTAssertGreaterThan(t.penalty, 0)
        }
        XCTAssertLessThan(nelbos.suffix(5).reduce(0, +) / 5, 0.7 * nelbos[0], "NELBO \(nelbos[0]) → \(nelbos.suffix(5))")
    }
}
