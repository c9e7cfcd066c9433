import Foundation

/// The loop shared by models trained on one loss with a validation loss (the character LM, UniLM
/// seq2seq): AdamW without decay on biases and norms, a learning-rate schedule over the whole run,
/// global-norm clipping, a checkpoint every 15 minutes and per epoch through `TrainingRun`, and
/// `best/` written by the caller whenever the validation loss is the lowest so far.
public struct LossTraining {
    public var epochs = 1
    public var learningRate = 1e-3
    public var weightDecay = 0.01
    public var clipNorm: Double? = 1.0
    public var seed: UInt64 = 0
    public var progressEvery = 20
    /// The multiplier schedule for a run of `total` steps.
    public var schedule: @Sendable (_ total: Int) -> LRSchedule = { LRSchedule.linearWarmupDecay(warmupSteps: $0 / 20, totalSteps: $0) }

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        /// After the last epoch (NaN without a validation set).
        public var validationLoss: Double
        public var steps: Int
        public var trainSeconds: Double
        public var bestDirectory: URL
    }

    /// `loss(indices)` is the training loss of one batch; `validationLoss` (optional) is computed after
    /// every epoch; `saveBest(dir)` writes the model when it is the best so far (lowest validation
    /// loss, or the latest epoch without validation — Su's QG run kept its lowest training loss).
    public func run(_ model: Module, loader: some BatchSource, dir: URL, config: [String: Any], resume: Bool,
                    loss: ([Int]) throws -> Tensor, validationLoss: (() -> Double)?,
                    saveBest: @escaping (URL) throws -> Void) throws -> Result {
        let params = model.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let optimizer = AdamW(ParameterGroup.decayGroups(params, weightDecay: weightDecay), learningRate: learningRate)
        var full = config
        full["epochs"] = epochs; full["lr"] = learningRate; full["seed"] = Int(seed)
        let run = try TrainingRun(dir: dir, config: full, model: model, optimizer: optimizer, seed: seed, resume: resume)
        run.progressEvery = progressEvery
        let lr = schedule(epochs * loader.batchesPerEpoch)
        let best = dir.appendingPathComponent("best", isDirectory: true)
        let start = Date()
        var last = Double.nan
        model.train()
        let outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
            optimizer.learningRateMultiplier = lr(step)
            let value = try loss(indices)
            optimizer.zeroGrad()
            value.backward()
            if let clipNorm { _ = clipGradNorm(params.map(\.tensor), maxNorm: clipNorm) }
            optimizer.step()
            return [("loss", value.item)]
        }, endOfEpoch: { _ in
            last = validationLoss?() ?? .nan
            model.train()
            if try run.offerBest(validationLoss == nil ? Double(run.state.step) : -last, higherIsBetter: true) {
                try saveBest(best)
            }
            return validationLoss == nil ? [] : [("loss", last)]
        })
        // A finished run resumed runs no epoch: report the model's validation loss all the same.
        if last.isNaN, let validationLoss { last = validationLoss() }
        return Result(outcome: outcome, validationLoss: last, steps: run.state.step,
                      trainSeconds: Date().timeIntervalSince(start), bestDirectory: best)
    }
}
