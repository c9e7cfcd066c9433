import Foundation

/// A training run folder and the loop around a user's step function — helpers, not a framework:
/// the caller writes forward, backward and the optimizer step; the run handles the rest.
///
///     runs/<name>/config.json        what the run was started with
///     runs/<name>/metrics.jsonl      one JSON object per logged value
///     runs/<name>/checkpoint-<step>/ the latest checkpoints (the last two are kept)
///     runs/<name>/best/              the best model by a validation metric
///
/// Reproducibility: batches of epoch e depend only on (seed, e) and the process-wide generator
/// (dropout) is re-seeded from (seed, step) before every step, so a resumed run — even one cut
/// mid-epoch — computes exactly what the uninterrupted run would have.
public final class TrainingRun {
    public let dir: URL
    public let model: Module
    public let optimizer: Optimizer?
    public private(set) var state: TrainerState
    public let metrics: MetricsLog
    /// Save a checkpoint at least this often (seconds of training), and at the end of each epoch.
    public var checkpointInterval: TimeInterval = 900
    /// Also save every this many steps (0: off).
    public var checkpointEverySteps = 0
    public var keepCheckpoints = 2
    /// Plain progress lines every this many steps when stderr is not a terminal.
    public var progressEvery = 50

    public enum Outcome: Equatable { case finished, interrupted }

    /// Opens `dir` for a new run, or resumes its latest checkpoint. Starting fresh in a folder
    /// that already has checkpoints is an error (pass `resume` or another name).
    public init(dir: URL, config: [String: Any], model: Module, optimizer: Optimizer?, seed: UInt64, resume: Bool) throws {
        self.dir = dir
        self.model = model
        self.optimizer = optimizer
        let fm = FileManager.default
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let latest = TrainingRun.checkpoints(in: dir).last
        if resume {
            guard let latest else { throw TrainingError.badCheckpoint("\(dir.path): --resume given but there is no checkpoint-<step> folder") }
            // A resumed run must compute what the uninterrupted one would have: a changed epoch count
            // (a forgotten --epochs taking its default) silently re-shapes the warm-up and cosine schedule.
            try TrainingRun.checkSameConfig(dir: dir, config: config)
            // The seed is checked before the weights are touched, so a refused resume leaves the model as it was.
            state = try Checkpoint.load(from: latest.url, model: model, optimizer: optimizer, expectedSeed: seed)
            metrics = try MetricsLog(url: dir.appendingPathComponent("metrics.jsonl"), truncateAfterStep: state.step)
            Progress.note("resuming \(dir.lastPathComponent) from step \(state.step) (epoch \(state.epoch + 1), batch \(state.batchInEpoch))")
        } else {
            if let latest {
                throw TrainingError.badConfig("\(dir.path) already holds \(latest.url.lastPathComponent); pass --resume to continue it or choose another --name")
            }
            state = TrainerState(seed: seed)
            try? fm.removeItem(at: dir.appendingPathComponent("metrics.jsonl"))
            metrics = try MetricsLog(url: dir.appendingPathComponent("metrics.jsonl"))
            let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write(data, to: dir.appendingPathComponent("config.json"))
        }
    }

    /// Refuses a resume whose `config` differs from the run's saved config.json in any key both
    /// have, naming every such key with both values. Keys only one side has (a run saved by an
    /// older version) are not compared; a run folder without config.json is not checked.
    static func checkSameConfig(dir: URL, config: [String: Any]) throws {
        let url = dir.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: url) else { return }
        guard let saved = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TrainingError.badConfig("\(url.path): not a JSON object; cannot check that the resumed run matches it")
        }
        // Values compare as the JSON text they are saved as, so 0.005 read back equals 0.005 given.
        func text(_ v: Any) -> String {
            guard let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]) else { return "\(v)" }
            return String(decoding: d, as: UTF8.self)
        }
        let differing = config.keys.sorted().compactMap { key -> String? in
            guard let old = saved[key], let new = config[key], text(old) != text(new) else { return nil }
            return "\(key) is \(text(new)) here but \(text(old)) in the run"
        }
        if !differing.isEmpty {
            throw TrainingError.badConfig("\(dir.path): --resume with settings that differ from its config.json: \(differing.joined(separator: "; ")). Pass the run's values (or omit them where the command reads them from the run) or start another --name")
        }
    }

    /// Checkpoint folders sorted by step.
    public static func checkpoints(in dir: URL) -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.compactMap { n -> (Int, URL)? in
            guard n.hasPrefix("checkpoint-"), let s = Int(n.dropFirst("checkpoint-".count)) else { return nil }
            return (s, dir.appendingPathComponent(n, isDirectory: true))
        }.sorted { $0.0 < $1.0 }.map { (step: $0.0, url: $0.1) }
    }

    public func saveCheckpoint() throws {
        try Checkpoint.save(to: dir.appendingPathComponent("checkpoint-\(state.step)", isDirectory: true),
                            model: model, optimizer: optimizer, state: state)
        for old in TrainingRun.checkpoints(in: dir).dropLast(keepCheckpoints) {
            try? FileManager.default.removeItem(at: old.url)
        }
    }

    /// Saves `best/` when `value` beats the best so far; returns whether it did.
    @discardableResult
    public func offerBest(_ value: Double, higherIsBetter: Bool) throws -> Bool {
        guard value.isFinite else { return false }
        if let best = state.bestMetric, higherIsBetter ? value <= best : value >= best { return false }
        state.bestMetric = value
        try Checkpoint.save(to: dir.appendingPathComponent("best", isDirectory: true), model: model, optimizer: nil, state: state)
        return true
    }

    /// Runs epochs of `loader`. `step(indices, step)` does one optimizer step on a batch and returns
    /// named values, the training loss first (logged to metrics.jsonl and shown in progress);
    /// a non-finite loss stops the run with the step named, leaving the saved checkpoints intact.
    /// `endOfEpoch(epoch)` may evaluate and returns values to log under split "validation".
    public func fit(epochs: Int, loader: some BatchSource,
                    step: ([Int], Int) throws -> [(String, Double)],
                    endOfEpoch: ((Int) throws -> [(String, Double)])? = nil) throws -> Outcome {
        StopSignal.install()
        let perEpoch = loader.batchesPerEpoch
        let total = epochs * perEpoch
        let progress = Progress(total: total, label: dir.lastPathComponent, every: progressEvery)
        var lastSave = Date()
        while state.epoch < epochs {
            let batches = loader.batches(epoch: state.epoch)
            while state.batchInEpoch < perEpoch {
                if StopSignal.isRequested {
                    try saveCheckpoint()
                    Progress.note("stopped at step \(state.step); checkpoint saved — continue with --resume")
                    return .interrupted
                }
                Random.seed(state.seed &* 0x2545_F491_4F6C_DD1D &+ UInt64(state.step))
                let values = try step(batches[state.batchInEpoch], state.step)
                if let (name, loss) = values.first, !loss.isFinite {
                    throw TrainingError.nonFinite("step \(state.step + 1) (epoch \(state.epoch + 1)): \(name) is \(loss); the last checkpoint in \(dir.path) is intact")
                }
                state.step += 1
                state.batchInEpoch += 1
                for (name, v) in values { metrics.log(step: state.step, epoch: state.epoch, split: "train", name: name, value: v) }
                progress.update(step: state.step, Array(values.prefix(3)))
                if Date().timeIntervalSince(lastSave) > checkpointInterval
                    || (checkpointEverySteps > 0 && state.step % checkpointEverySteps == 0) {
                    try saveCheckpoint()
                    lastSave = Date()
                }
            }
            if let endOfEpoch {
                for (name, v) in try endOfEpoch(state.epoch) {
                    metrics.log(step: state.step, epoch: state.epoch, split: "validation", name: name, value: v)
                }
            }
            state.epoch += 1
            state.batchInEpoch = 0
            try saveCheckpoint()
            lastSave = Date()
        }
        return .finished
    }
}
