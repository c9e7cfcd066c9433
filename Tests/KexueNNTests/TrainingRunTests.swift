import XCTest
import Foundation
@testable import KexueNN

/// Run folders, checkpoints and resume (DESIGN.md §5) on a tiny synthetic problem: 200 random
/// 2-D points labelled by the sign of x·y, an MLP with dropout, Adam, batches of 16 (13 per epoch).
final class TrainingRunTests: XCTestCase {
    static let pointCount = 200
    static let runSeed: UInt64 = 11

    /// 200 points in [-1, 1)², label 1 where x·y > 0.
    static let data: (x: [Float], y: [Int32]) = {
        var rng = RandomGenerator(seed: 2024)
        var xs: [Float] = [], ys: [Int32] = []
        for _ in 0..<pointCount {
            let a = Float(rng.nextUniform() * 2 - 1), b = Float(rng.nextUniform() * 2 - 1)
            xs += [a, b]
            ys.append(a * b > 0 ? 1 : 0)
        }
        return (xs, ys)
    }()

    static func batch(_ indices: [Int]) -> (Tensor, Tensor) {
        var xs: [Float] = [], ys: [Int32] = []
        for i in indices { xs += data.x[(2 * i)..<(2 * i + 2)]; ys.append(data.y[i]) }
        return (Tensor(xs, shape: [indices.count, 2]), Tensor(indices: ys, shape: [indices.count]))
    }

    /// The MLP, initialised from its own generator (so `initSeed` alone decides the weights).
    static func makeModel(initSeed: UInt64, hidden: Int = 16) -> Sequential {
        var rng = RandomGenerator(seed: initSeed)
        return Sequential {
            Linear(2, hidden, using: &rng)
            ReLU()
            Dropout(0.3)
            Linear(hidden, 2, using: &rng)
        }
    }

    static func makeAdam(_ model: Module) -> Adam {
        Adam(model.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: 0.01)
    }

    static let loader = BatchLoader(count: pointCount, batchSize: 16, shuffle: true, seed: runSeed)

    /// One real training step; appends the loss and the step index it was called with.
    static func trainingStep(model: Sequential, optimizer: Adam, losses: Box<[Double]>, steps: Box<[Int]>,
                             hook: ((Int) -> Void)? = nil) -> ([Int], Int) throws -> [(String, Double)] {
        return { indices, step in
            let (x, y) = batch(indices)
            let loss = crossEntropy(logits: model(x), targets: y)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            losses.value.append(loss.item)
            steps.value.append(step)
            hook?(step)
            return [("loss", loss.item)]
        }
    }

    final class Box<T> { var value: T; init(_ v: T) { value = v } }

    var tmp: URL!

    override func setUp() {
        super.setUp()
        StopSignal.reset()
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("kexue-trainingrun-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDown() {
        StopSignal.reset()
        try? FileManager.default.removeItem(at: tmp)
        super.tearDown()
    }

    func open(_ dir: URL, model: Module, optimizer: Optimizer?, resume: Bool, seed: UInt64 = TrainingRunTests.runSeed) throws -> TrainingRun {
        let run = try TrainingRun(dir: dir, config: ["test": true], model: model, optimizer: optimizer, seed: seed, resume: resume)
        run.progressEvery = 1_000_000
        return run
    }

    /// All bytes of every regular file below `dir`, by relative path.
    func snapshot(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        for name in try fm.subpathsOfDirectory(atPath: dir.path) {
            var isDir: ObjCBool = false
            let url = dir.appendingPathComponent(name)
            if fm.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { out[name] = try Data(contentsOf: url) }
        }
        return out
    }

    func values(_ m: Module) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: m.namedTensors().map { ($0.0, $0.1.floats) })
    }

    // MARK: a. exact resume

    func testResumeMidEpochReproducesTheUninterruptedRunBitForBit() throws {
        let epochs = 3, perEpoch = Self.loader.batchesPerEpoch
        XCTAssertEqual(perEpoch, 13)
        let stopAt = perEpoch + 6   // the 7th step of epoch 2 (0-based step index passed to the closure)

        // A: uninterrupted.
        let lossesA = Box<[Double]>([]), stepsA = Box<[Int]>([])
        do {
            let model = Self.makeModel(initSeed: 1), opt = Self.makeAdam(model)
            let run = try open(tmp.appendingPathComponent("A"), model: model, optimizer: opt, resume: false)
            let outcome = try run.fit(epochs: epochs, loader: Self.loader,
                                      step: Self.trainingStep(model: model, optimizer: opt, losses: lossesA, steps: stepsA))
            XCTAssertEqual(outcome, .finished)
        }
        XCTAssertEqual(lossesA.value.count, epochs * perEpoch)
        XCTAssertEqual(stepsA.value, Array(0..<(epochs * perEpoch)))
        XCTAssertTrue(lossesA.value.allSatisfy(\.isFinite))
        XCTAssertLessThan(lossesA.value.suffix(13).reduce(0, +), lossesA.value.prefix(13).reduce(0, +), "the MLP should learn something")

        // B, part 1: same seed, interrupted from inside a step in the middle of epoch 2.
        let dirB = tmp.appendingPathComponent("B")
        let lossesB = Box<[Double]>([]), stepsB = Box<[Int]>([])
        do {
            let model = Self.makeModel(initSeed: 1), opt = Self.makeAdam(model)
            let run = try open(dirB, model: model, optimizer: opt, resume: false)
            let outcome = try run.fit(epochs: epochs, loader: Self.loader,
                                      step: Self.trainingStep(model: model, optimizer: opt, losses: lossesB, steps: stepsB,
                                                              hook: { if $0 == stopAt { StopSignal.request() } }))
            StopSignal.reset()
            XCTAssertEqual(outcome, .interrupted)
            XCTAssertEqual(run.state.step, stopAt + 1)
            XCTAssertEqual(run.state.epoch, 1)
            XCTAssertEqual(run.state.batchInEpoch, 7)
        }
        let saved = try XCTUnwrap(TrainingRun.checkpoints(in: dirB).last)
        XCTAssertEqual(saved.step, stopAt + 1)
        let trainer = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: saved.url.appendingPathComponent("trainer.json")))
        XCTAssertEqual(trainer, TrainerState(step: stopAt + 1, epoch: 1, batchInEpoch: 7, bestMetric: nil, seed: Self.runSeed))

        // Keep a copy of the interrupted folder for run C (B's resume prunes old checkpoints).
        let dirC = tmp.appendingPathComponent("C")
        try FileManager.default.copyItem(at: dirB, to: dirC)

        // B, part 2: fresh objects with *different* initial weights, so only a real load can match A.
        let resumedSteps = Box<[Int]>([])
        do {
            let model = Self.makeModel(initSeed: 999), opt = Self.makeAdam(model)
            XCTAssertEqual(opt.stepCount, 0)
            let run = try open(dirB, model: model, optimizer: opt, resume: true)
            XCTAssertEqual(run.state.step, saved.step)
            XCTAssertEqual(opt.stepCount, saved.step, "optimizer step count restored")
            let outcome = try run.fit(epochs: epochs, loader: Self.loader,
                                      step: Self.trainingStep(model: model, optimizer: opt, losses: lossesB, steps: resumedSteps))
            XCTAssertEqual(outcome, .finished)
        }
        XCTAssertEqual(resumedSteps.value.first, saved.step, "the first resumed step is the saved step")
        XCTAssertEqual(stepsB.value + resumedSteps.value, Array(0..<(epochs * perEpoch)))
        XCTAssertEqual(lossesB.value.count, lossesA.value.count)
        XCTAssertEqual(lossesB.value.map(\.bitPattern), lossesA.value.map(\.bitPattern), "resumed losses must equal the uninterrupted run's exactly")

        // metrics.jsonl was truncated at the checkpoint on resume: one train loss per step, no repeats.
        let logged = try MetricsLog.read(dirB.appendingPathComponent("metrics.jsonl")).filter { $0.split == "train" && $0.name == "loss" }
        XCTAssertEqual(logged.map(\.step), Array(1...(epochs * perEpoch)))
        // (JSON text keeps ~16 significant digits, so compare the logged values closely, not bitwise.)
        XCTAssertEqual(logged.count, lossesA.value.count)
        for (l, a) in zip(logged, lossesA.value) { XCTAssertEqual(l.value, a, accuracy: 1e-12 * abs(a), "step \(l.step)") }

        // C: the same checkpoint with one Adam moment altered on disk must train differently.
        let checkpointC = dirC.appendingPathComponent(saved.url.lastPathComponent)
        let optURL = checkpointC.appendingPathComponent("optimizer.safetensors")
        var optState = try SafeTensors.load(optURL, keepFloat64: true)
        let key = "layers.0.weight.exp_avg"
        let moment = try XCTUnwrap(optState[key], "saved optimizer keys: \(optState.keys.sorted())")
        optState[key] = Tensor(moment.floats.map { $0 * 3 + 0.01 }, shape: moment.shape)
        try SafeTensors.save(optState, to: optURL)
        let lossesC = Box<[Double]>([]), stepsC = Box<[Int]>([])
        do {
            let model = Self.makeModel(initSeed: 999), opt = Self.makeAdam(model)
            let run = try open(dirC, model: model, optimizer: opt, resume: true)
            _ = try run.fit(epochs: epochs, loader: Self.loader,
                            step: Self.trainingStep(model: model, optimizer: opt, losses: lossesC, steps: stepsC))
        }
        let tailA = Array(lossesA.value[saved.step...])
        XCTAssertEqual(stepsC.value.first, saved.step)
        XCTAssertEqual(lossesC.value.count, tailA.count)
        // The first resumed loss is computed before any optimizer step: the model itself was restored.
        XCTAssertEqual(lossesC.value.first?.bitPattern, tailA.first?.bitPattern)
        XCTAssertNotEqual(lossesC.value.map(\.bitPattern), tailA.map(\.bitPattern),
                          "altered optimizer state on disk must change the resumed run (else resume ignores it)")
    }

    // MARK: b. non-finite loss

    func testNaNLossThrowsNamingTheStepAndLeavesCheckpointsIntact() throws {
        let dir = tmp.appendingPathComponent("nan")
        let model = Self.makeModel(initSeed: 3), opt = Self.makeAdam(model)
        let run = try open(dir, model: model, optimizer: opt, resume: false)
        run.checkpointEverySteps = 5
        let nanAt = 8   // 0-based index: the 9th step, as logged in metrics.jsonl
        var lastCheckpoint: (step: Int, url: URL)?
        var before: [String: Data] = [:]
        let losses = Box<[Double]>([]), steps = Box<[Int]>([])
        let real = Self.trainingStep(model: model, optimizer: opt, losses: losses, steps: steps)
        XCTAssertThrowsError(try run.fit(epochs: 2, loader: Self.loader, step: { indices, step in
            let values = try real(indices, step)   // a real update happens, then the loss is bad
            if step == nanAt {
                lastCheckpoint = TrainingRun.checkpoints(in: dir).last
                before = (try? self.snapshot(lastCheckpoint!.url)) ?? [:]
                return [("loss", .nan), ("accuracy", 0.5)]
            }
            return values
        })) { error in
            guard let e = error as? TrainingError, case .nonFinite = e else { return XCTFail("expected TrainingError.nonFinite, got \(error)") }
            XCTAssertTrue(e.description.contains("step \(nanAt + 1) "), e.description)
            XCTAssertTrue(e.description.contains("nan"), e.description)
        }
        XCTAssertEqual(steps.value.last, nanAt, "no step after the NaN")
        let last = try XCTUnwrap(lastCheckpoint)
        XCTAssertEqual(last.step, 5)
        XCTAssertEqual(TrainingRun.checkpoints(in: dir).map(\.step), [5], "no checkpoint written for or after the bad step")
        XCTAssertNotNil(before["model.safetensors"])
        XCTAssertEqual(try snapshot(last.url), before, "the last checkpoint's files are byte-for-byte unchanged")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasPrefix(".") },
                       "no temporary folders left behind")
        // The bad value was not logged as a training loss.
        let logged = try MetricsLog.read(dir.appendingPathComponent("metrics.jsonl")).filter { $0.name == "loss" }
        XCTAssertEqual(logged.map(\.step), Array(1...nanAt))
    }

    // MARK: c. strict loading

    func testStrictLoadReportsEveryBadKeyInOneErrorAndChangesNothing() throws {
        let model = Self.makeModel(initSeed: 5, hidden: 4)
        let original = values(model)
        var state: [String: Tensor] = [:]
        for (name, t) in model.namedTensors() { state[name] = Tensor(t.floats.map { $0 + 1 }, shape: t.shape) }
        state["layers.3.bias"] = nil                                        // missing
        state["layers.9.weight"] = Tensor([1, 2], shape: [2])               // unexpected
        state["layers.0.weight"] = Tensor([Float](repeating: 0, count: 12), shape: [4, 3])  // wrong shape ([4, 2] in the model)

        var thrown: [Error] = []
        do { try model.load(state: state, strict: true, source: "fake.safetensors") } catch { thrown.append(error) }
        XCTAssertEqual(thrown.count, 1)
        let report = try XCTUnwrap(thrown.first as? LoadReport)
        XCTAssertEqual(report.missing, ["layers.3.bias"])
        XCTAssertEqual(report.unexpected, ["layers.9.weight"])
        XCTAssertEqual(report.wrongShape.map(\.name), ["layers.0.weight"])
        XCTAssertEqual(report.wrongShape.first?.expected, [4, 2])
        XCTAssertEqual(report.wrongShape.first?.found, [4, 3])
        for needle in ["fake.safetensors", "layers.3.bias", "layers.9.weight", "layers.0.weight", "[4, 2]", "[4, 3]"] {
            XCTAssertTrue(report.description.contains(needle), "\(needle) not in: \(report.description)")
        }
        XCTAssertEqual(values(model), original, "a failed strict load changes nothing")

        // Non-strict: the same report comes back, and only the matching keys are copied.
        let loose = try model.load(state: state, strict: false)
        XCTAssertEqual(loose.missing, report.missing)
        XCTAssertEqual(loose.unexpected, report.unexpected)
        XCTAssertEqual(loose.wrongShape.map(\.name), report.wrongShape.map(\.name))
        let after = values(model)
        XCTAssertEqual(after["layers.0.weight"], original["layers.0.weight"])
        XCTAssertEqual(after["layers.3.bias"], original["layers.3.bias"])
        XCTAssertEqual(after["layers.0.bias"], original["layers.0.bias"]!.map { $0 + 1 })
        XCTAssertEqual(after["layers.3.weight"], original["layers.3.weight"]!.map { $0 + 1 })
        // A clean state loads strictly and reports nothing.
        XCTAssertTrue(try model.load(state: model.stateDict(), strict: true).isClean)
    }

    // MARK: d. checkpoint of another architecture

    func testCheckpointOfAnotherArchitectureFailsNamingKeysAndChangesNothing() throws {
        let dir = tmp.appendingPathComponent("checkpoint-1")
        let source = Self.makeModel(initSeed: 7, hidden: 8), sourceOpt = Self.makeAdam(source)
        try trainOneStep(source, sourceOpt)
        try Checkpoint.save(to: dir, model: source, optimizer: sourceOpt, state: TrainerState(step: 1, seed: 0))

        // Another architecture: hidden width 4 and no dropout (so layer indices shift too).
        var rng = RandomGenerator(seed: 8)
        let other = Sequential { Linear(2, 4, using: &rng); ReLU(); Linear(4, 2, using: &rng) }
        let otherOpt = Self.makeAdam(other)
        try trainOneStep(other, otherOpt)
        let weightsBefore = values(other), optBefore = otherOpt.stateDict().mapValues(\.doubles)
        XCTAssertThrowsError(try Checkpoint.load(from: dir, model: other, optimizer: otherOpt)) { error in
            guard let report = error as? LoadReport else { return XCTFail("expected LoadReport, got \(error)") }
            XCTAssertEqual(Set(report.missing), ["layers.2.weight", "layers.2.bias"])
            XCTAssertEqual(Set(report.unexpected), ["layers.3.weight", "layers.3.bias"])
            XCTAssertEqual(Set(report.wrongShape.map(\.name)), ["layers.0.weight", "layers.0.bias"])
            let text = String(describing: error)
            for needle in ["model.safetensors", "layers.2.weight", "layers.3.bias", "layers.0.weight"] {
                XCTAssertTrue(text.contains(needle), "\(needle) not in: \(text)")
            }
        }
        XCTAssertEqual(values(other), weightsBefore, "model untouched")
        XCTAssertEqual(otherOpt.stateDict().mapValues(\.doubles), optBefore, "optimizer untouched")

        // Same architecture but an optimizer whose state does not fit (SGD with momentum vs Adam's
        // moments): fails, and the model is not half-loaded either.
        let twin = Self.makeModel(initSeed: 70, hidden: 8)
        let sgd = SGD(twin.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: 0.1, momentum: 0.9)
        let twinBefore = values(twin)
        XCTAssertThrowsError(try Checkpoint.load(from: dir, model: twin, optimizer: sgd)) { error in
            XCTAssertTrue(error is OptimizerStateError, "\(error)")
            XCTAssertTrue(String(describing: error).contains("exp_avg"), "\(error)")
        }
        XCTAssertEqual(values(twin), twinBefore, "model untouched when the optimizer state is rejected")
        XCTAssertEqual(sgd.stepCount, 0)

        // And the matching pair loads exactly.
        let copy = Self.makeModel(initSeed: 71, hidden: 8), copyOpt = Self.makeAdam(copy)
        XCTAssertEqual(try Checkpoint.load(from: dir, model: copy, optimizer: copyOpt), TrainerState(step: 1, seed: 0))
        XCTAssertEqual(values(copy), values(source))
        XCTAssertEqual(copyOpt.stateDict().mapValues(\.doubles), sourceOpt.stateDict().mapValues(\.doubles))
    }

    func trainOneStep(_ model: Sequential, _ opt: Adam) throws {
        let (x, y) = Self.batch(Array(0..<16))
        let loss = crossEntropy(logits: model(x), targets: y)
        opt.zeroGrad()
        loss.backward()
        opt.step()
    }

    // MARK: e. corrupted files and failed saves

    func testCorruptedModelFileIsNamedAndFailedSavesKeepTheGoodCheckpoint() throws {
        let dir = tmp.appendingPathComponent("checkpoint-3")
        let model = Self.makeModel(initSeed: 9), opt = Self.makeAdam(model)
        try trainOneStep(model, opt)
        try Checkpoint.save(to: dir, model: model, optimizer: opt, state: TrainerState(step: 3, seed: 0))
        let good = try snapshot(dir)
        XCTAssertEqual(Set(good.keys), ["model.safetensors", "optimizer.safetensors", "trainer.json"])
        let modelURL = dir.appendingPathComponent("model.safetensors")

        func expectNamedFailure(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
            let target = Self.makeModel(initSeed: 10), targetOpt = Self.makeAdam(target)
            let before = values(target)
            XCTAssertThrowsError(try Checkpoint.load(from: dir, model: target, optimizer: targetOpt), what, file: file, line: line) { error in
                XCTAssertTrue(String(describing: error).contains(modelURL.path), "\(what): error does not name the file: \(error)", file: file, line: line)
            }
            XCTAssertEqual(values(target), before, "\(what): model changed", file: file, line: line)
            XCTAssertEqual(targetOpt.stepCount, 0, "\(what): optimizer changed", file: file, line: line)
        }

        // Truncated: the last tensor's bytes are cut off.
        let bytes = good["model.safetensors"]!
        try bytes.prefix(bytes.count - 10).write(to: modelURL)
        expectNamedFailure("truncated")
        // Header length pointing past the end of the file.
        var badHeader = bytes
        badHeader.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0x00, 0, 0, 0, 0])
        try badHeader.write(to: modelURL)
        expectNamedFailure("bad header length")
        // Not JSON in the header.
        var garbage = bytes
        garbage.replaceSubrange(8..<16, with: Array("!garbage".utf8))
        try garbage.write(to: modelURL)
        expectNamedFailure("garbage header")
        // Empty file.
        try Data().write(to: modelURL)
        expectNamedFailure("empty")
        try bytes.write(to: modelURL)

        // A failed save must not replace the good folder. (1) Through Checkpoint.save: a state
        // JSONEncoder refuses (non-finite best metric) fails after both safetensors files are written.
        let changed = Self.makeModel(initSeed: 12), changedOpt = Self.makeAdam(changed)
        try trainOneStep(changed, changedOpt)
        XCTAssertThrowsError(try Checkpoint.save(to: dir, model: changed, optimizer: changedOpt,
                                                 state: TrainerState(step: 4, bestMetric: .nan, seed: 0)))
        XCTAssertEqual(try snapshot(dir), good, "good checkpoint overwritten by a failed save")
        // (2) Directly: a build closure that writes half a model file, then throws.
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.writeDirectory(at: dir) { tmpDir in
            try Data(bytes.prefix(100)).write(to: tmpDir.appendingPathComponent("model.safetensors"))
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(try snapshot(dir), good)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), ["checkpoint-3"],
                       "no temporary siblings left behind")
        // The good checkpoint still loads.
        let reloaded = Self.makeModel(initSeed: 13), reloadedOpt = Self.makeAdam(reloaded)
        XCTAssertEqual(try Checkpoint.load(from: dir, model: reloaded, optimizer: reloadedOpt).step, 3)
        XCTAssertEqual(values(reloaded), values(model))
    }

    // MARK: f. fresh start over an existing run

    func testFreshRunOverExistingCheckpointsAsksForResume() throws {
        let dir = tmp.appendingPathComponent("run")
        do {
            let model = Self.makeModel(initSeed: 1), opt = Self.makeAdam(model)
            let run = try open(dir, model: model, optimizer: opt, resume: false)
            let losses = Box<[Double]>([]), steps = Box<[Int]>([])
            XCTAssertEqual(try run.fit(epochs: 1, loader: Self.loader,
                                       step: Self.trainingStep(model: model, optimizer: opt, losses: losses, steps: steps)), .finished)
        }
        let before = try snapshot(dir)
        XCTAssertNotNil(before["checkpoint-13/model.safetensors"])
        XCTAssertNotNil(before["metrics.jsonl"])

        let model = Self.makeModel(initSeed: 1), opt = Self.makeAdam(model)
        XCTAssertThrowsError(try open(dir, model: model, optimizer: opt, resume: false)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("--resume"), text)
            XCTAssertTrue(text.contains("checkpoint-13"), text)
        }
        XCTAssertEqual(try snapshot(dir), before, "a refused fresh start leaves the run folder (metrics, config, checkpoints) untouched")

        // Resuming with another seed is refused too (it could not reproduce the run), before the
        // weights or the optimizer state are touched.
        let weightsBefore = values(model), optBefore = opt.stateDict().mapValues(\.doubles)
        XCTAssertThrowsError(try open(dir, model: model, optimizer: opt, resume: true, seed: 12345)) { error in
            XCTAssertTrue(String(describing: error).contains("seed"), "\(error)")
        }
        XCTAssertEqual(values(model), weightsBefore, "a refused resume leaves the model untouched")
        XCTAssertEqual(opt.stateDict().mapValues(\.doubles), optBefore, "a refused resume leaves the optimizer untouched")
        // --resume in an empty folder says there is nothing to resume.
        XCTAssertThrowsError(try open(tmp.appendingPathComponent("empty"), model: model, optimizer: opt, resume: true)) { error in
            XCTAssertTrue(String(describing: error).contains("--resume"), "\(error)")
        }
        // Resuming a finished run does no more steps.
        let run = try open(dir, model: model, optimizer: opt, resume: true)
        var called = false
        XCTAssertEqual(try run.fit(epochs: 1, loader: Self.loader, step: { _, _ in called = true; return [("loss", 0)] }), .finished)
        XCTAssertFalse(called)
    }

    // MARK: g. resume with other settings

    func testResumeWithChangedScheduleIsRefusedNamingTheKeys() throws {
        let dir = tmp.appendingPathComponent("run")
        let config: [String: Any] = ["epochs": 7, "lr": 0.005, "batch_size": 64, "model": "nvae", "flood": ["level": 0.1, "mode": "abs"]]
        let model = Self.makeModel(initSeed: 1), opt = Self.makeAdam(model)
        do {
            let run = try TrainingRun(dir: dir, config: config, model: model, optimizer: opt, seed: Self.runSeed, resume: false)
            try run.saveCheckpoint()
        }
        let before = try snapshot(dir)
        // The forgotten --epochs: the command's default (30) would silently stretch the cosine schedule.
        var changed = config
        changed["epochs"] = 30
        changed["lr"] = 0.001
        XCTAssertThrowsError(try TrainingRun(dir: dir, config: changed, model: model, optimizer: opt, seed: Self.runSeed, resume: true)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("epochs is 30 here but 7 in the run"), text)
            XCTAssertTrue(text.contains("lr is 0.001 here but 0.005 in the run"), text)
            XCTAssertFalse(text.contains("batch_size"), "unchanged keys are not named: \(text)")
        }
        var nested = config
        nested["flood"] = ["level": 0.2, "mode": "abs"]
        XCTAssertThrowsError(try TrainingRun(dir: dir, config: nested, model: model, optimizer: opt, seed: Self.runSeed, resume: true)) { error in
            XCTAssertTrue(String(describing: error).contains("flood"), "\(error)")
        }
        XCTAssertEqual(try snapshot(dir), before, "a refused resume leaves the run folder untouched")
        // The same settings resume, values read back from JSON included (0.005 as saved); a key
        // only one side has (an older run's config) is not compared.
        var extra = config
        extra["new_setting"] = true
        XCTAssertNoThrow(try TrainingRun(dir: dir, config: extra, model: model, optimizer: opt, seed: Self.runSeed, resume: true))
    }
}
