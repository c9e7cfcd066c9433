import XCTest
import Foundation
@testable import KexueNN

/// Run folders, checkpoints and exact resumption, on a tiny synthetic problem with dropout on.
final class TrainingRunTests: XCTestCase {
    final class Net: Module, UnaryLayer {
        let fc1: Linear, fc2: Linear
        let drop = Dropout(0.3)
        init(seed: UInt64) {
            var rng = RandomGenerator(seed: seed)
            fc1 = Linear(2, 16, using: &rng)
            fc2 = Linear(16, 2, using: &rng)
            super.init()
        }
        func callAsFunction(_ x: Tensor) -> Tensor { fc2(drop(fc1(x).relu())) }
    }

    let points: Tensor = { var r = RandomGenerator(seed: 9); return Tensor.normal([200, 2], using: &r) }()
    var labels: [Int32] { let p = points.floats; return (0..<200).map { p[2 * $0] * p[2 * $0 + 1] > 0 ? 1 : 0 } }

    func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("kexue-run-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: d) }
        return d
    }

    /// Trains for 3 epochs (resuming if asked); `stopAt` requests a stop before that step.
    func train(dir: URL, resume: Bool, stopAt: Int? = nil, beforeResume: ((URL) throws -> Void)? = nil) throws -> (losses: [Double], firstStep: Int, outcome: TrainingRun.Outcome) {
        if resume, let beforeResume { try beforeResume(dir) }
        let model = Net(seed: 1)
        let optimizer = Adam(model.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: 0.01)
        let run = try TrainingRun(dir: dir, config: ["test": true], model: model, optimizer: optimizer, seed: 7, resume: resume)
        let loader = BatchLoader(count: 200, batchSize: 16, seed: 7)
        var losses: [Double] = []
        var first = -1
        let labels = self.labels
        let outcome = try run.fit(epochs: 3, loader: loader, step: { idx, step in
            if first < 0 { first = step }
            if step == stopAt { StopSignal.request() }
            let x = self.points.rows(Tensor(indices: idx))
            let loss = crossEntropy(logits: model(x), targets: Tensor(indices: idx.map { labels[$0] }, shape: [idx.count]))
            optimizer.zeroGrad(); loss.backward(); optimizer.step()
            losses.append(loss.item)
            return [("loss", loss.item)]
        })
        StopSignal.reset()
        return (losses, first, outcome)
    }

    func testResumeMidEpochReproducesTheUninterruptedRunExactly() throws {
        let full = try train(dir: tempDir(), resume: false)
        XCTAssertEqual(full.outcome, .finished)
        XCTAssertEqual(full.losses.count, 39)  // 13 batches × 3 epochs

        let dir = tempDir()
        // The stop is requested while step 20 (epoch 2, batch 8) runs; the checkpoint holds 21 steps.
        let first = try train(dir: dir, resume: false, stopAt: 20)
        XCTAssertEqual(first.outcome, .interrupted)
        XCTAssertEqual(first.losses.count, 21)
        let second = try train(dir: dir, resume: true)
        XCTAssertEqual(second.firstStep, 21, "resume must start at the saved step")
        XCTAssertEqual(first.losses + second.losses, full.losses, "resumed losses differ from the uninterrupted run")

        // A hollow resume (ignoring optimizer state) would not notice this: alter a saved moment.
        let altered = tempDir()
        _ = try train(dir: altered, resume: false, stopAt: 20)
        let third = try train(dir: altered, resume: true) { dir in
            let ckpt = TrainingRun.checkpoints(in: dir).last!.url.appendingPathComponent("optimizer.safetensors")
            var state = try SafeTensors.load(ckpt, keepFloat64: true)
            let key = state.keys.sorted().first { $0.hasSuffix("exp_avg") }!
            state[key] = state[key]! * 50
            try SafeTensors.save(state, to: ckpt)
        }
        XCTAssertNotEqual(third.losses, second.losses, "altering the saved optimizer state must change the resumed run")
    }

    func testNonFiniteLossStopsNamingTheStepAndKeepsTheCheckpoint() throws {
        let dir = tempDir()
        _ = try train(dir: dir, resume: false, stopAt: 5)
        let ckpt = TrainingRun.checkpoints(in: dir).last!.url
        let before = try Data(contentsOf: ckpt.appendingPathComponent("model.safetensors"))
        let model = Net(seed: 1)
        let optimizer = Adam(model.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: 0.01)
        let run = try TrainingRun(dir: dir, config: [:], model: model, optimizer: optimizer, seed: 7, resume: true)
        XCTAssertThrowsError(try run.fit(epochs: 3, loader: BatchLoader(count: 200, batchSize: 16, seed: 7),
                                         step: { _, step in [("loss", step == 9 ? .nan : 1.0)] })) { error in
            XCTAssertTrue("\(error)".contains("step 10"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: ckpt.appendingPathComponent("model.safetensors")), before)
    }

    func testFreshRunInAFolderWithCheckpointsAsksForResume() throws {
        let dir = tempDir()
        _ = try train(dir: dir, resume: false, stopAt: 3)
        XCTAssertThrowsError(try train(dir: dir, resume: false)) { XCTAssertTrue("\($0)".contains("--resume"), "\($0)") }
    }

    func testStrictLoadNamesMissingUnexpectedAndWrongShapeKeysAtOnce() throws {
        let model = Net(seed: 1)
        var state = model.stateDict()
        state["fc1.bias"] = nil
        state["fc3.weight"] = Tensor.zeros([1])
        state["fc2.weight"] = Tensor.zeros([3, 3])
        let before = model.fc2.weight.floats
        XCTAssertThrowsError(try model.load(state: state, source: "ckpt.safetensors")) { error in
            let text = "\(error)"
            for needle in ["ckpt.safetensors", "missing keys (1): fc1.bias", "unexpected keys (1): fc3.weight", "wrong shape: fc2.weight: model [2, 16], checkpoint [3, 3]"] {
                XCTAssertTrue(text.contains(needle), "'\(needle)' not in: \(text)")
            }
        }
        XCTAssertEqual(model.fc2.weight.floats, before, "a failed strict load must change nothing")
        let report = try model.load(state: state, strict: false)
        XCTAssertEqual(report.missing, ["fc1.bias"])
    }

    func testCheckpointOfAnotherArchitectureIsRefusedUntouched() throws {
        let dir = tempDir()
        let small = Net(seed: 1)
        try Checkpoint.save(to: dir, model: small, optimizer: nil, state: TrainerState())
        let other = Sequential { Linear(2, 4); ReLU(); Linear(4, 2) }
        let before = other.namedParameters().map { $0.1.floats }
        XCTAssertThrowsError(try Checkpoint.load(from: dir, model: other, optimizer: nil)) { error in
            XCTAssertTrue("\(error)".contains("fc1.weight"), "\(error)")
        }
        XCTAssertEqual(other.namedParameters().map { $0.1.floats }, before)
    }

    func testCorruptCheckpointFileGivesAClearErrorAndFailedSavesKeepTheOldFolder() throws {
        let dir = tempDir()
        let model = Net(seed: 1)
        try Checkpoint.save(to: dir, model: model, optimizer: nil, state: TrainerState())
        let file = dir.appendingPathComponent("model.safetensors")
        let good = try Data(contentsOf: file)
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.writeDirectory(at: dir) { tmp in
            try Data("half".utf8).write(to: tmp.appendingPathComponent("model.safetensors"))
            throw Boom()
        })
        XCTAssertEqual(try Data(contentsOf: file), good, "a failed save replaced the good checkpoint")
        try good.prefix(good.count / 2).write(to: file)
        XCTAssertThrowsError(try Checkpoint.load(from: dir, model: model, optimizer: nil)) { error in
            XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)")
        }
    }
}
