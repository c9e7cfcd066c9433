import Foundation

/// Logit adjustment on a long-tailed image set (METHODS.md §2(d)): a CNN trained on a seeded
/// ρ-imbalanced subsample with (a) plain cross-entropy, (b) the same model corrected post hoc
/// (τ = 1, and τ tuned on validation), (c) the logit-adjusted loss, (d) class-weighted CE; balanced
/// error on the balanced test set, over several seeds, with paired differences against (a).
///
/// Per seed: a balanced validation set is held out of the training images first (τ is tuned on
/// it, never on test), the rest is subsampled to n_k = ⌊n_max·ρ^(−k/(K−1))⌋, and the three
/// trainings run in `dir/seed<s>/<loss>/` (each resumable; a finished one is read back, not rerun).
public struct LongTailExperiment {
    public enum Method: String, CaseIterable, Codable, Sendable {
        case crossEntropy = "ce", posthoc = "ce+posthoc", posthocTuned = "ce+posthoc-tuned", logitAdjustedLoss = "la-loss", weighted = "weighted-ce"

        public var title: String {
            switch self {
            case .crossEntropy: return "(a) cross-entropy"
            case .posthoc: return "(b) CE + post-hoc τ=1"
            case .posthocTuned: return "(b′) CE + post-hoc, τ tuned on validation"
            case .logitAdjustedLoss: return "(c) logit-adjusted loss τ=1"
            case .weighted: return "(d) class-weighted CE"
            }
        }
    }

    public var name: String
    public var classNames: [String]
    /// The full (balanced) training set and the balanced test set.
    public var train: ImageDataset
    public var test: ImageDataset
    public var imbalance = 100.0
    public var validationPerClass = 50
    public var seeds: [UInt64] = [0, 1, 2]
    public var epochs = 10
    public var batchSize = 128
    public var learningRate = 3e-3
    public var tau = 1.0
    public var resume = false

    public init(name: String, classNames: [String], train: ImageDataset, test: ImageDataset) {
        self.name = name
        self.classNames = classNames
        self.train = train
        self.test = test
    }

    public struct Evaluation: Codable, Sendable {
        public var balancedError: Double
        public var accuracy: Double
        public var perClassAccuracy: [Double]
        public var confusion: [[Int]]
        /// τ used by a post-hoc correction.
        public var tau: Double?
    }

    public struct SeedResult: Codable, Sendable {
        public var seed: UInt64
        public var trainCounts: [Int]
        public var methods: [String: Evaluation]
    }

    /// The three trainings a seed needs; post-hoc methods reuse the cross-entropy model.
    enum Training: String, CaseIterable { case crossEntropy = "ce", logitAdjusted = "la-loss", weighted = "weighted-ce" }

    public func run(dir: URL) throws -> [SeedResult] {
        try seeds.map { try runSeed($0, dir: dir.appendingPathComponent("seed\($0)", isDirectory: true)) }
    }

    func runSeed(_ seed: UInt64, dir: URL) throws -> SeedResult {
        let resultURL = dir.appendingPathComponent("result.json")
        if let data = try? Data(contentsOf: resultURL), let done = try? JSONDecoder().decode(SeedResult.self, from: data) {
            Progress.note("\(name) seed \(seed): already finished, read from \(resultURL.path)")
            return done
        }
        let (heldOut, rest) = try HoldOut.balanced(labels: train.labels, classes: train.classes, perClass: validationPerClass, seed: seed)
        let pool = train.subset(rest)
        let kept = try LongTail.subsample(labels: pool.labels, classes: pool.classes, imbalance: imbalance, seed: seed)
        let trainSet = pool.subset(kept), validation = train.subset(heldOut)
        let prior = try ClassPrior(labels: trainSet.labels, classes: trainSet.classes)
        Progress.note("\(name) seed \(seed): \(trainSet.count) training images, counts \(prior.counts), \(validation.count) validation")

        var methods: [String: Evaluation] = [:]
        for training in Training.allCases {
            let objective: ClassificationObjective
            switch training {
            case .crossEntropy: objective = try ClassificationObjective(.crossEntropy)
            case .logitAdjusted: objective = try ClassificationObjective(.logitAdjusted(prior: prior, tau: tau))
            case .weighted: objective = try ClassificationObjective(.weighted(balancedClassWeights(prior)))
            }
            let model = MNISTCNN(classes: train.classes, seed: seed)
            var trainer = ImageClassifierTraining()
            trainer.epochs = epochs
            trainer.batchSize = batchSize
            trainer.learningRate = learningRate
            trainer.seed = seed
            trainer.objective = objective
            trainer.progressEvery = 100
            let runDir = dir.appendingPathComponent(training.rawValue, isDirectory: true)
            let config: [String: Any] = ["task": "longtail", "dataset": name, "loss": training.rawValue, "imbalance": imbalance,
                                         "tau": tau, "train_counts": prior.counts, "validation_per_class": validationPerClass]
            let hasCheckpoint = !TrainingRun.checkpoints(in: runDir).isEmpty
            let result = try trainer.run(model: model, train: trainSet, validation: validation, dir: runDir, config: config,
                                         resume: resume && hasCheckpoint)
            guard result.outcome == .finished else {
                throw TrainingError.badConfig("\(runDir.path): interrupted; rerun with --resume to continue")
            }
            let testLogits = ClassifierEvaluation.logits(model, test)
            switch training {
            case .crossEntropy:
                methods[Method.crossEntropy.rawValue] = evaluate(testLogits, tau: nil)
                let posthoc = try adjustedScores(testLogits, prior: prior, trainedWith: .plainCrossEntropy, mode: .balanced, posthocTau: tau)
                methods[Method.posthoc.rawValue] = evaluate(posthoc, tau: tau)
                let tuned = try tunePosthocTau(ClassifierEvaluation.logits(model, validation), labels: validation.labels, prior: prior)
                let tunedScores = try adjustedScores(testLogits, prior: prior, trainedWith: .plainCrossEntropy, mode: .balanced, posthocTau: tuned)
                methods[Method.posthocTuned.rawValue] = evaluate(tunedScores, tau: tuned)
            case .logitAdjusted:
                // Balanced prediction of an LA-loss model is the plain argmax (never adjust twice).
                methods[Method.logitAdjustedLoss.rawValue] = evaluate(testLogits, tau: nil)
            case .weighted:
                methods[Method.weighted.rawValue] = evaluate(testLogits, tau: nil)
            }
        }
        let result = SeedResult(seed: seed, trainCounts: prior.counts, methods: methods)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(result), to: resultURL)
        return result
    }

    func evaluate(_ scores: Tensor, tau: Double?) -> Evaluation {
        let m = ClassificationMetrics(predictions: scores.argmax(axis: -1).int32s, labels: test.labels, classes: test.classes)
        return Evaluation(balancedError: m.balancedError, accuracy: m.accuracy, perClassAccuracy: m.perClassAccuracy,
                          confusion: m.confusion, tau: tau)
    }

    /// The post-hoc τ ∈ {0, 0.25, …, 3} with the lowest balanced error on the validation split.
    func tunePosthocTau(_ logits: Tensor, labels: [Int32], prior: ClassPrior) throws -> Double {
        var best = (tau: 1.0, error: Double.infinity)
        for tau in stride(from: 0.0, through: 3.0, by: 0.25) {
            let s = try adjustedScores(logits, prior: prior, trainedWith: .plainCrossEntropy, mode: .balanced, posthocTau: tau)
            let e = ClassificationMetrics(predictions: s.argmax(axis: -1).int32s, labels: labels, classes: prior.classes).balancedError
            if e < best.error { best = (tau, e) }
        }
        return best.tau
    }
}
