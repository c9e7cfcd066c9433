import ArgumentParser
import Foundation
import Kexue
import KexueExplain

extension Explain {
    /// `kexue explain evaluate`: do attributions agree with a sentiment lexicon, and is IG complete
    /// on the fine-tuned model?
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check IG on a Rotten Tomatoes classifier against VADER's lexicon (sign and top-3 rank of the strongest word) and completeness at 300 steps.",
            discussion: """
            Every correctly classified test sentence holding a vader_lexicon.txt word with |valence| ≥ 2 is explained \
            toward the positive logit; prints one JSON summary (shares, counts, completeness) and writes the per-sentence \
            cases as JSON lines with --cases.
            """)
        @Option(help: "Classifier folder (e.g. <run>/best from `kexue classify train --dataset rotten-tomatoes`).") var model: String
        @Option(help: "VADER lexicon (default: $KEXUE_HOME/data/vader/vader_lexicon.txt).") var lexicon: String?
        @Option(help: "Label whose logit is explained.") var positive = "positive"
        @Option(help: "Test sentences to look at (default: all).") var limit: Int?
        @Option(help: "Path points of the agreement check.") var steps = 50
        @Option(help: "Sentences (with |F(x) − F(x̄)| ≥ 0.1) re-explained at --completeness-steps for the completeness figure.") var completeness = 20
        @Option(help: "Gauss–Legendre steps of the completeness check.") var completenessSteps = 300
        @Option(help: "Write each case as a JSON line here.") var cases: String?
        @Option(help: "Threads for kernels and BLAS.") var threads: Int?

        func run() throws {
            if let threads { guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }; Runtime.threads = threads }
            guard steps >= 1, completenessSteps >= 1 else { throw ValidationError("--steps and --completeness-steps must be ≥ 1") }
            let classifier = try BertClassifier(directory: URL(fileURLWithPath: model, isDirectory: true))
            let lexiconURL = try KexueHome.require(lexicon.map { URL(fileURLWithPath: $0) } ?? KexueHome.data("vader/vader_lexicon.txt"),
                                                   what: "VADER lexicon")
            var test = RottenTomatoes.split(try RottenTomatoes.load()).test
            if let limit { test = Array(test.prefix(limit)) }
            let explainer = TextExplainer(classifier: classifier,
                                          ig: IntegratedGradients(steps: steps, method: .gaussLegendre, internalBatchSize: 25))
            let check = LexiconAgreement(explainer: explainer, lexicon: try SentimentLexicon(contentsOf: lexiconURL))
            let progress = Progress(total: test.count, label: "explain evaluate", every: 50)
            let summary = try check.run(test, positive: positive) { progress.update(step: $0, []) }

            // Completeness at many steps on sentences whose output moved enough for a relative figure.
            var precise = explainer
            precise.ig = IntegratedGradients(steps: completenessSteps, method: .gaussLegendre, internalBatchSize: 50)
            let target = classifier.labels.firstIndex(of: positive)!
            var ratios: [Double] = []
            for c in summary.cases where abs(c.outputDifference) >= 0.1 && ratios.count < completeness {
                let a = try precise.explain(c.text, target: target).attribution
                ratios.append(abs(a.delta) / abs(a.outputDifference))
            }
            if let cases {
                let lines = summary.cases.map { c -> String in
                    let o: [String: Any] = ["text": c.text, "word": c.word, "valence": c.valence, "score": c.score, "rank": c.rank,
                                            "delta": c.delta, "output_difference": c.outputDifference]
                    return String(decoding: try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]), as: UTF8.self)
                }
                try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: URL(fileURLWithPath: cases))
            }
            printJSON(["task": "explain-evaluate", "sentences": summary.sentencesSeen, "cases": summary.cases.count,
                       "misclassified": summary.misclassified, "without_strong_word": summary.withoutStrongWord,
                       "sign_agreement": summary.signAgreement, "strongest_word_in_top3": summary.inTopK,
                       "steps": steps, "completeness_sentences": ratios.count, "completeness_steps": completenessSteps,
                       "max_relative_delta": ratios.max() ?? Double.nan,
                       "median_relative_delta": ratios.isEmpty ? Double.nan : ratios.sorted()[ratios.count / 2]])
        }
    }
}
