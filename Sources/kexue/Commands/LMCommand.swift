import ArgumentParser
import Foundation
import Kexue
import KexueNN
import KexueText

/// `kexue lm`: a small character-level causal transformer LM, softmax or linear attention
/// (METHODS.md §3), with a bigram baseline, and generation through the decoding core.
struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Character-level causal transformer language model (softmax or linear attention) with a bigram baseline.",
        subcommands: [Train.self, Generate.self]
    )

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train on SQuAD-format contexts or text files; prints validation loss (nats/char) beside the bigram baseline's as JSON.")

        @Option(help: "SQuAD-format JSON (contexts) or text files (one document per line); repeatable.") var data: [String] = []
        @Option(help: "Attention: softmax, linear, linear:relu, linear:1+cos, linear:random-features:<m>:<seed>.") var attention = "softmax"
        @Option(help: "Transformer layers.") var layers = 4
        @Option(help: "Hidden size.") var hidden = 128
        @Option(help: "Attention heads.") var heads = 4
        @Option(help: "Context length in characters (training windows).") var context = 128
        @Option(help: "Epochs over the training windows.") var epochs = 1
        @Option(help: "Batch size.") var batchSize = 32
        @Option(help: "Peak learning rate (AdamW, warm-up then cosine decay).") var lr = 1e-3
        @Option(help: "Characters seen fewer times than this become [UNK].") var minCount = 5
        @Option(help: "Use only the first N documents (smoke tests).") var limit: Int?
        @OptionGroup var runOptions: RunOptions

        func validate() throws {
            if data.isEmpty { throw ValidationError("give at least one --data file (e.g. ../shared/data/qa/en/squad_v1.1_dev.json)") }
            if context < 8 { throw ValidationError("--context must be ≥ 8, got \(context)") }
            if hidden % heads != 0 { throw ValidationError("--hidden \(hidden) must be divisible by --heads \(heads)") }
            if epochs < 1 || batchSize < 1 || layers < 1 { throw ValidationError("--epochs, --batch-size and --layers must be ≥ 1") }
        }

        func run() throws {
            runOptions.apply()
            let kind = try AttentionKind(parsing: attention)
            var documents = try TextCorpus.load(data.map { URL(fileURLWithPath: $0) })
            if let limit { documents = Array(documents.prefix(limit)) }
            let (trainDocs, valDocs) = TextCorpus.split(documents)
            let dir = runOptions.runDirectory(default: "lm-\(attention.replacingOccurrences(of: ":", with: "-"))")
            // The vocabulary comes from the training documents only; on resume it is read back.
            let vocabURL = dir.appendingPathComponent("vocab.json")
            let vocabulary = runOptions.resume && FileManager.default.fileExists(atPath: vocabURL.path)
                ? try CharacterVocabulary.load(vocabURL) : CharacterVocabulary(building: trainDocs, minCount: minCount)
            let trainStream = TextCorpus.stream(trainDocs, vocabulary: vocabulary)
            let valStream = TextCorpus.stream(valDocs, vocabulary: vocabulary)
            let trainWindows = LanguageModelTraining.windows(trainStream, length: context + 1)
            let valWindows = LanguageModelTraining.windows(valStream, length: context + 1)
            let lm = CharacterLM(vocabulary: vocabulary, layers: layers, hidden: hidden, heads: heads, context: context + 1,
                                 attention: kind, seed: runOptions.seed)
            var trainer = LanguageModelTraining()
            trainer.epochs = epochs; trainer.batchSize = batchSize; trainer.learningRate = lr; trainer.seed = runOptions.seed
            Progress.note("lm: \(trainDocs.count) training / \(valDocs.count) validation documents, \(vocabulary.count) symbols, \(trainWindows.count) windows of \(context + 1), \(lm.parameterCount()) parameters, attention \(kind)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: vocabURL.path) { try vocabulary.save(to: vocabURL) }
            let result = try trainer.run(lm, train: trainWindows, validation: valWindows, dir: dir,
                                         config: ["task": "lm", "attention": kind.description, "layers": layers, "hidden": hidden,
                                                  "heads": heads, "context": context, "data": data],
                                         resume: runOptions.resume)
            try? TrainingCurves.plot(metrics: dir.appendingPathComponent("metrics.jsonl"), to: dir.appendingPathComponent("curves.png"),
                                     title: "character LM, \(kind)")
            let bigram = BigramModel(stream: trainStream, vocabularySize: vocabulary.count)
            let bigramLoss = bigram.crossEntropy(windows: valWindows)
            printJSON(["task": "lm", "attention": kind.description,
                       "outcome": result.outcome == .finished ? "finished" : "interrupted",
                       "validation_loss": result.validationLoss, "bigram_validation_loss": bigramLoss,
                       "bigram_alpha": bigram.alpha, "relative_to_bigram": result.validationLoss / bigramLoss,
                       "steps": result.steps, "parameters": lm.parameterCount(), "vocabulary": vocabulary.count,
                       "train_windows": trainWindows.count, "validation_windows": valWindows.count,
                       "train_seconds": (result.trainSeconds * 10).rounded() / 10, "best": result.bestDirectory.path])
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Continue prompts with a trained LM (greedy or sampling, HF option names); JSON per prompt.")

        @Option(help: "Model folder (a run's best/).") var model: String
        @Argument(help: "Prompts.") var prompts: [String]
        @Option(help: "Characters to generate.") var maxNewTokens = 100
        @Flag(help: "Sample instead of greedy decoding.") var doSample = false
        @Option(help: "Sampling temperature.") var temperature = 1.0
        @Option(help: "Keep the k most likely characters.") var topK: Int?
        @Option(help: "Nucleus sampling mass.") var topP = 1.0
        @Option(help: "Repetition penalty (CTRL).") var repetitionPenalty = 1.0
        @Option(help: "Forbid repeating n-grams of this size.") var noRepeatNgramSize = 0
        @Option(help: "Sequences per prompt (sampling).") var numReturnSequences = 1
        @Option(help: "Sampling seed.") var seed: UInt64 = 0
        @Option(help: "Threads.") var threads: Int?

        func run() throws {
            if let threads { Runtime.threads = threads }
            let lm = try CharacterLM(directory: URL(fileURLWithPath: model, isDirectory: true))
            var config = GenerationConfig()
            config.maxNewTokens = maxNewTokens; config.doSample = doSample; config.temperature = temperature
            config.topK = topK; config.topP = topP; config.repetitionPenalty = repetitionPenalty
            config.noRepeatNgramSize = noRepeatNgramSize; config.numReturnSequences = numReturnSequences; config.seed = seed
            config.eosTokenId = lm.vocabulary.startId  // a new document begins: the continuation ends
            for prompt in prompts {
                let start = Date()
                let outs = try lm.generate(prompt, config: config)
                let seconds = Date().timeIntervalSince(start)
                printJSON(["prompt": prompt, "attention": lm.model.config.attention.description,
                           "continuations": outs.map { ["text": lm.vocabulary.decode($0.tokens), "tokens": $0.tokens.count,
                                                        "log_probability": $0.logProbability, "finished": $0.finished] },
                           "seconds": (seconds * 1000).rounded() / 1000])
            }
        }
    }
}
