import Foundation
import Kexue
import KexueNN

/// Trains NVAE or the conv VAE on dynamically binarised MNIST in a run folder (METHODS.md §6):
/// Adamax (β 0.9/0.999, eps 1e-3, coupled weight decay), linear warm-up then cosine to 1e-4, KL
/// warm-up and balancing, spectral regularisation.
///
/// NaN/Inf (NVAE's best-known failure): before the optimizer step, a non-finite loss or gradient
/// skips the update; the batch is re-run with a trace to name the first non-finite layer; training
/// then resumes from the last good checkpoint with the learning rate scaled by `recoveryFactor`
/// (at most `maxRecoveries` times).
public struct VAETraining {
    public var epochs = 30
    public var batchSize = 64
    public var learningRate = 5e-3
    public var minLearningRate = 1e-4
    public var warmupEpochs = 1.0
    public var weightDecay = 3e-4
    public var spectralLambda = 1e-2
    public var seed: UInt64 = 0
    /// Multiplies every learning rate (a resumed run after a NaN can be given a lower one).
    public var learningRateScale = 1.0
    public var recoveryFactor = 0.5
    public var maxRecoveries = 3
    public var checkpointEverySteps = 0
    /// Stop (with a checkpoint, resumable) after this many steps in all; the schedule stays that of
    /// the full run (sanity runs, smoke tests).
    public var maxSteps: Int? = nil
    public var progressEvery = 50
    public var dataDependentInit = true
    /// Test hook: at this step (once) one weight of the middle parameter becomes NaN before the
    /// forward pass, as a diverged update would leave it — exercises detection and recovery.
    public var injectNaNAtStep: Int? = nil

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        public var steps: Int
        public var trainSeconds: Double
        public var firstNELBO: Double?
        public var lastNELBO: Double?
        public var recoveries: [String]
        public var learningRateScale: Double
    }

    public func run(model: some LatentVariableModel, train: ImageDataset, dir: URL, config: [String: Any],
                    resume: Bool) throws -> Result {
        precondition(train.height == 28 && train.width == 28, "VAETraining: expects 28×28 images, got \(train.height)×\(train.width)")
        var scale = learningRateScale
        var recoveries: [String] = []
        var resuming = resume
        var firstNELBO: Double? = nil, lastNELBO: Double? = nil
        var injected = false
        let start = Date()
        while true {
            let optimizer = Adamax(model.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: learningRate,
                                   betas: (0.9, 0.999), epsilon: 1e-3, weightDecay: weightDecay)
            var full = config
            full["epochs"] = epochs; full["batch_size"] = batchSize; full["lr"] = learningRate
            full["min_lr"] = minLearningRate; full["weight_decay"] = weightDecay; full["spectral_lambda"] = spectralLambda
            full["seed"] = Int(seed); full["parameters"] = model.parameterCount()
            let run = try TrainingRun(dir: dir, config: full, model: model, optimizer: optimizer, seed: seed, resume: resuming)
            run.checkpointEverySteps = checkpointEverySteps
            run.progressEvery = progressEvery
            let loader = BatchLoader(count: train.count, batchSize: batchSize, shuffle: true, dropLast: true, seed: seed)
            precondition(loader.batchesPerEpoch > 0, "VAETraining: \(train.count) images is less than one batch of \(batchSize)")
            let total = epochs * loader.batchesPerEpoch
            let schedule = LRSchedule.warmupCosine(peak: learningRate, floor: minLearningRate,
                                                   warmupSteps: Int(warmupEpochs * Double(loader.batchesPerEpoch)), totalSteps: total)
            let objective = VAEObjective(totalSteps: total, groupsPerScale: model.groupsPerScale, spectralLambda: spectralLambda)
            var diagnosis = ""
            model.train()
            do {
                let outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
                    var rng = Random.withGlobal { $0.split() }
                    let x = BinarizedMNIST.binarize(train.batch(indices).images, using: &rng)
                    if step == 0 && dataDependentInit { model.dataDependentInit(x, using: &rng) }
                    optimizer.learningRate = schedule(step) * scale
                    optimizer.zeroGrad()
                    if let s = injectNaNAtStep, s == step, !injected {
                        injected = true
                        let params = model.trainableParameters()
                        params[params.count / 2].1.pointer(Float.self)[0] = .nan
                    }
                    let pass = model.pass(x, using: &rng)
                    let t = objective.terms(pass, x: x, step: step, model: model, using: &rng)
                    let lossValue = t.loss.item
                    if lossValue.isFinite { t.loss.backward() }
                    let badGrad = lossValue.isFinite ? Self.firstNonFiniteGradient(model) : nil
                    if !lossValue.isFinite || badGrad != nil {
                        diagnosis = Self.diagnose(model, x: x, loss: lossValue, badGradient: badGrad)
                        optimizer.zeroGrad()
                        return [("loss", .nan)]
                    }
                    optimizer.step()
                    if firstNELBO == nil { firstNELBO = t.nelbo }
                    lastNELBO = t.nelbo
                    if let maxSteps, step + 1 >= maxSteps { StopSignal.request() }
                    return [("loss", lossValue), ("nelbo", t.nelbo), ("kl", t.kl.reduce(0, +)), ("recon", t.recon),
                            ("beta", t.beta), ("penalty", t.penalty), ("lr", optimizer.learningRate)]
                })
                if maxSteps != nil { StopSignal.reset() }
                return Result(outcome: outcome, steps: run.state.step, trainSeconds: Date().timeIntervalSince(start),
                              firstNELBO: firstNELBO, lastNELBO: lastNELBO, recoveries: recoveries, learningRateScale: scale)
            } catch TrainingError.nonFinite(let where_) {
                let message = "non-finite loss at \(where_)\(diagnosis.isEmpty ? "" : "; \(diagnosis)")"
                guard recoveries.count < maxRecoveries else {
                    throw TrainingError.nonFinite(message + "; gave up after \(maxRecoveries) recoveries (lr scale \(scale))")
                }
                let checkpoint = TrainingRun.checkpoints(in: dir).last
                scale *= recoveryFactor
                recoveries.append(message)
                Progress.note("\(message)\n  → resuming from \(checkpoint.map { $0.url.lastPathComponent } ?? "the start") with learning rate × \(scale)")
                if checkpoint == nil {
                    // No good checkpoint yet: start over from a fresh initialisation.
                    try? FileManager.default.removeItem(at: dir)
                    throw TrainingError.nonFinite(message + "; no checkpoint to resume from in \(dir.path) — rerun with --lr-scale \(scale)")
                }
                resuming = true
            }
        }
    }

    /// The first parameter (in module order) whose gradient has a NaN or Inf.
    static func firstNonFiniteGradient(_ model: Module) -> String? {
        for (name, p) in model.trainableParameters() {
            if let g = p.grad, !g.floats.allSatisfy(\.isFinite) { return name }
        }
        return nil
    }

    /// Names where a non-finite value first appears: re-runs the batch with a trace of every stage.
    static func diagnose(_ model: some LatentVariableModel, x: Tensor, loss: Double, badGradient: String?) -> String {
        var parts: [String] = []
        if let p = model.trainableParameters().first(where: { !$0.1.floats.allSatisfy(\.isFinite) }) {
            parts.append("parameter \(p.0) is non-finite")
        }
        var firstLayer: String? = nil
        let m = model
        m.trace = { name, t in
            if firstLayer == nil, !t.floats.allSatisfy(\.isFinite) { firstLayer = name }
        }
        var rng = RandomGenerator(seed: 0)
        _ = withoutGrad { m.pass(x, using: &rng) }
        m.trace = nil
        if let firstLayer { parts.append("first non-finite activation in layer \(firstLayer)") }
        if let badGradient { parts.append("first non-finite gradient in \(badGradient)") }
        if parts.isEmpty { parts.append("loss \(loss) with finite activations (the objective overflowed)") }
        return parts.joined(separator: "; ")
    }
}
