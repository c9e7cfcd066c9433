import ArgumentParser
import Foundation
import KexueVision

/// `kexue longtail`: logit adjustment on MNIST-LT / Fashion-MNIST-LT (METHODS.md §2(d)).
struct LongTailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "longtail",
        abstract: "Train a CNN on a long-tailed MNIST or Fashion-MNIST with CE, post-hoc correction, the logit-adjusted loss and weighted CE; report balanced error over seeds.",
        discussion: """
        Per seed, a balanced validation set is held out, the rest subsampled to n_k = n_max·ρ^(−k/(K−1)), and three \
        CNNs trained (plain CE — also read post hoc —, logit-adjusted loss, class-weighted CE). Writes table.md, \
        results.json, per-class.png and confusion.png into the experiment folder; prints one JSON summary.
        """
    )

    enum Dataset: String, ExpressibleByArgument, CaseIterable { case mnist, fashionMnist = "fashion-mnist" }

    @Option(help: "mnist or fashion-mnist.") var dataset: Dataset = .fashionMnist
    @Option(help: "Imbalance ratio ρ = n_max / n_min.") var imbalance = 100.0
    @Option(help: "Number of seeds (0, 1, …).") var seeds = 3
    @Option(help: "Epochs per training.") var epochs = 10
    @Option(help: "Batch size.") var batchSize = 128
    @Option(help: "Peak learning rate (Adam, warm-up then cosine).") var lr = 3e-3
    @Option(help: "τ of the logit-adjusted loss and of the post-hoc correction.") var tau = 1.0
    @Option(help: "Validation images held out per class before subsampling.") var validationPerClass = 50
    @Option(help: "Folder with the dataset files (default: $KEXUE_HOME/data/<dataset>).") var data: String?
    @Option(help: "Use only the first N training and N/6 test images (smoke tests).") var limit: Int?
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if !(imbalance.isFinite && imbalance >= 1) { throw ValidationError("--imbalance must be ≥ 1, got \(imbalance)") }
        if seeds < 1 { throw ValidationError("--seeds must be ≥ 1") }
        if epochs < 1 { throw ValidationError("--epochs must be ≥ 1") }
        if !(tau.isFinite && tau >= 0) { throw ValidationError("--tau must be a finite number ≥ 0, got \(tau)") }
        if !(lr > 0) { throw ValidationError("--lr must be positive") }
    }

    func run() throws {
        runOptions.apply()
        let dir = data.map { URL(fileURLWithPath: $0, isDirectory: true) }
        var (train, test): (ImageDataset, ImageDataset)
        let names: [String]
        switch dataset {
        case .mnist:
            (train, test) = try MNISTData.load(directory: dir ?? MNISTData.defaultDirectory, limit: limit)
            names = MNISTData.classNames
        case .fashionMnist:
            (train, test) = try FashionMNISTData.load(directory: dir ?? FashionMNISTData.defaultDirectory)
            if let limit {
                train = train.subset(Array(0..<Swift.min(limit, train.count)))
                test = test.subset(Array(0..<Swift.min(Swift.max(1, limit / 6), test.count)))
            }
            names = FashionMNISTData.classNames
        }
        var experiment = LongTailExperiment(name: dataset == .mnist ? "MNIST" : "Fashion-MNIST", classNames: names, train: train, test: test)
        experiment.imbalance = imbalance
        experiment.seeds = (0..<seeds).map { runOptions.seed + UInt64($0) }
        experiment.epochs = epochs
        experiment.batchSize = batchSize
        experiment.learningRate = lr
        experiment.tau = tau
        experiment.validationPerClass = validationPerClass
        experiment.resume = runOptions.resume
        let out = runOptions.runDirectory(default: "longtail-\(dataset.rawValue)")
        let results = try experiment.run(dir: out)
        let report = try LongTailReport(name: experiment.name, classNames: names, results: results)
        try AtomicFile.write(Data(report.markdown.utf8), to: out.appendingPathComponent("table.md"))
        try AtomicFile.write(JSONSerialization.data(withJSONObject: jsonSafeSummary(report.summary), options: [.prettyPrinted, .sortedKeys]),
                             to: out.appendingPathComponent("results.json"))
        try report.perClassChart().write(to: out.appendingPathComponent("per-class.png"))
        try report.confusionFigure().write(to: out.appendingPathComponent("confusion.png"))
        FileHandle.standardError.write(Data(report.markdown.utf8))
        var summary = report.summary
        summary["dir"] = out.path
        printJSON(summary)
    }
}
