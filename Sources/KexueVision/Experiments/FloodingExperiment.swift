import Foundation

/// Flooding on noisy labels (METHODS.md §1(d) [E]): a CNN trained far past zero training error on
/// a Fashion-MNIST subset whose labels are partly flipped, once per flood level b, with the clean
/// test loss logged every epoch. The level is chosen automatically by the final loss on a held-out
/// validation split of the same (noisy) subset, as a user without clean labels would have to.
public struct FloodingExperiment {
    public var train: ImageDataset
    public var test: ImageDataset
    /// Images drawn from `train` (seeded), then split into training and validation.
    public var subset = 6000
    public var validationFraction = 1.0 / 6
    /// Share of labels flipped to another class, in training and validation alike.
    public var noise = 0.3
    public var levels: [Double] = [0, 0.1, 0.2, 0.3, 0.4, 0.5]
    public var epochs = 60
    public var batchSize = 128
    public var learningRate = 1e-3
    public var seed: UInt64 = 0
    public var resume = false

    public init(train: ImageDataset, test: ImageDataset) {
        self.train = train
        self.test = test
    }

    /// One level's run, read back from its metrics.
    public struct LevelResult: Codable, Sendable {
        public var level: Double
        /// Mean raw training loss per epoch, and of each step.
        public var epochTrainLoss: [Double]
        public var stepTrainLoss: [Double]
        public var validationLoss: [Double]
        public var testLoss: [Double]
        public var testAccuracy: [Double]

        public var trial: FloodLevelSearch.Trial {
            FloodLevelSearch.Trial(level: level, validationLoss: validationLoss.last ?? .nan,
                                   metrics: ["test_loss": testLoss.last ?? .nan], trainLoss: stepTrainLoss)
        }
    }

    public func run(dir: URL) throws -> (results: [LevelResult], chosen: Double) {
        guard subset >= 20 && subset <= train.count else {
            throw TrainingError.badConfig("flooding: subset \(subset) must be between 20 and the \(train.count) training images")
        }
        let picked = try HoldOut.random(count: train.count, size: subset, seed: seed).heldOut
        var data = train.subset(picked)
        data.labels = try LongTail.flipLabels(data.labels, classes: data.classes, rate: noise, seed: seed &+ 1).labels
        let (heldOut, rest) = try HoldOut.random(count: data.count, fraction: validationFraction, seed: seed &+ 2)
        let trainSet = data.subset(rest), validation = data.subset(heldOut)
        Progress.note("flooding: \(trainSet.count) training and \(validation.count) validation images, \(Int(noise * 100)) % labels flipped; levels \(levels)")
        let search = try FloodLevelSearch(levels: levels)
        var results: [LevelResult] = []
        let outcome = try search.run { level in
            let r = try runLevel(level, train: trainSet, validation: validation,
                                 dir: dir.appendingPathComponent(String(format: "b%.2f", level), isDirectory: true))
            results.append(r)
            for w in r.trial.warnings { Progress.note("flooding: warning: \(w)") }
            return r.trial
        }
        return (results, outcome.chosen.level)
    }

    func runLevel(_ level: Double, train trainSet: ImageDataset, validation: ImageDataset, dir: URL) throws -> LevelResult {
        let resultURL = dir.appendingPathComponent("result.json")
        if let data = try? Data(contentsOf: resultURL), let done = try? JSONDecoder().decode(LevelResult.self, from: data) {
            Progress.note("flooding b = \(level): already finished, read from \(resultURL.path)")
            return done
        }
        var trainer = ImageClassifierTraining()
        trainer.epochs = epochs
        trainer.batchSize = batchSize
        trainer.learningRate = learningRate
        trainer.seed = seed
        trainer.progressEvery = 200
        trainer.objective = try ClassificationObjective(.crossEntropy, flood: level > 0 ? Flooding(level: level) : nil)
        // No dropout, so that the unflooded network can memorise the flipped labels.
        let model = MNISTCNN(classes: trainSet.classes, dropout: 0, seed: seed)
        let config: [String: Any] = ["task": "flooding", "level": level, "noise": noise, "subset": subset]
        let hasCheckpoint = !TrainingRun.checkpoints(in: dir).isEmpty
        let r = try trainer.run(model: model, train: trainSet, validation: validation, test: test, dir: dir, config: config,
                                resume: resume && hasCheckpoint)
        guard r.outcome == .finished else { throw TrainingError.badConfig("\(dir.path): interrupted; rerun with --resume to continue") }
        let entries = try MetricsLog.read(dir.appendingPathComponent("metrics.jsonl"))
        func series(_ split: String, _ name: String) -> [Double] {
            entries.filter { $0.split == split && $0.name == name }.sorted { $0.step < $1.step }.map(\.value)
        }
        let steps = entries.filter { $0.split == "train" && $0.name == "loss" }.sorted { $0.step < $1.step }
        var perEpoch = [Double](repeating: 0, count: epochs), n = [Double](repeating: 0, count: epochs)
        for e in steps where e.epoch < epochs { perEpoch[e.epoch] += e.value; n[e.epoch] += 1 }
        let result = LevelResult(level: level, epochTrainLoss: zip(perEpoch, n).map { $0 / Swift.max($1, 1) },
                                 stepTrainLoss: steps.map(\.value), validationLoss: series("validation", "loss"),
                                 testLoss: series("test", "loss"), testAccuracy: series("test", "accuracy"))
        try AtomicFile.write(JSONEncoder().encode(result), to: resultURL)
        return result
    }
}
