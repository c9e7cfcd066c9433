/// One transformer block, post-LayerNorm as in BERT:
/// h = LN(x + Attn(x)); out = LN(h + W₂·act(W₁·h)).
public final class BertLayer: Module {
    public let attention: BertSelfAttention
    public let attentionNorm: LayerNorm
    public let intermediate: Linear
    public let output: Linear
    public let outputNorm: LayerNorm
    public let dropout: Dropout
    public let activation: String

    public init(_ c: BertConfig, layer: Int = 0, using rng: inout RandomGenerator) {
        attention = BertSelfAttention(c, layer: layer, using: &rng)
        attentionNorm = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        intermediate = Linear(weight: Tensor.normal([c.intermediateSize, c.hiddenSize], std: c.initializerRange, using: &rng).requiringGrad(),
                              bias: Tensor.zeros([c.intermediateSize]).requiringGrad())
        output = Linear(weight: Tensor.normal([c.hiddenSize, c.intermediateSize], std: c.initializerRange, using: &rng).requiringGrad(),
                        bias: Tensor.zeros([c.hiddenSize]).requiringGrad())
        outputNorm = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        dropout = Dropout(c.hiddenDropoutProb)
        activation = c.hiddenAct
        super.init()
    }

    /// x [B, T, C] → [B, T, C] over the whole sequence.
    public func callAsFunction(_ x: Tensor, mask: PreparedMask) -> Tensor {
        feedForward(attentionNorm(x + dropout(attention(x, mask: mask))))
    }

    /// Softmax attention with an explicit additive bias broadcastable to [B, H, T, T].
    public func callAsFunction(_ x: Tensor, bias: Tensor?) -> Tensor {
        self(x, mask: PreparedMask(bias: bias))
    }

    /// The incremental form: x [B, t, C] appended to `cache` → [B, t, C] (see `BertSelfAttention.extend`).
    public func extend(_ x: Tensor, keyMask: Tensor?, visibility: BlockVisibility, cache: inout AttentionCache?) throws -> Tensor {
        feedForward(attentionNorm(x + dropout(try attention.extend(x, keyMask: keyMask, visibility: visibility, cache: &cache))))
    }

    func feedForward(_ h: Tensor) -> Tensor {
        outputNorm(h + dropout(output(BertLayer.activate(intermediate(h), activation))))
    }

    static func activate(_ x: Tensor, _ name: String) -> Tensor {
        switch name {
        case "gelu": return x.gelu()
        case "gelu_new", "gelu_pytorch_tanh": return x.gelu(approximate: .tanh)
        case "relu": return x.relu()
        default: return x.silu()
        }
    }
}
