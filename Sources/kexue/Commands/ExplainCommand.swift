import ArgumentParser
import Foundation
import Kexue
import KexueExplain

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Integrated gradients for a `kexue classify` model: JSON per text on stdout and a standalone HTML report.",
        subcommands: [Texts.self, Image.self, Evaluate.self],
        defaultSubcommand: Texts.self
    )

    /// IG settings shared by the explain subcommands.
    struct IGOptions: ParsableArguments {
        @Option(help: "default (integrated gradients: 50 gaussLegendre steps, pad baseline, logit, sum) or su-compatible (Su's demo scores: not IG, not complete; 20 points α = k/(n−1), zero baseline, probability of the predicted label, l2; METHODS.md §7).")
        var preset = "default"
        @Option(help: "Path points (default: the preset's, 50 or 20).") var steps: Int?
        @Option(help: "gaussLegendre (default), riemannLeft, riemannRight, riemannMiddle or riemannTrapezoid; not with su-compatible.") var method: String?
        @Option(help: "Path points per forward/backward pass (bounds memory).") var internalBatchSize = 25
        @Option(help: "Baseline: pad ([CLS] [PAD]… [SEP], default) or zero; su-compatible is always zero.") var baseline: String?
        @Option(help: "Explained scalar: logit (default) or probability of the target class; su-compatible is always probability.") var output: String?
        @Option(help: "Token score from its embedding attributions: sum (signed, default), l2 or maxAbs; su-compatible: l2 (default) or maxAbs.") var scoring: String?
        @Option(help: "Longest encoding in tokens ([CLS]/[SEP] included); longer texts are truncated with a notice.") var maxLength = 128

        var isSuCompatible: Bool { preset == "su-compatible" }

        func explainer(_ classifier: BertClassifier) throws -> TextExplainer {
            var p: TextExplainerPreset
            switch preset {
            case "default": p = .default
            case "su-compatible":
                // Su's quantity is defined by its path points, baseline and scalar: only n and the token norm vary.
                for (flag, value) in [("--method", method), ("--baseline", baseline), ("--output", output)] where value != nil {
                    throw ValidationError("\(flag) does not apply to --preset su-compatible (fixed: α_k = k/(n−1), zero baseline, probability)")
                }
                p = .suCompatible
            default: throw ValidationError("unknown --preset '\(preset)'; known: default, su-compatible")
            }
            if let steps {
                let least = isSuCompatible || method == QuadratureRule.riemannTrapezoid.rawValue ? 2 : 1
                guard steps >= least else { throw ValidationError("--steps must be ≥ \(least), got \(steps)") }
                p.ig.steps = steps
            }
            guard internalBatchSize >= 1 else { throw ValidationError("--internal-batch-size must be ≥ 1, got \(internalBatchSize)") }
            p.ig.internalBatchSize = internalBatchSize
            if let method {
                guard let rule = QuadratureRule(rawValue: method) else {
                    throw ValidationError("unknown --method '\(method)'; known: \(QuadratureRule.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                p.ig.method = rule
            }
            if let output {
                guard let out = ClassOutput(rawValue: output) else { throw ValidationError("--output must be logit or probability, got '\(output)'") }
                p.output = out
            }
            if let scoring {
                guard let sc = TokenScoring(rawValue: scoring) else { throw ValidationError("--scoring must be sum, l2 or maxAbs, got '\(scoring)'") }
                if isSuCompatible && sc.isSigned { throw ValidationError("--preset su-compatible scores tokens by l2 or maxAbs, not \(scoring)") }
                p.scoring = sc
            }
            switch baseline {
            case nil: break
            case "pad": p.baseline = .padReference
            case "zero": p.baseline = .zero
            default: throw ValidationError("--baseline must be pad or zero, got '\(baseline!)'")
            }
            guard maxLength >= 2 else { throw ValidationError("--max-length must be ≥ 2, got \(maxLength)") }
            return TextExplainer(classifier: classifier, preset: p, maxLength: Swift.min(maxLength, classifier.maxLength))
        }

        /// The baseline's name in the JSON.
        func baselineName() -> String { isSuCompatible ? "zero" : (baseline ?? "pad") }
    }

    struct Texts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "texts",
            abstract: "Explain texts (the default subcommand): `kexue explain --model DIR TEXT…`. Put -- before texts that start with a dash.")
        @Option(help: "Classifier folder (e.g. <run>/best from `kexue classify train`).") var model: String
        @OptionGroup var ig: IGOptions
        @Option(help: "Explain toward this label (default: the predicted one).") var target: String?
        @Option(help: "Write the HTML report here.") var html: String?
        @Option(help: "Threads for kernels and BLAS.") var threads: Int?
        @Option(help: "rotten-tomatoes: explain sentences of its committed test split (true labels shown).") var dataset: String?
        @Option(help: "With --dataset: how many test sentences (the first N).") var limit = 8
        @Argument(help: "Texts to explain.") var texts: [String] = []

        func run() throws {
            if let threads { guard threads >= 1 else { throw ValidationError("--threads must be ≥ 1") }; Runtime.threads = threads }
            var items = texts.map { LabeledText(id: "", text: $0, label: "") }
            if let dataset {
                guard dataset == "rotten-tomatoes" else { throw ValidationError("unknown --dataset '\(dataset)'; known: rotten-tomatoes") }
                guard limit >= 1 else { throw ValidationError("--limit must be ≥ 1, got \(limit)") }
                items += RottenTomatoes.split(try RottenTomatoes.load()).test.prefix(limit)
            }
            guard !items.isEmpty else { throw ValidationError("give at least one text, or --dataset rotten-tomatoes") }
            let classifier = try BertClassifier(directory: URL(fileURLWithPath: model, isDirectory: true))
            let explainer = try ig.explainer(classifier)
            var targetIndex: Int?
            if let target {
                if ig.isSuCompatible { throw ValidationError("--target does not apply to --preset su-compatible (F is the probability of the predicted label)") }
                guard let i = classifier.labels.firstIndex(of: target) else {
                    throw ValidationError("--target '\(target)' is not a label of the model; labels: \(classifier.labels.joined(separator: ", "))")
                }
                targetIndex = i
            }
            var rows: [HTMLReport.Row] = []
            for item in items {
                let e = try explainer.explain(item.text, target: targetIndex)
                if let n = e.notice { FileHandle.standardError.write(Data("kexue explain: \(n)\n".utf8)) }
                rows.append(HTMLReport.Row(e, trueLabel: item.label.isEmpty ? nil : item.label))
                var out = Self.json(e)
                out["preset"] = ig.preset
                out["baseline"] = ig.baselineName()
                if !item.label.isEmpty { out["true_label"] = item.label }
                printJSON(out)
            }
            if let html {
                try AtomicFile.write(Data(HTMLReport.render(rows).utf8), to: URL(fileURLWithPath: html))
                FileHandle.standardError.write(Data("kexue explain: wrote \(html)\n".utf8))
            }
        }

        static func json(_ e: TextExplanation) -> [String: Any] {
            func spans(_ s: [ScoredSpan]) -> [[String: Any]] { s.map { ["text": $0.text, "start": $0.start, "end": $0.end, "score": $0.score] } }
            // Tokens also carry their display value ([CLS]/[SEP] included in the normalisation, as Su's demo).
            var tokens = spans(e.tokens)
            for (i, v) in e.normalizedTokenScores.enumerated() { tokens[i]["normalized"] = v }
            var out: [String: Any] = [
                "text": e.text, "label": e.predictedLabel, "probability": e.predictedProbability,
                "target": e.targetLabel, "output": e.output.rawValue, "scoring": e.scoring.rawValue,
                "boundary": "wordEmbeddings", "steps": e.attribution.steps, "method": e.attribution.methodName,
                "quantity": e.attribution.quantity.rawValue, "complete": e.attribution.complete,
                "f_path_mean": e.attribution.meanOutputOnPath,
                "f_input": e.attribution.outputAtInput, "f_baseline": e.attribution.outputAtBaseline,
                "attribution_sum": e.attribution.attributionSum, "delta": e.attribution.delta,
                "relative_delta": e.attribution.relativeDelta.isFinite ? e.attribution.relativeDelta : -1,
                "tokens": tokens, "words": spans(e.words),
            ]
            if let n = e.notice { out["notice"] = n }
            return out
        }
    }
}
