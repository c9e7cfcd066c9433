import Foundation

/// Trains a `CharacterLM` on a token stream cut into windows of `context` + 1 tokens: `LossTraining`
/// with seeded shuffling, cosine decay after a short warm-up, the validation loss after every
/// epoch and `best/` at its lowest.
public struct LanguageModelTraining {
    public var epochs = 1
    public var batchSize = 32
    public var learningRate = 1e-3
    public var warmupSteps = 100
    public var seed: UInt64 = 0

    public init() {}

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
                total += lm.loss(Tensor(indices: batch.flatMap { $0 }, shape: [batch.count, batch[0].count])).item * Double(batch.count)
                count += batch.count
                s += batchSize
            }
        }
        return total / Double(Swift.max(count, 1))
    }

    public func run(_ lm: CharacterLM, train: [[Int32]], validation: [[Int32]], dir: URL,
                    config: [String: Any], resume: Bool) throws -> LossTraining.Result {
        guard !train.isEmpty, !validation.isEmpty else {
            throw TextDataError.malformed("language model: \(train.count) training and \(validation.count) validation windows; the corpus is too small for context \(lm.context)")
        }
        var loop = LossTraining()
        loop.epochs = epochs; loop.learningRate = learningRate; loop.seed = seed
        let warmup = warmupSteps
        loop.schedule = { LRSchedule.cosineWarmupDecay(warmupSteps: Swift.min(warmup, $0 / 10), totalSteps: $0) }
        var full = config
        full["batch_size"] = batchSize
        return try loop.run(lm, loader: BatchLoader(count: train.count, batchSize: batchSize, shuffle: true, dropLast: true, seed: seed),
                            dir: dir, config: full, resume: resume,
                            loss: { indices in lm.loss(Tensor(indices: indices.flatMap { train[$0] }, shape: [indices.count, train[indices[0]].count])) },
                            validationLoss: { Self.evaluate(lm, validation, batchSize: batchSize) },
                            saveBest: { try lm.save(to: $0) })
    }
}
