import ArgumentParser
import Foundation
import KexueVision

/// `kexue flood`: flooding on noisy Fashion-MNIST labels, with an automatic flood-level search.
struct FloodCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flood",
        abstract: "Train a CNN far past zero training error on a Fashion-MNIST subset with flipped labels, once per flood level b; choose b on validation.",
        discussion: """
        Writes curves.png (training and clean test loss per epoch for every b), table.md and results.json into the \
        experiment folder; prints one JSON summary with the chosen b. Each level is a resumable run folder.
        """
    )

    @Option(help: "Comma-separated flood levels b (0 = unflooded).") var levels = "0,0.1,0.2,0.3,0.4,0.5"
    @Option(help: "Images drawn from the training set (training + validation).") var subset = 6000
    @Option(help: "Share of the subset held out for validation.") var validationFraction = 1.0 / 6
    @Option(help: "Share of labels flipped to another class.") var noise = 0.3
    @Option(help: "Epochs per level.") var epochs = 60
    @Option(help: "Batch size.") var batchSize = 128
    @Option(help: "Peak learning rate (Adam, warm-up then cosine).") var lr = 1e-3
    @Option(help: "Folder with the Fashion-MNIST IDX files (default: $KEXUE_HOME/data/fashion-mnist).") var data: String?
    @Option(help: "Use only the first N/6 test images (smoke tests).") var testLimit: Int?
    @OptionGroup var runOptions: RunOptions

    func parsedLevels() throws -> [Double] {
        try levels.split(separator: ",").map { s in
            guard let b = Double(s.trimmingCharacters(in: .whitespaces)), b.isFinite, b >= 0 else {
                throw ValidationError("--levels: '\(s)' is not a number ≥ 0")
            }
            return b
        }
    }

    func validate() throws {
        _ = try parsedLevels()
        if !(noise >= 0 && noise <= 1) { throw ValidationError("--noise must be in [0, 1], got \(noise)") }
        if !(validationFraction > 0 && validationFraction < 1) { throw ValidationError("--validation-fraction must be in (0, 1)") }
        if epochs < 1 { throw ValidationError("--epochs must be ≥ 1") }
        if !(lr > 0) { throw ValidationError("--lr must be positive") }
    }

    func run() throws {
        runOptions.apply()
        var (train, test) = try FashionMNISTData.load(directory: data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FashionMNISTData.defaultDirectory)
        if let testLimit { test = test.subset(Array(0..<Swift.min(testLimit, test.count))) }
        var experiment = FloodingExperiment(train: train, test: test)
        experiment.levels = try parsedLevels()
        experiment.subset = subset
        experiment.validationFraction = validationFraction
        experiment.noise = noise
        experiment.epochs = epochs
        experiment.batchSize = batchSize
        experiment.learningRate = lr
        experiment.seed = runOptions.seed
        experiment.resume = runOptions.resume
        let out = runOptions.runDirectory(default: "flood-fashion-mnist")
        let (results, chosen) = try experiment.run(dir: out)
        let report = FloodingReport(results: results, chosen: chosen,
                                    title: "Flooding: Fashion-MNIST, \(subset) images, \(Int((noise * 100).rounded())) % flipped labels, \(epochs) epochs")
        try AtomicFile.write(Data(report.markdown.utf8), to: out.appendingPathComponent("table.md"))
        try AtomicFile.write(JSONSerialization.data(withJSONObject: jsonSafeSummary(report.summary), options: [.prettyPrinted, .sortedKeys]),
                             to: out.appendingPathComponent("results.json"))
        try report.curves().write(to: out.appendingPathComponent("curves.png"))
        FileHandle.standardError.write(Data(report.markdown.utf8))
        var summary = report.summary
        summary["dir"] = out.path
        printJSON(summary)
    }
}
