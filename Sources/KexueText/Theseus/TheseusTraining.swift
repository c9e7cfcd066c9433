import Foundation

/// Runs the Theseus stages on a `TheseusClassifier`: replacement training (`theseus/`), then the
/// successor alone (`successor/`), each a `TrainingRun` folder with checkpoints, progress and
/// resume; after every epoch the successor is evaluated on validation and the best one is exported
/// to `<stage>/best` as a normal classifier folder. The final answer is `successor/best`.
public struct TheseusTraining {
    public var theseusEpochs = 2
    public var successorEpochs = 2
    public var batchSize = 32
    public var learningRate: Double? = nil  // nil: the preset's
    public var maxLength = 64
    public var seed: UInt64 = 0

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        public var validationAccuracy: Double
        public var bestDirectory: URL
        public var steps: Int
        public var trainSeconds: Double
    }

    public func run(model: TheseusClassifier, train: [LabeledText], validation: [LabeledText], dir: URL,
                    config: [String: Any], resume: Bool) throws -> Result {
        var t = TextClassifierTraining(); t.maxLength = maxLength
        let trainEnc = try t.encode(model.predecessor, train), trainY = try t.labelIds(model.predecessor, train)
        let valEnc = try t.encode(model.predecessor, validation), valY = try t.labelIds(model.predecessor, validation)
        let start = Date()
        var steps = 0, lastAccuracy = 0.0
        var outcome = TrainingRun.Outcome.finished
        var best = dir
        for (stage, epochs) in [("theseus", theseusEpochs), ("successor", successorEpochs)] where epochs > 0 {
            if stage == "successor" { model.enterSuccessorStage() }
            let params = model.trainableParameters().map { (name: $0.0, tensor: $0.1) }
            let lr = learningRate ?? model.preset.learningRate
            let optimizer: Optimizer = model.preset.optimizer == .adamW
                ? AdamW(ParameterGroup.decayGroups(params, weightDecay: 0.01), learningRate: lr)
                : Adam(params, learningRate: lr)
            var full = config
            full["stage"] = stage; full["epochs"] = epochs; full["batch_size"] = batchSize; full["lr"] = lr
            full["max_length"] = maxLength; full["seed"] = Int(seed); full["preset"] = model.preset.description
            full["successor_layers"] = model.replacement.successor.count
            let stageDir = dir.appendingPathComponent(stage, isDirectory: true)
            let run = try TrainingRun(dir: stageDir, config: full, model: model, optimizer: optimizer, seed: seed, resume: resume)
            run.progressEvery = 20
            let loader = BucketedBatchLoader(lengths: trainEnc.map(\.count), batchSize: batchSize, seed: seed)
            let offset = steps  // the router's step counts across stages
            best = stageDir.appendingPathComponent("best", isDirectory: true)
            let stageBest = best
            model.train()
            outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
                model.replacement.step = offset + step  // exact routing after a resume
                let batch = TextBatch(indices.map { trainEnc[$0] })
                let logits = model(batch.ids, typeIds: batch.typeIds, keyMask: batch.keyMask)
                let targets = Tensor(indices: indices.map { trainY[$0] }, shape: [indices.count])
                let loss = crossEntropy(logits: logits, targets: targets)
                // With `paper`'s frozen embeddings and head, a step whose every module routes to
                // the predecessor has nothing to train: no graph to differentiate, no update.
                if loss.requiresGrad {
                    optimizer.zeroGrad()
                    loss.backward()
                    optimizer.step()
                }
                return [("loss", loss.item), ("replacement_rate", model.replacement.currentRate)]
            }, endOfEpoch: { _ in
                let acc = model.accuracy(valEnc, valY)
                lastAccuracy = acc
                if try run.offerBest(acc, higherIsBetter: true) { try model.exportSuccessor(to: stageBest) }
                return [("accuracy", acc)]
            })
            steps = offset + run.state.step
            if outcome != .finished { break }
        }
        return Result(outcome: outcome, validationAccuracy: lastAccuracy, bestDirectory: best, steps: steps,
                      trainSeconds: Date().timeIntervalSince(start))
    }
}
