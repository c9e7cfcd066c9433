/// BERT's masked-LM head with the decoder tied to the word embeddings (METHODS.md §4(a)):
/// t = LayerNorm(act(W_t·h + b_t)), logits = t·Eᵀ + b_v. It does not hold E: the caller passes the
/// word-embedding table, so the tie is one Parameter by construction (nothing to keep in sync,
/// nothing saved twice). Saved under HF's `cls.predictions.*` names, so `BertForMaskedLM` loads it.
public final class MaskedLMHead: Module {
    public let transform: Linear  // [H, H]
    public let norm: LayerNorm
    public let bias: Tensor  // b_v [V]
    public let activation: String

    /// Fresh weights: W_t ~ N(0, initializer_range²), b_t = 0, γ = 1, β = 0, b_v = 0.
    public init(_ c: BertConfig, using rng: inout RandomGenerator) {
        transform = Linear(weight: Tensor.normal([c.hiddenSize, c.hiddenSize], std: c.initializerRange, using: &rng).requiringGrad(),
                           bias: Tensor.zeros([c.hiddenSize]).requiringGrad())
        norm = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        bias = Tensor.zeros([c.vocabSize]).requiringGrad()
        activation = c.hiddenAct
        super.init()
    }

    /// hidden [N, H] (only the positions that are scored), table E [V, H] → logits [N, V].
    public func callAsFunction(_ hidden: Tensor, wordEmbeddings table: Tensor) -> Tensor {
        let t = norm(BertLayer.activate(transform(hidden), activation))
        return matmul(t, table, transposeB: true) + bias
    }

    /// HF names relative to the model root.
    public static let names = NameMap([
        ("cls.predictions.transform.dense", "head.transform"),
        ("cls.predictions.transform.LayerNorm", "head.norm"),
        ("cls.predictions.bias", "head.bias"),
    ])
}
