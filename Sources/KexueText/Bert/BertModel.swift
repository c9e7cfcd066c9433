import Foundation

/// The BERT encoder: embeddings, a stack of `BertLayer`s and an (optional) pooler.
///
/// Read top to bottom: ids → embeddings → layers (each with the same attention bias) → hidden
/// states [B, T, H]. The pooler (tanh(W·h_[CLS])) exists for HF compatibility; MiniLM's is
/// untrained, so classifiers here use mean pooling or their own head.
public final class BertModel: Module {
    public let config: BertConfig
    public let embeddings: BertEmbeddings
    public var layers: [BertLayer]
    public let pooler: Linear

    /// A model with BERT's initialisation (N(0, initializer_range²) weights) from `seed`.
    public init(_ config: BertConfig, seed: UInt64 = 0) {
        precondition((try? config.validate()) != nil, "BertModel: invalid config \(config)")
        var rng = RandomGenerator(seed: seed)
        self.config = config
        embeddings = BertEmbeddings(config, using: &rng)
        layers = (0..<config.numHiddenLayers).map { BertLayer(config, layer: $0, using: &rng) }
        pooler = Linear(weight: Tensor.normal([config.hiddenSize, config.hiddenSize], std: config.initializerRange, using: &rng).requiringGrad(),
                        bias: Tensor.zeros([config.hiddenSize]).requiringGrad())
        super.init()
    }

    /// ids, typeIds [B, T] (int32) → hidden states [B, T, H].
    /// `words` overrides the token-embedding lookup output [B, T, H] (integrated gradients).
    public func callAsFunction(_ ids: Tensor, typeIds: Tensor? = nil, mask: AttentionMask,
                               words: Tensor? = nil) -> Tensor {
        precondition(ids.dtype == .int32 && ids.rank == 2, "BERT: ids must be int32 [B, T], got \(ids.dtype) \(ids.shape)")
        if let typeIds { precondition(typeIds.shape == ids.shape, "BERT: typeIds \(typeIds.shape) differ from ids \(ids.shape)") }
        let (b, t) = (ids.shape[0], ids.shape[1])
        var h = embeddings(ids, typeIds: typeIds, words: words)
        let prepared = PreparedMask(mask, batch: b, length: t, dtype: h.dtype, needsBias: config.attention == .softmax)
        for layer in layers { h = layer(h, mask: prepared) }
        return h
    }

    /// Incremental decoding: appends ids [B, t] at `positions` [B, t] (per row, so right-padded
    /// sources continue at their own length) to `cache` and returns their hidden states [B, t, H].
    /// `keyMask` [B, t] marks the real new positions (nil: all real); later positions never see
    /// padded ones. Equals the full forward with the matching causal / UniLM mask.
    public func extend(_ ids: Tensor, typeIds: Tensor? = nil, positions: Tensor, keyMask: Tensor? = nil,
                       visibility: BlockVisibility, cache: inout DecoderCache) throws -> Tensor {
        guard ids.dtype == .int32, ids.rank == 2, positions.shape == ids.shape else {
            throw BertError.badInput("BERT extend: ids \(ids.dtype) \(ids.shape) and positions \(positions.shape) must be int32 [B, t]")
        }
        guard cache.layers.count == layers.count else {
            throw BertError.badInput("BERT extend: the cache has \(cache.layers.count) layers, the model \(layers.count)")
        }
        var h = embeddings(ids, typeIds: typeIds, positionIds: positions)
        for (i, layer) in layers.enumerated() {
            h = try layer.extend(h, keyMask: keyMask, visibility: visibility, cache: &cache.layers[i])
        }
        cache.length += ids.shape[1]
        return h
    }

    /// tanh(W·h_[CLS] + b): [B, T, H] → [B, H].
    public func pooled(_ hidden: Tensor) -> Tensor {
        pooler(hidden.sliced(axis: 1, 0, 1).squeezed(1)).tanh()
    }
}

/// Mean of the hidden states over real tokens: [B, T, H], mask [B, T] → [B, H]
/// (sentence-transformers' pooling).
public func meanPool(_ hidden: Tensor, mask: Tensor) -> Tensor {
    let m = mask.to(hidden.dtype).unsqueezed(-1)  // [B, T, 1]
    return (hidden * m).sum(axis: 1) / m.sum(axis: 1).clamp(min: 1e-9)
}
