import ArgumentParser
import Foundation
import KexueText

/// `kexue compress`: BERT-of-Theseus (METHODS.md §5) from a fine-tuned classifier folder.
struct Compress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compress a fine-tuned BERT classifier by module replacement (BERT-of-Theseus); the successor is saved in <run>/successor/best.")

    @Option(help: "The fine-tuned predecessor classifier folder (from `kexue classify train`).") var predecessor: String
    @Option(help: "Successor layers n′ (must divide the predecessor's n).") var layers = 3
    @Option(help: "paper or su (METHODS.md §5(b)).") var preset = "paper"
    @Option(help: "Pre-trained encoder folder for the su preset's successor init and embeddings (default: MiniLM).") var pretrained: String?
    @OptionGroup var data: Classify.DataOptions
    @Option(help: "Replace the preset's replacement-rate schedule: linear:K:B (p = min(1, K·t + B)), constant:P, or constant:P:STEPS (then 1).") var replacementRate: String?
    @Option(help: "Epochs of replacement training.") var theseusEpochs = 2
    @Option(help: "Epochs of successor-only training.") var successorEpochs = 2
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Learning rate (default: the preset's).") var lr: Double?
    @Option(help: "Truncate texts to this many tokens.") var maxLength = 64
    @Option(help: "Use only the first N training examples (smoke tests).") var limit: Int?
    @OptionGroup var runOptions: RunOptions

    func run() throws {
        runOptions.apply()
        var presetValue = try TheseusPreset.named(preset)
        if let replacementRate { presetValue = presetValue.with(schedule: try ReplacementSchedule(parsing: replacementRate)) }
        let predecessorDir = URL(fileURLWithPath: predecessor, isDirectory: true)
        let teacher = try BertClassifier(directory: predecessorDir)
        _ = try ModuleReplacement<BertLayer>.blocksPerModule(predecessor: teacher.bert.layers.count, successor: layers)
        var (train, validation, test) = try data.load()
        if let limit { train = Array(train.prefix(limit)); validation = Array(validation.prefix(Swift.max(limit / 4, 8))); test = Array(test.prefix(Swift.max(limit / 4, 8))) }
        let pretrainedDir = pretrained.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KexueHome.miniLM
        let model = try TheseusClassifier(predecessor: teacher, layers: layers, preset: presetValue,
                                          pretrained: pretrainedDir, seed: runOptions.seed)
        var trainer = TheseusTraining()
        trainer.theseusEpochs = theseusEpochs; trainer.successorEpochs = successorEpochs
        trainer.batchSize = batchSize; trainer.learningRate = lr; trainer.maxLength = maxLength; trainer.seed = runOptions.seed
        let dir = runOptions.runDirectory(default: "compress")
        let result = try trainer.run(model: model, train: train, validation: validation, dir: dir,
                                     config: ["task": "compress", "predecessor": recordedPath(predecessorDir.path), "train_examples": train.count,
                                              "replacement_rate": presetValue.schedule.description],
                                     resume: runOptions.resume)
        var out: [String: Any] = ["task": "compress", "preset": preset, "layers": layers, "replacement_rate": presetValue.schedule.description,
                                  "predecessor_layers": teacher.bert.layers.count,
                                  "outcome": result.outcome == .finished ? "finished" : "interrupted",
                                  "validation_accuracy": result.validationAccuracy, "steps": result.steps,
                                  "train_seconds": (result.trainSeconds * 10).rounded() / 10, "best": result.bestDirectory.path]
        if !test.isEmpty, FileManager.default.fileExists(atPath: result.bestDirectory.path) {
            let best = try BertClassifier(directory: result.bestDirectory)
            var t = TextClassifierTraining(); t.maxLength = maxLength
            out["test_accuracy"] = TextClassifierEvaluation.accuracy(best, try t.encode(best, test), try t.labelIds(best, test))
            out["test_examples"] = test.count
        }
        printJSON(out)
    }
}
