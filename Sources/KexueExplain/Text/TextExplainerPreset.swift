/// Named settings of `TextExplainer` (METHODS.md §7(b)).
public struct TextExplainerPreset: Sendable {
    public var ig: IntegratedGradients
    public var baseline: TextBaseline
    public var output: ClassOutput
    public var scoring: TokenScoring

    public init(ig: IntegratedGradients, baseline: TextBaseline, output: ClassOutput, scoring: TokenScoring) {
        self.ig = ig
        self.baseline = baseline
        self.output = output
        self.scoring = scoring
    }

    /// Integrated gradients: 50 Gauss–Legendre steps, `[CLS] [PAD]… [SEP]` reference, target logit,
    /// signed token scores (sum over the embedding dimensions).
    public static let `default` = TextExplainerPreset(ig: .default, baseline: .padReference, output: .logit, scoring: .sum)

    /// Su's demo scores (bert4keras task_sentiment_integrated_gradients.py): A = (1/n)·Σ_{k=0}^{n−1}
    /// ∇F(α_k·e) ⊙ (α_k·e), α_k = k/(n−1), n = 20, zero baseline on the word-embedding output (every
    /// token's vector, [CLS]/[SEP] included, is scaled, as his `K.set_value(embeddings, alpha * values)`
    /// scales the whole table), F = probability of the predicted label (explain without a target),
    /// token score ‖A_t‖₂ (or `.maxAbs`). Su min-max normalises over all tokens, [CLS]/[SEP] included,
    /// and prints the others: `TextExplanation.normalizedTokenScores` is that. **Not IG, not complete**
    /// (`Attribution.complete == false`): Σ A ≈ F(x) − mean_k F(α_k·x), not F(x) − F(0).
    public static let suCompatible = suCompatible(scoring: .l2)

    /// `suCompatible` with the token score `.l2` or `.maxAbs` (Su: "the two work about the same").
    public static func suCompatible(scoring: TokenScoring) -> TextExplainerPreset {
        precondition(!scoring.isSigned, "suCompatible scores tokens by .l2 or .maxAbs, not \(scoring)")
        return TextExplainerPreset(ig: .suCompatible, baseline: .zero, output: .probability, scoring: scoring)
    }
}
