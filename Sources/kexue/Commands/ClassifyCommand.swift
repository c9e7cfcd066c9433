import ArgumentParser
import Foundation
import KexueText

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune, evaluate and apply BERT sentence classifiers (HF BertForSequenceClassification folders).",
        subcommands: [Train.self, Eval.self, Predict.self]
    )

    /// Where examples come from: files, or the built-in Rotten Tomatoes split.
    struct DataOptions: ParsableArguments {
        @Option(help: "Training examples (TSV text<TAB>label, or JSONL with text and label).") var train: String?
        @Option(help: "Validation examples (model selection).") var validation: String?
        @Option(help: "Test examples (reported, never used for selection).") var test: String?
        @Option(help: "A built-in dataset instead of files: rotten-tomatoes (committed 80/10/10 split).") var dataset: String?

        func load() throws -> (train: [LabeledText], validation: [LabeledText], test: [LabeledText]) {
            if let dataset {
                guard dataset == "rotten-tomatoes" else { throw ValidationError("unknown --dataset '\(dataset)'; known: rotten-tomatoes") }
                return RottenTomatoes.split(try RottenTomatoes.load())
            }
            guard let train, let validation else { throw ValidationError("give --train and --validation files, or --dataset rotten-tomatoes") }
            let t = try LabeledTextFile.load(URL(fileURLWithPath: train))
            let v = try LabeledTextFile.load(URL(fileURLWithPath: validation))
            let s = try test.map { try LabeledTextFile.load(URL(fileURLWithPath: $0)) } ?? []
            return (t, v, s)
        }
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fine-tune a classifier; the best validation model is saved in <run>/best.")
        @Option(help: "Pretrained BERT folder (default: MiniLM in $KEXUE_HOME).") var model: String?
        @OptionGroup var data: DataOptions
        @Option(help: "Epochs.") var epochs = 1
        @Option(help: "Batch size.") var batchSize = 32
        @Option(help: "Peak learning rate (AdamW, linear warm-up and decay).") var lr = 1e-4
        @Option(help: "Truncate texts to this many tokens.") var maxLength = 64
        @Option(help: "Keep only the pretrained encoder's first N layers (a shallow baseline).") var layers: Int?
        @Option(help: "Flood level b: train on |L − b| + b (0: off).") var flood = 0.0
        @Option(help: "Flooding mode: batch (Ishida et al.) or per-sample (iFlood).") var floodMode = "batch"
        @Option(help: "Use only the first N training examples (smoke tests).") var limit: Int?
        @OptionGroup var runOptions: RunOptions

        func run() throws {
            runOptions.apply()
            var (train, validation, test) = try data.load()
            if let limit { train = Array(train.prefix(limit)); validation = Array(validation.prefix(Swift.max(limit / 4, 8))); test = Array(test.prefix(Swift.max(limit / 4, 8))) }
            let labels = Array(Set(train.map(\.label))).sorted()
            let modelDir = model.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KexueHome.miniLM
            let classifier = try BertClassifier(pretrained: modelDir, labels: labels, seed: runOptions.seed, layers: layers)
            var trainer = TextClassifierTraining()
            trainer.epochs = epochs; trainer.batchSize = batchSize; trainer.learningRate = lr
            trainer.maxLength = maxLength; trainer.seed = runOptions.seed
            if flood > 0 {
                guard let mode = Flooding.Mode(rawValue: floodMode == "per-sample" ? "perSample" : floodMode) else {
                    throw ValidationError("--flood-mode must be batch or per-sample, got '\(floodMode)'")
                }
                trainer.flood = try Flooding(level: flood, mode: mode)
            } else if flood < 0 || flood.isNaN {
                throw ValidationError("--flood must be ≥ 0, got \(flood)")
            }
            let dir = runOptions.runDirectory(default: "classify")
            let result = try trainer.run(model: classifier, train: train, validation: validation, dir: dir,
                                         config: ["task": "classify", "model": recordedPath(modelDir.path), "train_examples": train.count],
                                         resume: runOptions.resume)
            var out: [String: Any] = ["task": "classify", "outcome": result.outcome == .finished ? "finished" : "interrupted",
                                      "validation_accuracy": result.validationAccuracy, "steps": result.steps,
                                      "train_seconds": (result.trainSeconds * 10).rounded() / 10, "best": result.bestDirectory.path]
            if !test.isEmpty, FileManager.default.fileExists(atPath: result.bestDirectory.path) {
                let best = try BertClassifier(directory: result.bestDirectory)
                let enc = try trainer.encode(best, test)
                out["test_accuracy"] = TextClassifierEvaluation.accuracy(best, enc, try trainer.labelIds(best, test))
                out["test_examples"] = test.count
            }
            printJSON(out)
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accuracy of a saved classifier on labelled examples.")
        @Option(help: "Classifier folder.") var model: String
        @Option(help: "Examples (TSV or JSONL); or use --dataset.") var data: String?
        @Option(help: "rotten-tomatoes: evaluate on its committed test split.") var dataset: String?
        @Option(help: "Truncate texts to this many tokens.") var maxLength = 128
        @Option(help: "Evaluate only the first N examples (smoke tests).") var limit: Int?

        func run() throws {
            var items: [LabeledText]
            if let dataset {
                guard dataset == "rotten-tomatoes" else { throw ValidationError("unknown --dataset '\(dataset)'") }
                items = RottenTomatoes.split(try RottenTomatoes.load()).test
            } else if let data {
                items = try LabeledTextFile.load(URL(fileURLWithPath: data))
            } else { throw ValidationError("give --data FILE or --dataset rotten-tomatoes") }
            if let limit { items = Array(items.prefix(limit)) }
            let classifier = try BertClassifier(directory: URL(fileURLWithPath: model, isDirectory: true))
            var t = TextClassifierTraining(); t.maxLength = maxLength
            let acc = TextClassifierEvaluation.accuracy(classifier, try t.encode(classifier, items), try t.labelIds(classifier, items))
            printJSON(["task": "classify-eval", "accuracy": acc, "examples": items.count])
        }
    }

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Label texts; one JSON object per text. Put -- before texts that start with a dash.")
        @Option(help: "Classifier folder.") var model: String
        @Option(help: "Truncate texts to this many tokens.") var maxLength = 128
        @Argument(help: "Texts to classify.") var texts: [String]

        func run() throws {
            let classifier = try BertClassifier(directory: URL(fileURLWithPath: model, isDirectory: true))
            var t = TextClassifierTraining(); t.maxLength = maxLength
            let p = TextClassifierEvaluation.probabilities(classifier, try t.encode(classifier, texts.map { LabeledText(id: "", text: $0, label: "") }))
            let k = classifier.labels.count, v = p.floats
            for (i, text) in texts.enumerated() {
                let row = Array(v[(i * k)..<((i + 1) * k)])
                let best = row.indices.max { row[$0] < row[$1] }!
                printJSON(["text": text, "label": classifier.labels[best], "probability": Double(row[best]),
                           "probabilities": Dictionary(uniqueKeysWithValues: zip(classifier.labels, row.map(Double.init)))])
            }
        }
    }
}
