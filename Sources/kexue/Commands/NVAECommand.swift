import ArgumentParser
import Foundation
import Kexue
import KexueNN
import KexueVision

/// `kexue nvae train|sample|eval`: NVAE (or the plain conv VAE baseline) on binarised MNIST.
struct NVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nvae",
        abstract: "NVAE (hierarchical VAE) and a single-latent conv VAE baseline on binarised MNIST (METHODS.md §6).",
        subcommands: [Train.self, Sample.self, Eval.self]
    )

    struct Failure: Error, CustomStringConvertible { let description: String }

    enum Architecture: String, ExpressibleByArgument, CaseIterable { case nvae, vae }

    /// Seed of the one-time binarisation of the test set (recorded so every evaluation sees the same bits).
    static let testBinarizationSeed: UInt64 = 20_201_108

    static func makeModel(_ kind: Architecture, seed: UInt64) -> any LatentVariableModel {
        switch kind {
        case .nvae: return NVAE(.miniature, seed: seed)
        case .vae: return ConvVAE(seed: seed)
        }
    }

    static func loadData(_ data: String?, limit: Int?) throws -> (train: ImageDataset, test: ImageDataset) {
        try MNISTData.load(directory: data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNISTData.defaultDirectory, limit: limit)
    }

    /// A model restored from a checkpoint folder, or from the latest checkpoint of a run folder
    /// (its config.json names the architecture).
    static func loadModel(_ path: String) throws -> (model: any LatentVariableModel, kind: Architecture, checkpoint: URL) {
        let url = URL(fileURLWithPath: path, isDirectory: true)
        var checkpoint = url
        var runDir = url.deletingLastPathComponent()
        if let latest = TrainingRun.checkpoints(in: url).last { checkpoint = latest.url; runDir = url }
        guard FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("model.safetensors").path) else {
            throw Failure(description: "\(path): not a checkpoint folder (no model.safetensors) nor a run folder with checkpoint-<step>/")
        }
        let configURL = runDir.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: configURL),
              let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let name = config["model"] as? String, let kind = Architecture(rawValue: name) else {
            throw Failure(description: "\(configURL.path): missing or unreadable (it names the model, nvae or vae)")
        }
        let model = makeModel(kind, seed: 0)
        do {
            _ = try Checkpoint.load(from: checkpoint, model: model, optimizer: nil)
        } catch {
            throw Failure(description: "corrupt or incompatible checkpoint \(checkpoint.path): \(error)")
        }
        model.eval()
        return (model, kind, checkpoint)
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train on dynamically binarised MNIST; prints a JSON summary (NELBO at start and end).")

        @Option(help: "nvae (the CPU miniature) or vae (the single-latent baseline).") var model: Architecture = .nvae
        @Option(help: "Epochs (default 30, or what --time-budget allows; a resumed run keeps its own).") var epochs: Int?
        @Option(help: "Train for about this many minutes: 30 timed steps of a throwaway copy fix --epochs so that the whole warm-up + cosine schedule fits (a fair fixed-time comparison of models); a resumed run keeps its epochs.") var timeBudget: Double?
        @Option(help: "Batch size.") var batchSize = 64
        @Option(help: "Peak learning rate (Adamax; 1 warm-up epoch, then cosine to 1e-4).") var lr = 5e-3
        @Option(help: "Multiply the learning rate (after a NaN: resume with a lower one).") var lrScale = 1.0
        @Option(help: "Spectral regularisation weight λ.") var spectralLambda = 1e-2
        @Option(help: "Also checkpoint every N steps (0: per epoch and every 15 minutes).") var checkpointEvery = 0
        @Option(help: "Stop after this many steps (sanity runs): the run keeps its full schedule.") var maxSteps: Int?
        @Option(help: "Folder with mnist_train.csv and mnist_test.csv.") var data: String?
        @Option(help: "Use only the first N training images (smoke tests).") var limit: Int?
        @Option(help: "Plain progress lines every N steps.") var progressEvery = 50
        @Option(help: "Testing aid: make the loss NaN at this step once, to exercise recovery.") var injectNanAt: Int?
        @OptionGroup var runOptions: RunOptions

        func validate() throws {
            if let epochs, epochs < 1 { throw ValidationError("--epochs must be ≥ 1") }
            if epochs != nil && timeBudget != nil { throw ValidationError("give --epochs or --time-budget, not both") }
            if let timeBudget, !(timeBudget > 0) { throw ValidationError("--time-budget must be a positive number of minutes") }
            if batchSize < 2 { throw ValidationError("--batch-size must be ≥ 2 (batch norm)") }
            if !(lr > 0) || !(lrScale > 0) { throw ValidationError("--lr and --lr-scale must be positive") }
            if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be ≥ 1") }
        }

        func run() throws {
            runOptions.apply()
            let train = try NVAECommand.loadData(data, limit: limit).train
            let net = NVAECommand.makeModel(model, seed: runOptions.seed)
            var trainer = VAETraining()
            trainer.batchSize = batchSize
            trainer.learningRate = lr
            trainer.learningRateScale = lrScale
            trainer.spectralLambda = spectralLambda
            trainer.seed = runOptions.seed
            trainer.checkpointEverySteps = checkpointEvery
            trainer.progressEvery = progressEvery
            trainer.injectNaNAtStep = injectNanAt
            trainer.maxSteps = maxSteps
            let runDir = runOptions.runDirectory(default: "nvae-\(model.rawValue)")
            var config: [String: Any] = ["task": "nvae", "model": model.rawValue, "train_images": train.count]
            // A resumed run keeps its schedule: without --epochs, the epochs in its config.json.
            trainer.epochs = epochs ?? (runOptions.resume ? savedConfig(runDir)?["epochs"] as? Int : nil) ?? 30
            if let timeBudget {
                let budget = try budgetedEpochs(minutes: timeBudget, trainer: trainer, train: train, runDir: runDir)
                trainer.epochs = budget.epochs
                config["time_budget_minutes"] = timeBudget
                config["timed_seconds_per_step"] = budget.secondsPerStep
            }
            let result = try trainer.run(model: net, train: train, dir: runDir, config: config, resume: runOptions.resume)
            printJSON(["task": "nvae-train", "model": model.rawValue, "parameters": net.parameterCount(),
                       "outcome": result.outcome == .finished ? "finished" : "interrupted", "steps": result.steps,
                       "first_nelbo": result.firstNELBO ?? Double.nan, "last_nelbo": result.lastNELBO ?? Double.nan,
                       "recoveries": result.recoveries, "lr_scale": result.learningRateScale,
                       "train_seconds": (result.trainSeconds * 10).rounded() / 10, "run": runDir.path])
        }

        func savedConfig(_ runDir: URL) -> [String: Any]? {
            guard let data = try? Data(contentsOf: runDir.appendingPathComponent("config.json")) else { return nil }
            return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        }

        /// --time-budget: the epochs of a resumed run from its config; else times 30 steps of a
        /// throwaway copy of the model in a scratch folder (its data-dependent init included).
        func budgetedEpochs(minutes: Double, trainer: VAETraining, train: ImageDataset, runDir: URL) throws -> (epochs: Int, secondsPerStep: Double) {
            if runOptions.resume, let config = savedConfig(runDir), let epochs = config["epochs"] as? Int, let perStep = config["timed_seconds_per_step"] as? Double {
                Progress.note("time budget: resuming with the run's \(epochs) epochs (timed at \(String(format: "%.3f", perStep)) s per step)")
                return (epochs, perStep)
            }
            let stepsPerEpoch = train.count / trainer.batchSize
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kexue-nvae-timing-\(getpid())", isDirectory: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            var timing = trainer
            timing.epochs = 1
            timing.maxSteps = min(30, stepsPerEpoch)
            timing.progressEvery = 1_000_000
            Progress.note("time budget \(minutes) min: timing \(timing.maxSteps!) steps of a throwaway \(model.rawValue) in a scratch folder (its stop line is not the real run's) …")
            let r = try timing.run(model: NVAECommand.makeModel(model, seed: runOptions.seed &+ 1), train: train, dir: scratch,
                                   config: ["task": "nvae-timing"], resume: false)
            let perStep = r.trainSeconds / Double(max(r.steps, 1))
            let epochs = NVAECommand.budgetEpochs(minutes, secondsPerStep: perStep, stepsPerEpoch: stepsPerEpoch)
            Progress.note("time budget: \(String(format: "%.3f", perStep)) s per step × \(stepsPerEpoch) steps per epoch → \(epochs) epochs (\(epochs * stepsPerEpoch) steps, ≈ \(Int(Double(epochs * stepsPerEpoch) * perStep / 60)) min)")
            return (epochs, perStep)
        }
    }

    /// Epochs whose whole schedule fits `minutes`: a resumed run keeps the epochs in its config;
    /// otherwise 30 steps of a throwaway copy (same model, batch and objective) are timed.
    static func budgetEpochs(_ budgetMinutes: Double, secondsPerStep: Double, stepsPerEpoch: Int) -> Int {
        max(1, Int(budgetMinutes * 60 / (secondsPerStep * Double(stepsPerEpoch))))
    }

    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a PNG grid of samples per temperature (BN statistics re-estimated at each).")

        @Option(help: "A run folder (its latest checkpoint) or a checkpoint folder.") var checkpoint: String
        @Option(parsing: .upToNextOption, help: "Temperatures (each > 0).") var temperatures: [Double] = [0.6, 0.8, 1.0]
        @Option(help: "Samples per temperature (also the re-estimation batch size).") var count = 100
        @Option(help: "Batch-norm re-estimation passes (0: keep the trained running statistics).") var reestimate = 200
        @Option(help: "Output PNG (one row block per temperature).") var output = "nvae-samples.png"
        @Option(help: "Random seed.") var seed: UInt64 = 0
        @Option(help: "An MNIST CNN run folder (`kexue mnist train --model cnn`; its best/): report the share of samples it classifies with probability > 0.9.")
        var classifier: String?
        @Option(help: "Threads for kernels and BLAS.") var threads: Int?

        func validate() throws {
            for t in temperatures where !(t > 0) || !t.isFinite {
                throw ValidationError("--temperatures: every temperature must be > 0, got \(t)")
            }
            if temperatures.isEmpty { throw ValidationError("--temperatures: give at least one") }
            if count < 2 { throw ValidationError("--count must be ≥ 2") }
            if reestimate < 0 { throw ValidationError("--reestimate must be ≥ 0") }
        }

        func run() throws {
            if let threads { Runtime.threads = threads }
            let (model, kind, ckpt) = try NVAECommand.loadModel(checkpoint)
            let cnn = try classifier.map { path -> MNISTCNN in
                let net = MNISTCNN()
                let dir = URL(fileURLWithPath: path, isDirectory: true)
                let best = dir.appendingPathComponent("best", isDirectory: true)
                do { _ = try Checkpoint.load(from: FileManager.default.fileExists(atPath: best.path) ? best : dir, model: net, optimizer: nil) }
                catch { throw Failure(description: "--classifier \(path): not an MNIST CNN checkpoint (\(error))") }
                net.eval()
                return net
            }
            var rng = RandomGenerator(seed: seed)
            let columns = Int(Double(count).squareRoot().rounded(.up))
            var grid = ImageGrid(columns: columns, padding: 2, scale: 2)
            var perTemperature: [[String: Any]] = []
            for t in temperatures {
                let images = try VAESampling.sample(model, count: count, temperature: t, reestimationPasses: reestimate, using: &rng)
                for img in images { try grid.add(img, height: 28, width: 28) }
                // Pad the block to whole rows so each temperature starts a new row.
                for _ in 0..<((columns - count % columns) % columns) { try grid.add([Float](repeating: 0, count: 784), height: 28, width: 28) }
                let mean = images.reduce(0.0) { $0 + Double($1.reduce(0, +)) } / Double(images.count * 784)
                var entry: [String: Any] = ["temperature": t, "mean_pixel": mean]
                if let cnn {
                    let probs = withoutGrad { cnn(Tensor(images.flatMap { $0 }, shape: [count, 1, 28, 28])).softmax(axis: 1) }
                    let confident = probs.max(axis: 1).floats.filter { $0 > 0.9 }.count
                    entry["confident_share"] = Double(confident) / Double(count)  // classified with p > 0.9
                }
                perTemperature.append(entry)
            }
            let url = URL(fileURLWithPath: output)
            try grid.write(to: url)
            printJSON(["task": "nvae-sample", "model": kind.rawValue, "checkpoint": ckpt.path, "png": url.path,
                       "count": count, "reestimation_passes": reestimate, "temperatures": perTemperature])
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Importance-weighted NLL (nats, bits/dim), NELBO, KL and active units per latent group on the binarised test set.")

        @Option(help: "A run folder (its latest checkpoint) or a checkpoint folder.") var checkpoint: String
        @Option(help: "Importance samples k.") var k = 100
        @Option(help: "Evaluate the first N test images (default: all).") var limit: Int?
        @Option(help: "Images per batch.") var batchSize = 100
        @Option(help: "Folder with mnist_train.csv and mnist_test.csv.") var data: String?
        @Option(help: "Random seed (posterior samples).") var seed: UInt64 = 0
        @Option(help: "Threads for kernels and BLAS.") var threads: Int?
        @Option(help: "Append each finished batch to this JSON-lines journal and skip batches already in it, so a long evaluation can stop and resume.") var journal: String?
        @Option(help: "Work on share K of N (K/N, 0-based) of the batches; shards run as separate processes sharing one --journal, then a run without --shard prints the totals.") var shard: String?

        func validate() throws {
            if k < 1 { throw ValidationError("--k must be ≥ 1") }
            if let limit, limit < 1 { throw ValidationError("--limit must be ≥ 1") }
            if batchSize < 1 { throw ValidationError("--batch-size must be ≥ 1") }
            if shard != nil, journal == nil { throw ValidationError("--shard needs --journal (the shards' results meet there)") }
            _ = try Shard.parse(shard)
        }

        func run() throws {
            if let threads { Runtime.threads = threads }
            let (model, kind, ckpt) = try NVAECommand.loadModel(checkpoint)
            var test = try NVAECommand.loadData(data, limit: nil).test
            if let limit, limit < test.count { test = test.subset(Array(0..<limit)) }
            let binary = BinarizedMNIST.fixed(test, seed: NVAECommand.testBinarizationSeed)
            let start = Date()
            // What a journal record must match to be reused: the same model, checkpoint and batches.
            let key: [String: Any] = ["model": kind.rawValue, "checkpoint": ckpt.lastPathComponent, "k": k,
                                      "batch_size": batchSize, "seed": Int(truncatingIfNeeded: seed), "images": binary.count]
            let log = try journal.map { try RecordJournal(url: URL(fileURLWithPath: $0)) }
            var done: [Int: [Double]] = [:]
            if let log {
                for r in log.records {
                    guard let b = r["batch"] as? Int, let values = r["log_px"] as? [Double] else { continue }
                    for (name, want) in key where "\(r[name] ?? "absent")" != "\(want)" {
                        throw ValidationError("journal \(log.url.path) was written with \(name) = \(r[name] ?? "absent"), this run has \(want); use another journal")
                    }
                    done[b] = values
                }
                if log.unreadableLines > 0 { Progress.note("journal: \(log.unreadableLines) torn line(s) ignored; their batches are redone") }
                Progress.note("journal: \(done.count)/\((binary.count + batchSize - 1) / batchSize) batches already done")
            }
            let record: (Int, [Double]) throws -> Void = { b, values in
                var r = key
                r["batch"] = b
                r["log_px"] = values
                try log?.append(r)
            }
            if let (shardK, shardN) = try Shard.parse(shard) {
                // A shard evaluates its own batches only; the totals come from a run without --shard.
                let batches = (binary.count + batchSize - 1) / batchSize
                let mine = (0..<batches).filter { $0 % shardN == shardK && done[$0] == nil }
                let bar = Progress(total: mine.count, label: "eval k=\(k) shard \(shardK)/\(shardN) (batches)", every: 1, startingAt: 0)
                model.eval()
                for (i, b) in mine.enumerated() {
                    try record(b, VAEEvaluation.batchLogLikelihoods(model, data: binary, batch: b, batchSize: batchSize, k: k, seed: seed))
                    bar.update(step: i + 1)
                }
                printJSON(["task": "nvae-eval-shard", "shard": "\(shardK)/\(shardN)", "batches_evaluated": mine.count,
                           "batches_total": batches, "journal": log!.url.path,
                           "seconds": (Date().timeIntervalSince(start) * 10).rounded() / 10])
                return
            }
            let r = try VAEEvaluation.evaluate(model, data: binary, k: k, batchSize: batchSize, seed: seed, progress: true,
                                               done: done, finished: record)
            printJSON(["task": "nvae-eval", "model": kind.rawValue, "checkpoint": ckpt.path, "images": r.images, "k": r.k,
                       "nll_nats": r.nll, "bits_per_dim": r.bitsPerDim, "nelbo_nats": r.nelbo,
                       "kl_per_group": r.klPerGroup, "active_units": r.activeUnits, "units_per_group": r.unitsPerGroup,
                       "groups": model.groupNames, "test_binarization_seed": Int(NVAECommand.testBinarizationSeed),
                       "batches_from_journal": done.count,
                       "seconds": (Date().timeIntervalSince(start) * 10).rounded() / 10])
        }
    }
}
