import Foundation

/// Trains a `CharacterLM` on a token stream cut into windows of `context` + 1 tokens: AdamW with
/// warm-up and cosine decay, seeded shuffling, validation loss after every epoch, checkpoints and
/// `best/` (lowest validation loss).
public struct LanguageModelTraining {
    public var epochs = 1
    public var batchSize = 32
    public var learningRate = 1e-3
    public var weightDecay = 0.01
    public var warmupSteps = 100
    public var seed: UInt64 = 0

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        public var validationLoss: Double
        public var steps: Int
        public var trainSeconds: Double
        public var bestDirectory: URL
    }

    /// Non-overlapping windows of `length` tokens (stride length − 1, so every token is a target once).
    public static func windows(_ stream: [Int32], length: Int) -> [[Int32]] {
        guard stream.count >= length else { return [] }
        return stride(from: 0, through: stream.count - length, by: length - 1).map { Array(stream[$0..<($0 + length)]) }
    }

    /// Mean next-token loss (nats) over windows, without gradients, in eval mode.
    public static func evaluate(_ lm: CharacterLM, _ windows: [[Int32]], batchSize: Int = 32) -> Double {
        let wasTraining = lm.isTraining
        lm.eval()
        defer { lm.train(wasTraining) }
        var total = 0.0, count = 0
        withoutGrad {
            var s = 0
            while s < windows.count {
                let batch = Array(windows[s..<Swift.min(windows.count, s + batchSize)])
                let t = batch[0].count
                total += lm.loss(Tensor(indices: batch.flatMap { $0 }, shape: [batch.count, t])).item * Double(batch.count)
                count += batch.count
                s += batchSize
            }
        }
        return total / Double(Swift.max(count, 1))
    }

    public func run(_ lm: CharacterLM, train: [[Int32]], validation: [[Int32]], dir: URL,
                    config: [String: Any], resume: Bool) throws -> Result {
        guard !train.isEmpty, !validation.isEmpty else {
            throw TextDataError.malformed("language model: \(train.count) training and \(validation.count) validation windows; the corpus is too small for context \(lm.context)")
        }
        let params = lm.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let optimizer = AdamW(ParameterGroup.decayGroups(params, weightDecay: weightDecay), learningRate: learningRate)
        var full = config
        full["epochs"] = epochs; full["batch_size"] = batchSize; full["lr"] = learningRate; full["seed"] = Int(seed)
        let run = try TrainingRun(dir: dir, config: full, model: lm, optimizer: optimizer, seed: seed, resume: resume)
        run.progressEvery = 20
        let loader = BatchLoader(count: train.count, batchSize: batchSize, shuffle: true, dropLast: true, seed: seed)
        let total = epochs * loader.batchesPerEpoch
        let schedule = LRSchedule.cosineWarmupDecay(warmupSteps: Swift.min(warmupSteps, total / 10), totalSteps: total)
        let best = dir.appendingPathComponent("best", isDirectory: true)
        let start = Date()
        var lastLoss = Double.nan
        lm.train()
        let outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
            optimizer.learningRateMultiplier = schedule(step)
            let t = train[indices[0]].count
            let loss = lm.loss(Tensor(indices: indices.flatMap { train[$0] }, shape: [indices.count, t]))
            optimizer.zeroGrad()
            loss.backward()
            _ = clipGradNorm(params.map(\.tensor), maxNorm: 1.0)
            optimizer.step()
            return [("loss", loss.item)]
        }, endOfEpoch: { _ in
            lastLoss = Self.evaluate(lm, validation, batchSize: batchSize)
            if try run.offerBest(-lastLoss, higherIsBetter: true) { try lm.save(to: best) }
            return [("loss", lastLoss)]
        })
        return Result(outcome: outcome, validationLoss: lastLoss, steps: run.state.step,
                      trainSeconds: Date().timeIntervalSince(start), bestDirectory: best)
    }
}
