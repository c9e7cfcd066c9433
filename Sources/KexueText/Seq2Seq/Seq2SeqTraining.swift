import Foundation

/// Fine-tunes a `UniLMSeq2Seq` on encoded examples: `LossTraining` with length-bucketed batches,
/// linear warm-up and decay, the validation loss per scored token after every epoch and `best/` at
/// its lowest (without a validation set, the last epoch).
public struct Seq2SeqTraining {
    public var epochs = 1
    public var batchSize = 16
    public var learningRate = 1e-4
    public var warmupFraction = 0.05
    public var seed: UInt64 = 0

    public init() {}

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
                    config: [String: Any], resume: Bool) throws -> LossTraining.Result {
        guard !train.isEmpty else { throw TextDataError.malformed("seq2seq training: no training examples") }
        var loop = LossTraining()
        loop.epochs = epochs; loop.learningRate = learningRate; loop.seed = seed
        let fraction = warmupFraction
        loop.schedule = { LRSchedule.linearWarmupDecay(warmupSteps: Int(Double($0) * fraction), totalSteps: $0) }
        var full = config
        full["batch_size"] = batchSize
        return try loop.run(model, loader: BucketedBatchLoader(lengths: train.map(\.count), batchSize: batchSize, seed: seed),
                            dir: dir, config: full, resume: resume,
                            loss: { model.loss(Seq2SeqBatch($0.map { train[$0] }, padId: model.padId)) },
                            validationLoss: validation.isEmpty ? nil : { Self.evaluate(model, validation, batchSize: batchSize) },
                            saveBest: { try model.save(to: $0) })
    }
}
