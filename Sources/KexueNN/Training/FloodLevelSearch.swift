import Foundation

/// Automatic flood-level search (METHODS.md §1(b)); no reference library has one. One seeded
/// training run per grid value b; the level chosen is the one with the lowest final validation
/// loss (default) or the best value of a named validation metric — never a test figure, and never
/// the flooded loss itself.
public struct FloodLevelSearch {
    public enum Criterion: Sendable, Equatable {
        case validationLoss
        case metric(name: String, higherIsBetter: Bool)
    }

    /// What one training run at level b reports back.
    public struct Trial {
        public var level: Double
        /// Final plain (unflooded) loss on the validation split.
        public var validationLoss: Double
        /// Other validation metrics by name (e.g. "accuracy").
        public var metrics: [String: Double]
        /// Raw mean training loss of each step, in order (to check where it settled).
        public var trainLoss: [Double]

        public init(level: Double, validationLoss: Double, metrics: [String: Double] = [:], trainLoss: [Double]) {
            self.level = level
            self.validationLoss = validationLoss
            self.metrics = metrics
            self.trainLoss = trainLoss
        }

        /// Mean raw training loss over the last quarter of the steps.
        public var settledTrainLoss: Double {
            let tail = trainLoss.suffix(Swift.max(1, trainLoss.count / 4))
            return tail.reduce(0, +) / Double(Swift.max(tail.count, 1))
        }

        /// Notes for the user: a level at or above the initial loss is pure gradient ascent; a loss
        /// that never came near b means the level never acted.
        public var warnings: [String] {
            guard level > 0, let first = trainLoss.first else { return [] }
            var w: [String] = []
            if level >= first { w.append("b = \(level) ≥ the initial training loss \(first): the run only ascends") }
            else if settledTrainLoss > level + 0.05 {
                w.append("b = \(level): the training loss settled at \(settledTrainLoss), never near b (train longer or lower b)")
            }
            return w
        }
    }

    public let levels: [Double]
    public let criterion: Criterion

    public init(levels: [Double], criterion: Criterion = .validationLoss) throws {
        guard !levels.isEmpty else { throw FloodingError(message: "flood-level search: the grid of levels is empty") }
        for b in levels where !(b.isFinite && b >= 0) {
            throw FloodingError(message: "flood-level search: level \(b) is not a finite number ≥ 0")
        }
        guard Set(levels).count == levels.count else { throw FloodingError(message: "flood-level search: repeated levels in \(levels)") }
        self.levels = levels
        self.criterion = criterion
    }

    /// Runs `train(b)` for every level in order and returns all trials and the chosen one.
    public func run(_ train: (Double) throws -> Trial) throws -> (trials: [Trial], chosen: Trial) {
        let trials = try levels.map(train)
        return (trials, try choose(trials))
    }

    /// The best trial by the criterion (ties: the lower level, i.e. less flooding).
    public func choose(_ trials: [Trial]) throws -> Trial {
        func score(_ t: Trial) throws -> Double {
            switch criterion {
            case .validationLoss: return t.validationLoss
            case .metric(let name, let higher):
                guard let v = t.metrics[name] else {
                    throw FloodingError(message: "flood-level search: trial b = \(t.level) has no validation metric '\(name)' (has \(t.metrics.keys.sorted()))")
                }
                return higher ? -v : v
            }
        }
        var best: (Trial, Double)? = nil
        for t in trials.sorted(by: { $0.level < $1.level }) {
            let s = try score(t)
            guard s.isFinite else { continue }
            if best == nil || s < best!.1 { best = (t, s) }
        }
        guard let best else { throw FloodingError(message: "flood-level search: no trial has a finite validation score") }
        return best.0
    }
}
