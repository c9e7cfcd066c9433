/// Word + position + token-type embeddings, then LayerNorm and dropout.
public final class BertEmbeddings: Module {
    public let wordEmbeddings: Embedding       // [vocab, hidden]
    public let positionEmbeddings: Embedding   // [maxPositions, hidden]
    public let tokenTypeEmbeddings: Embedding  // [typeVocab, hidden]
    public let norm: LayerNorm
    public let dropout: Dropout

    public init(_ c: BertConfig, using rng: inout RandomGenerator) {
        wordEmbeddings = Embedding(c.vocabSize, c.hiddenSize, std: c.initializerRange, using: &rng)
        positionEmbeddings = Embedding(c.maxPositionEmbeddings, c.hiddenSize, std: c.initializerRange, using: &rng)
        tokenTypeEmbeddings = Embedding(c.typeVocabSize, c.hiddenSize, std: c.initializerRange, using: &rng)
        norm = LayerNorm(c.hiddenSize, eps: c.layerNormEps)
        dropout = Dropout(c.hiddenDropoutProb)
        super.init()
    }

    /// The token lookup alone, [B, T, H] — the tensor integrated gradients interpolates.
    public func wordVectors(_ ids: Tensor) -> Tensor { wordEmbeddings(ids) }

    /// ids, typeIds [B, T] → [B, T, H]. `words` replaces the token lookup (IG's override hook);
    /// `positionIds` [B, t] gives each token's position (incremental decoding); default 0..<t.
    public func callAsFunction(_ ids: Tensor, typeIds: Tensor?, words: Tensor? = nil, positionIds: Tensor? = nil) -> Tensor {
        let (b, t) = (ids.shape[0], ids.shape[1])
        let positions = positionIds ?? Tensor(indices: (0..<t).map { Int32($0) }, shape: [1, t])
        let top = positionIds.map { Int($0.int32s.max() ?? 0) + 1 } ?? t
        precondition(top <= positionEmbeddings.count,
                     "BERT: position \(top - 1) exceeds max_position_embeddings \(positionEmbeddings.count)")
        let w = words ?? wordEmbeddings(ids)
        let types = typeIds ?? Tensor(indices: [Int32](repeating: 0, count: b * t), shape: [b, t])
        let h = w + positionEmbeddings(positions) + tokenTypeEmbeddings(types)
        return dropout(norm(h))
    }
}
