import Foundation

/// Trains an image classifier with Adam and a warm-up + cosine schedule in a run folder,
/// evaluating on a validation set (which picks `best/`) and optionally a test set after every
/// epoch, and plotting the curves.
///
/// The loss is a `ClassificationObjective`: plain, logit-adjusted or class-weighted cross-entropy,
/// optionally flooded. metrics.jsonl always holds the raw mean data loss as `loss` and, when
/// flooding, the flooded value as `flooded_loss` (never select or evaluate on the flooded value).
public struct ImageClassifierTraining {
    public var epochs = 5
    public var batchSize = 128
    public var learningRate = 1e-3
    public var weightDecay = 0.0
    public var warmupFraction = 0.02
    public var seed: UInt64 = 0
    public var checkpointEverySteps = 0
    public var objective = try! ClassificationObjective()
    /// Progress lines every this many steps when stderr is not a terminal.
    public var progressEvery = 50
    /// Write curves.png at the end.
    public var plotCurves = true

    public init() {}

    public struct Result {
        public var outcome: TrainingRun.Outcome
        public var validationAccuracy: Double
        public var validationLoss: Double
        public var trainSeconds: Double
        public var steps: Int
    }

    /// Trains `model` on `train`; after each epoch logs accuracy and (plain) cross-entropy on
    /// `validation` under split "validation" and on `test`, when given, under split "test".
    public func run<M: Module & UnaryLayer>(model: M, train: ImageDataset, validation: ImageDataset, test: ImageDataset? = nil,
                                            dir: URL, config: [String: Any], resume: Bool) throws -> Result {
        let params = model.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let optimizer = Adam(ParameterGroup.decayGroups(params, weightDecay: weightDecay), learningRate: learningRate)
        var fullConfig = config
        fullConfig["epochs"] = epochs; fullConfig["batch_size"] = batchSize; fullConfig["lr"] = learningRate
        fullConfig["weight_decay"] = weightDecay; fullConfig["seed"] = Int(seed)
        if let flood = objective.flood { fullConfig["flood"] = ["level": flood.level, "mode": flood.mode.rawValue] }
        let run = try TrainingRun(dir: dir, config: fullConfig, model: model, optimizer: optimizer, seed: seed, resume: resume)
        run.checkpointEverySteps = checkpointEverySteps
        run.progressEvery = progressEvery
        let loader = BatchLoader(count: train.count, batchSize: batchSize, shuffle: true, seed: seed)
        let total = epochs * loader.batchesPerEpoch
        let schedule = LRSchedule.cosineWarmupDecay(warmupSteps: Int(Double(total) * warmupFraction), totalSteps: total)
        let flooding = objective.flood != nil
        model.train()
        let start = Date()
        let outcome = try run.fit(epochs: epochs, loader: loader, step: { indices, step in
            optimizer.learningRateMultiplier = schedule(step)
            let (x, y) = train.batch(indices)
            let (loss, raw) = try objective.loss(logits: model(x), targets: y, step: step)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            return flooding ? [("loss", raw), ("flooded_loss", loss.item)] : [("loss", raw)]
        }, endOfEpoch: { epoch in
            let logits = ClassifierEvaluation.logits(model, validation)
            let acc = ClassifierEvaluation.accuracy(logits: logits, labels: validation.labels)
            if let test {
                let t = ClassifierEvaluation.logits(model, test)
                run.metrics.log(step: run.state.step, epoch: epoch, split: "test", name: "accuracy",
                                value: ClassifierEvaluation.accuracy(logits: t, labels: test.labels))
                run.metrics.log(step: run.state.step, epoch: epoch, split: "test", name: "loss",
                                value: ClassifierEvaluation.loss(logits: t, labels: test.labels))
            }
            model.train()
            try run.offerBest(acc, higherIsBetter: true)
            return [("accuracy", acc), ("loss", ClassifierEvaluation.loss(logits: logits, labels: validation.labels))]
        })
        let seconds = Date().timeIntervalSince(start)
        let logits = ClassifierEvaluation.logits(model, validation)
        if plotCurves {
            try TrainingCurves.plot(metrics: dir.appendingPathComponent("metrics.jsonl"), to: dir.appendingPathComponent("curves.png"),
                                    title: dir.lastPathComponent)
        }
        return Result(outcome: outcome, validationAccuracy: ClassifierEvaluation.accuracy(logits: logits, labels: validation.labels),
                      validationLoss: ClassifierEvaluation.loss(logits: logits, labels: validation.labels),
                      trainSeconds: seconds, steps: run.state.step)
    }
}
