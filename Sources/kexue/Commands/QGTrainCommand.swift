import ArgumentParser
import Foundation
import Kexue
import KexueText

/// `kexue qg train`: UniLM fine-tuning on SQuAD-format files (METHODS.md §4(b)).
struct QGTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune UniLM seq2seq ([CLS] passage [SEP] answer [SEP] question [SEP]) on SQuAD-format JSON; the model is saved in <run>/best.")

    @Option(help: "SQuAD v1.1 JSON files (repeatable); answers[0] is the target answer.") var data: [String] = []
    @Option(help: "Pre-trained BERT folder to start from (default: MiniLM in $KEXUE_HOME).") var pretrained: String?
    @Flag(help: "Train a small model from scratch (with the pretrained folder's tokenizer) instead of fine-tuning.") var fromScratch = false
    @Option(help: "--from-scratch: layers.") var layers = 2
    @Option(help: "--from-scratch: hidden size.") var hidden = 128
    @Option(help: "--from-scratch: attention heads.") var heads = 4
    @Option(help: "Epochs.") var epochs = 1
    @Option(help: "Batch size.") var batchSize = 16
    @Option(help: "Peak learning rate (AdamW, linear warm-up and decay).") var lr = 1e-4
    @Option(help: "Passage window in word pieces around the answer.") var maxPassage = 160
    @Option(help: "How long passages are cut: sentences (whole sentences around the answer) or centred.") var windows = "sentences"
    @Option(help: "Answer truncation in word pieces (Su: 16).") var maxAnswer = 16
    @Option(help: "Question truncation in word pieces (Su: 64).") var maxQuestion = 64
    @Option(help: "Share of passages held out to choose best/ by validation loss.") var validationFraction = 0.02
    @Option(help: "Use only the first N questions (smoke tests).") var limit: Int?
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if data.isEmpty { throw ValidationError("give at least one --data file (SQuAD v1.1 JSON)") }
        if epochs < 1 || batchSize < 1 { throw ValidationError("--epochs and --batch-size must be ≥ 1") }
        if !(validationFraction >= 0 && validationFraction < 0.5) { throw ValidationError("--validation-fraction must be in [0, 0.5)") }
    }

    func run() throws {
        runOptions.apply()
        let files = data.map { URL(fileURLWithPath: $0) }
        let dataset = try SQuADDataset.load(files, skipBadRecords: true)
        for problem in dataset.skipped.prefix(10) { Progress.note("skipped \(problem)") }
        if !dataset.skipped.isEmpty { Progress.note("skipped \(dataset.skipped.count) bad records in all") }
        var examples = dataset.examples
        if let limit { examples = Array(examples.prefix(limit)) }
        let pretrainedDir = pretrained.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KexueHome.miniLM
        let model: UniLMSeq2Seq
        if fromScratch {
            let vocab = try BertTokenizer(directory: pretrainedDir).vocabulary.count
            let config = BertConfig(vocabSize: vocab, hiddenSize: hidden, numHiddenLayers: layers, numAttentionHeads: heads,
                                    intermediateSize: 4 * hidden, maxPositionEmbeddings: 512)
            try config.validate(source: "--layers/--hidden/--heads")
            model = try UniLMSeq2Seq(config: config, tokenizerDirectory: pretrainedDir, seed: runOptions.seed)
        } else {
            model = try UniLMSeq2Seq(pretrained: pretrainedDir, seed: runOptions.seed)
        }
        guard let windowing = PassageWindowing(rawValue: windows) else {
            throw ValidationError("--windows must be sentences or centred, got '\(windows)'")
        }
        model.passageWindow = maxPassage
        model.passageWindowing = windowing
        let encoder = QGExampleEncoder(model: model, maxPassage: maxPassage, maxAnswer: maxAnswer, maxQuestion: maxQuestion,
                                       windowing: windowing)
        // Hold out whole passages (seeded), so no passage is shared with the validation loss.
        var rng = RandomGenerator(seed: 2020)
        let contexts = Array(Set(examples.map(\.context))).sorted().shuffled(using: &rng)
        let heldOut = Set(contexts.prefix(Int(Double(contexts.count) * validationFraction)))
        var train: [Seq2SeqExample] = [], validation: [Seq2SeqExample] = []
        var windowed = 0
        for e in examples {
            let (encoded, cut) = try encoder.encode(context: e.context, answerStart: e.answerStart, answerEnd: e.answerEnd, question: e.question)
            if cut { windowed += 1 }
            if heldOut.contains(e.context) { validation.append(encoded) } else { train.append(encoded) }
        }
        Progress.note("qg: \(train.count) training / \(validation.count) validation questions; \(windowed) passages windowed to \(maxPassage) word pieces")
        var trainer = Seq2SeqTraining()
        trainer.epochs = epochs; trainer.batchSize = batchSize; trainer.learningRate = lr; trainer.seed = runOptions.seed
        let dir = runOptions.runDirectory(default: "qg")
        let result = try trainer.run(model, train: train, validation: validation, dir: dir,
                                     config: ["task": "qg", "data": data.map(recordedPath), "pretrained": recordedPath(pretrainedDir.path), "from_scratch": fromScratch, "max_passage": maxPassage, "windows": windows,
                                              "max_answer": maxAnswer, "max_question": maxQuestion, "train_examples": train.count],
                                     resume: runOptions.resume)
        try? TrainingCurves.plot(metrics: dir.appendingPathComponent("metrics.jsonl"), to: dir.appendingPathComponent("curves.png"),
                                 title: "UniLM question generation")
        printJSON(["task": "qg", "outcome": result.outcome == .finished ? "finished" : "interrupted",
                   "validation_loss": result.validationLoss, "steps": result.steps, "train_examples": train.count,
                   "validation_examples": validation.count, "windowed": windowed, "skipped": dataset.skipped.count,
                   "train_seconds": (result.trainSeconds * 10).rounded() / 10, "best": result.bestDirectory.path])
    }
}
