import Foundation

/// Trains an image classifier with Adam and a warm-up + cosine schedule in a run folder,
/// evaluating on a held-out set after every epoch and plotting the curves.
public struct ImageClassifierTraining {
    public var epochs = 5
    public var batchSize = 128
    public var learningRate = 1e-3
    public var weightDecay = 0.0
    public var warmupFraction = 0.02
    public var seed: UInt64 = 0
    public var checkpointEverySteps = 0

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        public var testAccuracy: Double
        public var testLoss: Double
        public var trainSeconds: Double
        public var steps: Int
    }

    public func run<M: Module & UnaryLayer>(model: M, train: ImageDataset, test: ImageDataset, dir: URL,
                                            config: [String: Any], resume: Bool) throws -> Result {
        let params = model.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let optimizer = Adam(ParameterGroup.decayGroups(params, weightDecay: weightDecay), learningRate: learningRate)
        var fullConfig = config
        fullConfig["epochs"] = epochs; fullConfig["batch_size"] = batchSize; fullConfig["lr"] = learningRate
        fullConfig["weight_decay"] = weightDecay; fullConfig["seed"] = Int(seed)
        let run = try TrainingRun(dir: dir, config: fullConfig, model: model, optimizer: optimizer, seed: seed, resume: resume)
        run.checkpointEverySteps = checkpointEverySteps
        let loader = BatchLoader(count: train.count, batchSize: batchSize, shuffle: true, seed: seed)
        let total = epochs * loader.batchesPerEpoch
        let schedule = LRSchedule.cosineWarmupDecay(warmupSteps: Int(Double(total) * warmupFraction), totalSteps: total)
        model.train()
        let start = Date()
        let outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
            optimizer.learningRateMultiplier = schedule(step)
            let (x, y) = train.batch(indices)
            let loss = crossEntropy(logits: model(x), targets: y)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            return [("loss", loss.item)]
        }, endOfEpoch: { _ in
            let logits = ClassifierEvaluation.logits(model, test)
            let acc = ClassifierEvaluation.accuracy(logits: logits, labels: test.labels)
            model.train()
            try run.offerBest(acc, higherIsBetter: true)
            return [("accuracy", acc), ("loss", ClassifierEvaluation.loss(logits: logits, labels: test.labels))]
        })
        let seconds = Date().timeIntervalSince(start)
        let logits = ClassifierEvaluation.logits(model, test)
        try TrainingCurves.plot(metrics: dir.appendingPathComponent("metrics.jsonl"), to: dir.appendingPathComponent("curves.png"),
                                title: dir.lastPathComponent)
        return Result(outcome: outcome, testAccuracy: ClassifierEvaluation.accuracy(logits: logits, labels: test.labels),
                      testLoss: ClassifierEvaluation.loss(logits: logits, labels: test.labels),
                      trainSeconds: seconds, steps: run.state.step)
    }
}
