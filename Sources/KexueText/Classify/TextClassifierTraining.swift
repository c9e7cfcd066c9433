import Foundation

/// Fine-tunes a `BertClassifier`: AdamW (no decay on biases and norms), linear warm-up and decay,
/// length-bucketed batches, a checkpoint per epoch and `best/` chosen on validation accuracy.
public struct TextClassifierTraining {
    public var epochs = 1
    public var batchSize = 32
    public var learningRate = 1e-4
    public var weightDecay = 0.01
    public var warmupFraction = 0.1
    public var maxLength = 64
    public var seed: UInt64 = 0
    /// Flood level b (METHODS.md §1); nil trains on the plain loss.
    public var flood: Flooding? = nil

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        public var validationAccuracy: Double
        public var bestDirectory: URL
        public var trainSeconds: Double
        public var steps: Int
    }

    public func encode(_ model: BertClassifier, _ items: [LabeledText]) throws -> [Encoding] {
        try items.map { try model.tokenizer.encode($0.text, truncation: Truncation(maxLength: maxLength)) }
    }

    public func labelIds(_ model: BertClassifier, _ items: [LabeledText]) throws -> [Int32] {
        try items.map { item in
            guard let i = model.labels.firstIndex(of: item.label) else {
                throw TextDataError.malformed("example \(item.id): label '\(item.label)' is not one of \(model.labels)")
            }
            return Int32(i)
        }
    }

    public func run(model: BertClassifier, train: [LabeledText], validation: [LabeledText], dir: URL,
                    config: [String: Any], resume: Bool) throws -> Result {
        let trainEnc = try encode(model, train), trainY = try labelIds(model, train)
        let valEnc = try encode(model, validation), valY = try labelIds(model, validation)
        let params = model.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let optimizer = AdamW(ParameterGroup.decayGroups(params, weightDecay: weightDecay), learningRate: learningRate)
        var full = config
        full["epochs"] = epochs; full["batch_size"] = batchSize; full["lr"] = learningRate
        full["max_length"] = maxLength; full["seed"] = Int(seed); full["labels"] = model.labels
        if let flood { full["flood"] = ["level": flood.level, "mode": "\(flood.mode)"] }
        let run = try TrainingRun(dir: dir, config: full, model: model, optimizer: optimizer, seed: seed, resume: resume)
        run.progressEvery = 20
        let loader = BucketedBatchLoader(lengths: trainEnc.map(\.count), batchSize: batchSize, seed: seed)
        let total = epochs * loader.batchesPerEpoch
        let schedule = LRSchedule.linearWarmupDecay(warmupSteps: Int(Double(total) * warmupFraction), totalSteps: total)
        let best = dir.appendingPathComponent("best", isDirectory: true)
        model.train()
        let start = Date()
        var lastAccuracy = 0.0
        let outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
            optimizer.learningRateMultiplier = schedule(step)
            let batch = TextBatch(indices.map { trainEnc[$0] })
            let logits = model(batch.ids, typeIds: batch.typeIds, keyMask: batch.keyMask)
            let targets = Tensor(indices: indices.map { trainY[$0] }, shape: [indices.count])
            let perExample = crossEntropy(logits: logits, targets: targets, reduction: .none)
            let raw = perExample.mean()
            let loss = flood.map { $0.apply(perExample) } ?? raw
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            // The raw mean is logged beside the flooded value (METHODS.md §1(e)).
            return flood == nil ? [("loss", raw.item)] : [("loss", raw.item), ("flooded_loss", loss.item)]
        }, endOfEpoch: { _ in
            let acc = TextClassifierEvaluation.accuracy(model, valEnc, valY)
            lastAccuracy = acc
            model.train()
            if try run.offerBest(acc, higherIsBetter: true) { try model.save(to: best) }
            return [("accuracy", acc)]
        })
        return Result(outcome: outcome, validationAccuracy: lastAccuracy, bestDirectory: best,
                      trainSeconds: Date().timeIntervalSince(start), steps: run.state.step)
    }
}

/// Batched, gradient-free predictions of a text classifier.
public enum TextClassifierEvaluation {
    /// Class probabilities [N, labels] for pre-tokenized texts.
    public static func probabilities(_ model: BertClassifier, _ encodings: [Encoding], batchSize: Int = 64) -> Tensor {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        // Sort by length so batches pad little; restore the order at the end.
        let order = encodings.indices.sorted { encodings[$0].count < encodings[$1].count }
        var rows = [[Float]](repeating: [], count: encodings.count)
        withoutGrad {
            var s = 0
            while s < order.count {
                let idx = Array(order[s..<Swift.min(order.count, s + batchSize)])
                let batch = TextBatch(idx.map { encodings[$0] })
                let p = model(batch.ids, typeIds: batch.typeIds, keyMask: batch.keyMask).softmax(axis: -1)
                let k = p.shape[1], v = p.floats
                for (r, i) in idx.enumerated() { rows[i] = Array(v[(r * k)..<((r + 1) * k)]) }
                s += batchSize
            }
        }
        return Tensor(rows.flatMap { $0 }, shape: [encodings.count, model.labels.count])
    }

    public static func accuracy(_ model: BertClassifier, _ encodings: [Encoding], _ labels: [Int32]) -> Double {
        guard !encodings.isEmpty else { return .nan }
        let pred = probabilities(model, encodings).argmax(axis: -1).int32s
        return Double(zip(pred, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}
