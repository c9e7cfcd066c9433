import Foundation

/// A training checkpoint folder, written atomically (a temporary sibling swapped into place):
///
///     model.safetensors       the module's tensors under its own paths
///     optimizer.safetensors   the optimizer's state (moments, step counts)
///     trainer.json            step, epoch, batch within the epoch, best metric, run seed
public struct TrainerState: Codable, Sendable, Equatable {
    /// Optimizer steps completed.
    public var step: Int
    /// Epoch in progress, and batches of it already done (to resume mid-epoch).
    public var epoch: Int
    public var batchInEpoch: Int
    public var bestMetric: Double?
    public var seed: UInt64

    public init(step: Int = 0, epoch: Int = 0, batchInEpoch: Int = 0, bestMetric: Double? = nil, seed: UInt64 = 0) {
        self.step = step
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
        self.bestMetric = bestMetric
        self.seed = seed
    }
}

public enum Checkpoint {
    public static func save(to dir: URL, model: Module, optimizer: Optimizer?, state: TrainerState) throws {
        try AtomicFile.writeDirectory(at: dir) { tmp in
            try SafeTensors.save(model.stateDict(), to: tmp.appendingPathComponent("model.safetensors"),
                                 metadata: ["format": "kexue"])
            if let optimizer {
                try SafeTensors.save(optimizer.stateDict(), to: tmp.appendingPathComponent("optimizer.safetensors"))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(state), to: tmp.appendingPathComponent("trainer.json"))
        }
    }

    /// Restores model and optimizer in place and returns the trainer state. Strict: a checkpoint
    /// of another architecture fails with every bad key named, before anything is changed.
    /// `expectedSeed`, when given, must equal the saved run seed (checked before anything changes).
    public static func load(from dir: URL, model: Module, optimizer: Optimizer?, expectedSeed: UInt64? = nil) throws -> TrainerState {
        let modelURL = dir.appendingPathComponent("model.safetensors")
        let tensors = try SafeTensors.load(modelURL, keepFloat64: true)
        let report = model.check(state: tensors, source: modelURL.path)
        guard report.isClean else { throw report }
        var optimizerState: [String: Tensor]? = nil
        if optimizer != nil {
            let url = dir.appendingPathComponent("optimizer.safetensors")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw TrainingError.badCheckpoint("\(dir.path): no optimizer.safetensors to resume from")
            }
            optimizerState = try SafeTensors.load(url, keepFloat64: true)
        }
        let stateURL = dir.appendingPathComponent("trainer.json")
        let state: TrainerState
        do { state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL)) }
        catch { throw TrainingError.badCheckpoint("\(stateURL.path): unreadable trainer state (\(error))") }
        if let expectedSeed, state.seed != expectedSeed {
            throw TrainingError.badConfig("\(dir.path): saved with seed \(state.seed), resumed with seed \(expectedSeed)")
        }
        if let optimizer, let optimizerState { try optimizer.loadStateDict(optimizerState) }
        try model.load(state: tensors, strict: true, source: modelURL.path)
        return state
    }
}
