import Kexue
import KexueText

/// One explained text: per-token and per-word scores, the prediction, and IG's bookkeeping.
public struct TextExplanation: @unchecked Sendable {
    public let text: String
    public let tokens: [ScoredSpan]
    public let words: [ScoredSpan]
    public let predictedLabel: String
    public let predictedProbability: Double
    public let targetLabel: String
    public let target: Int
    public let output: ClassOutput
    public let scoring: TokenScoring
    public let attribution: Attribution
    /// Set when the text was cut to the model's maximum length.
    public let notice: String?

    /// Token scores for display, [CLS]/[SEP] included: signed s/max|s| ∈ [−1, 1], unsigned min-max to
    /// [0, 1] over all tokens (Su's printed scores in the `suCompatible` preset).
    public var normalizedTokenScores: [Double] { scoring.displayValues(tokens.map(\.score)) }
}

/// Integrated gradients for a `BertClassifier` at the `.wordEmbeddings` boundary: the token-lookup output
/// [T, H] before position/segment embeddings and LayerNorm, overridden through the model's `words:` hook
/// (the embedding table is never touched).
public struct TextExplainer {
    public let classifier: BertClassifier
    public var ig: IntegratedGradients
    public var baseline: TextBaseline
    public var output: ClassOutput
    public var scoring: TokenScoring
    /// Longest encoding, [CLS]/[SEP] included; defaults to the model's position limit.
    public var maxLength: Int

    public init(classifier: BertClassifier, ig: IntegratedGradients = IntegratedGradients(),
                baseline: TextBaseline = .padReference, output: ClassOutput = .logit,
                scoring: TokenScoring = .sum, maxLength: Int? = nil) {
        self.classifier = classifier
        self.ig = ig
        self.baseline = baseline
        self.output = output
        self.scoring = scoring
        self.maxLength = maxLength ?? classifier.maxLength
        classifier.eval()
    }

    /// An explainer with a preset's settings (`.default`, `.suCompatible`).
    public init(classifier: BertClassifier, preset: TextExplainerPreset, maxLength: Int? = nil) {
        self.init(classifier: classifier, ig: preset.ig, baseline: preset.baseline, output: preset.output,
                  scoring: preset.scoring, maxLength: maxLength)
    }

    /// Explains `text` toward `target` (default: the predicted class).
    public func explain(_ text: String, target: Int? = nil) throws -> TextExplanation {
        let tok = classifier.tokenizer
        let full = try tok.encode(text)
        let enc = try tok.encode(text, truncation: Truncation(maxLength: maxLength))
        let notice = full.count > enc.count
            ? "text truncated from \(full.count) to \(enc.count) tokens (model maximum \(maxLength)); words after the cut are not explained"
            : nil
        let t = enc.count, h = classifier.bert.config.hiddenSize
        let special = enc.specialTokensMask.map { $0 != 0 }
        let typeRow = enc.typeIds
        let ids = enc.ids
        let model = classifier
        // [K, T, H] word vectors → logits [K, C], ids and types repeated over the path points.
        let logits: (Tensor) -> Tensor = { words in
            let k = words.shape[0]
            let idsK = Tensor(indices: Array(repeating: ids, count: k).flatMap { $0 }, shape: [k, t])
            let typesK = Tensor(indices: Array(repeating: typeRow, count: k).flatMap { $0 }, shape: [k, t])
            let mask = Tensor.ones([k, t])
            return model(idsK, typeIds: typesK, keyMask: mask, words: words)
        }
        let x = withoutGrad { classifier.bert.embeddings.wordVectors(Tensor(indices: ids, shape: [1, t])).reshaped([t, h]) }
        let probs = withoutGrad { logits(x.reshaped([1, t, h])).softmax(axis: -1).doubles }
        let predicted = probs.indices.max { probs[$0] < probs[$1] }!
        let target = target ?? predicted
        guard target >= 0, target < probs.count else {
            throw IntegratedGradientsError.targetOutOfRange(target: target, classes: probs.count)
        }
        let bases = try baseline.wordVectors(classifier: classifier, ids: ids, special: special)
        let f = output.scalarFunction(target: target, model: logits)
        let a = try ig.attribute(x, baselines: bases, function: f)  // attributions [T, H]
        let scores = scoring.scores(a.attributions)
        let scalars = Array(text.unicodeScalars)
        let tokens = (0..<t).map { i -> ScoredSpan in
            let r = enc.offsets[i]
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[r])
            return ScoredSpan(text: special[i] ? enc.tokens[i] : String(s), start: r.lowerBound, end: r.upperBound, score: scores[i])
        }
        let words = WordGrouping.words(text: text, offsets: enc.offsets, special: special, scores: scores)
        return TextExplanation(text: text, tokens: tokens, words: words, predictedLabel: classifier.labels[predicted],
                               predictedProbability: probs[predicted], targetLabel: classifier.labels[target],
                               target: target, output: output, scoring: scoring, attribution: a, notice: notice)
    }
}
