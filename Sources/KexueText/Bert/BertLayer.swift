/// Multi-head self-attention with its output projection (HF `BertAttention` minus the LayerNorm).
public final class BertSelfAttention: Module {
    public let query: Linear, key: Linear, value: Linear, output: Linear
    public let heads: Int
    public let dropout: Double

    public init(_ c: BertConfig, using rng: inout RandomGenerator) {
        func dense(_ i: Int, _ o: Int) -> Linear {
            let l = Linear(weight: Tensor.normal([o, i], std: c.initializerRange, using: &rng).requiringGrad(),
                           bias: Tensor.zeros([o]).requiringGrad())
            return l
        }
        query = dense(c.hiddenSize, c.hiddenSize)
        key = dense(c.hiddenSize, c.hiddenSize)
        value = dense(c.hiddenSize, c.hiddenSize)
        output = dense(c.hiddenSize, c.hiddenSize)
        heads = c.numAttentionHeads
        dropout = c.attentionProbsDropoutProb
        super.init()
    }

    /// [B, T, C] → [B, H, T, D]
    func splitHeads(_ x: Tensor) -> Tensor {
        let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        return x.reshaped([b, t, heads, c / heads]).permuted(0, 2, 1, 3)
    }

    /// [B, H, T, D] → [B, T, C]
    func mergeHeads(_ x: Tensor) -> Tensor {
        let (b, h, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return x.permuted(0, 2, 1, 3).reshaped([b, t, h * d])
    }

    /// x [B, T, C], bias broadcastable to [B, H, T, T] → [B, T, C]
    public func callAsFunction(_ x: Tensor, bias: Tensor?) -> Tensor {
        let q = splitHeads(query(x)), k = splitHeads(key(x)), v = splitHeads(value(x))
        let context = scaledDotProductAttention(query: q, key: k, value: v, bias: bias,
                                                dropout: dropout, training: isTraining)
        return output(mergeHeads(context))
    }
}

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

    public init(_ c: BertConfig, using rng: inout RandomGenerator) {
        attention = BertSelfAttention(c, using: &rng)
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

    public func callAsFunction(_ x: Tensor, bias: Tensor?) -> Tensor {
        let h = attentionNorm(x + dropout(attention(x, bias: bias)))
        return outputNorm(h + dropout(output(BertLayer.activate(intermediate(h), activation))))
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
