import Foundation

/// Fine-tunes a `UniLMSeq2Seq` on encoded examples: AdamW (no decay on biases and norms), linear
/// warm-up and decay, length-bucketed batches, a checkpoint every 15 minutes and per epoch,
/// `best/` chosen on the lowest validation loss, `--resume` through `TrainingRun`.
public struct Seq2SeqTraining {
    public var epochs = 1
    public var batchSize = 16
    public var learningRate = 1e-4
    public var weightDecay = 0.01
    public var warmupFraction = 0.05
    public var seed: UInt64 = 0
    /// Progress lines every this many steps.
    public var progressEvery = 20

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        public var validationLoss: Double
        public var steps: Int
        public var trainSeconds: Double
        public var bestDirectory: URL
    }

    /// Mean loss per scored token over `examples`, without gradients, in eval mode.
    public static func evaluate(_ model: UniLMSeq2Seq, _ examples: [Seq2SeqExample], batchSize: Int = 16) -> Double {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let order = examples.indices.sorted { examples[$0].count < examples[$1].count }
        var total = 0.0, tokens = 0
        withoutGrad {
            var s = 0
            while s < order.count {
                let batch = Seq2SeqBatch(order[s..<Swift.min(order.count, s + batchSize)].map { examples[$0] }, padId: model.padId)
                total += model.loss(batch).item * Double(batch.targets.count)
                tokens += batch.targets.count
                s += batchSize
            }
        }
        return total / Double(Swift.max(tokens, 1))
    }

    public func run(_ model: UniLMSeq2Seq, train: [Seq2SeqExample], validation: [Seq2SeqExample], dir: URL,
                    config: [String: Any], resume: Bool) throws -> Result {
        guard !train.isEmpty else { throw TextDataError.malformed("seq2seq training: no training examples") }
        let params = model.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let optimizer = AdamW(ParameterGroup.decayGroups(params, weightDecay: weightDecay), learningRate: learningRate)
        var full = config
        full["epochs"] = epochs; full["batch_size"] = batchSize; full["lr"] = learningRate; full["seed"] = Int(seed)
        let run = try TrainingRun(dir: dir, config: full, model: model, optimizer: optimizer, seed: seed, resume: resume)
        run.progressEvery = progressEvery
        let loader = BucketedBatchLoader(lengths: train.map(\.count), batchSize: batchSize, seed: seed)
        let total = epochs * loader.batchesPerEpoch
        let schedule = LRSchedule.linearWarmupDecay(warmupSteps: Int(Double(total) * warmupFraction), totalSteps: total)
        let best = dir.appendingPathComponent("best", isDirectory: true)
        let start = Date()
        var lastLoss = Double.nan
        model.train()
        let outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
            optimizer.learningRateMultiplier = schedule(step)
            let loss = model.loss(Seq2SeqBatch(indices.map { train[$0] }, padId: model.padId))
            optimizer.zeroGrad()
            loss.backward()
            _ = clipGradNorm(params.map(\.tensor), maxNorm: 1.0)
            optimizer.step()
            return [("loss", loss.item)]
        }, endOfEpoch: { _ in
            lastLoss = validation.isEmpty ? .nan : Self.evaluate(model, validation, batchSize: batchSize)
            // Without a validation set the last epoch is kept (Su kept the lowest training loss).
            if try run.offerBest(validation.isEmpty ? Double(run.state.step) : -lastLoss, higherIsBetter: true) {
                try model.save(to: best)
            }
            return validation.isEmpty ? [] : [("loss", lastLoss)]
        })
        return Result(outcome: outcome, validationLoss: lastLoss, steps: run.state.step,
                      trainSeconds: Date().timeIntervalSince(start), bestDirectory: best)
    }
}
