import ArgumentParser
import Foundation
import Kexue
import KexueText

/// `kexue qg`: UniLM question-answer generation from passages (METHODS.md §4).
struct QGCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qg",
        abstract: "Question-answer generation from passages with UniLM on BERT (answer sampled, question by beam search).",
        subcommands: [QGTrain.self, Generate.self, QGEval.self, Vocab.self]
    )

    /// Decoding options shared by generate and eval.
    struct DecodingOptions: ParsableArguments {
        @Option(help: "july2020 (top-k 5 answers, bert4keras beams of 5) or current (top-p 0.95 answers, greedy questions).")
        var preset = "july2020"
        @Option(help: "Override the question stage's beam width.") var numBeams: Int?
        @Option(help: "Override max_new_tokens of both stages.") var maxNewTokens: Int?
        @Option(help: "Question stage: forbid repeating n-grams of this size.") var noRepeatNgramSize: Int?
        @Option(help: "Question stage: repetition penalty.") var repetitionPenalty: Double?
        @Flag(help: "Answer stage: sample only spans of the passage (a decoding constraint; span validity is then 100 % by construction, not a property of the model).")
        var constrainAnswers = false

        /// The generator for `model` with these options.
        func generator(_ model: UniLMSeq2Seq) throws -> QuestionAnswerGenerator {
            var g = QuestionAnswerGenerator(model: model, preset: try make())
            g.constrainAnswersToPassage = constrainAnswers
            return g
        }

        func make() throws -> QuestionAnswerGenerator.Preset {
            var p = try QuestionAnswerGenerator.Preset.named(preset)
            if let numBeams { p.question.numBeams = numBeams }
            if let maxNewTokens { p.answer.maxNewTokens = maxNewTokens; p.question.maxNewTokens = maxNewTokens }
            if let noRepeatNgramSize { p.question.noRepeatNgramSize = noRepeatNgramSize }
            if let repetitionPenalty { p.question.repetitionPenalty = repetitionPenalty }
            try p.answer.validate()
            try p.question.validate()
            return p
        }
    }

    struct Vocab: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a character-level WordPiece vocab.txt from SQuAD-format files (for `qg train --from-scratch --pretrained DIR`, e.g. Chinese).")

        @Option(help: "SQuAD-format JSON files (repeatable): contexts, questions and answers are counted.") var data: [String] = []
        @Option(help: "Folder to write vocab.txt into.") var output: String
        @Option(help: "Keep characters seen at least this many times.") var minCount = 2

        func run() throws {
            guard !data.isEmpty else { throw ValidationError("give at least one --data file") }
            let dataset = try SQuADDataset.load(data.map { URL(fileURLWithPath: $0) }, skipBadRecords: true)
            var texts = Array(Set(dataset.examples.map(\.context)))
            texts += dataset.examples.map(\.question)
            let tokens = try CharacterPieceVocabulary.build(texts, minCount: minCount)
            try CharacterPieceVocabulary.write(tokens, to: URL(fileURLWithPath: output, isDirectory: true))
            printJSON(["task": "qg-vocab", "tokens": tokens.count, "questions": dataset.examples.count, "output": output])
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate (answer, question) pairs for passages; one JSON object per passage.")

        @Option(help: "A model folder from `kexue qg train` (its best/).") var model: String
        @Argument(help: "Passages.") var passages: [String]
        @Option(help: "Pairs per passage (distinct answers; up to 3n answers are drawn).") var pairs = 3
        @Option(help: "Sampling seed.") var seed: UInt64 = 0
        @OptionGroup var decoding: DecodingOptions
        @Option(help: "Threads.") var threads: Int?

        func validate() throws {
            if pairs < 1 { throw ValidationError("--pairs must be ≥ 1, got \(pairs)") }
            if passages.isEmpty { throw ValidationError("give at least one passage") }
        }

        func run() throws {
            if let threads { Runtime.threads = threads }
            let qg = try UniLMSeq2Seq(directory: URL(fileURLWithPath: model, isDirectory: true))
            let generator = try decoding.generator(qg)
            for (i, passage) in passages.enumerated() {
                let start = Date()
                let result = try generator.generate(passage: passage, count: pairs, seed: seed &+ UInt64(i))
                if result.passageTruncatedBy > 0 {
                    Progress.note("passage \(i + 1): \(result.passageTruncatedBy) word pieces past the model's budget of \(generator.maxPassageTokens) were left out")
                }
                printJSON(["passage": i, "preset": decoding.preset,
                           "pairs": result.pairs.map { ["answer": $0.answer, "answer_start": $0.answerStart, "answer_end": $0.answerEnd,
                                                        "question": $0.question, "score": $0.score] },
                           "answers_drawn": result.answersDrawn, "answers_in_passage": result.answersInPassage,
                           "rejected_answers": result.rejectedAnswers,
                           "seconds": (Date().timeIntervalSince(start) * 1000).rounded() / 1000])
            }
        }
    }
}
