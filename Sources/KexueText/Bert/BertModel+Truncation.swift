import Foundation

extension BertModel {
    /// A copy with only the first `layers` encoder layers (embeddings and pooler kept): the
    /// "BERT-nL fine-tuned directly" baseline of BERT-of-Theseus (Xu et al. 2020, Table 1) and of
    /// Su's iflytek example, which start a shallow model from the pre-trained checkpoint's prefix.
    public func truncated(to layers: Int) throws -> BertModel {
        guard layers >= 1, layers <= self.layers.count else {
            throw BertError.badInput("cannot keep \(layers) layers of a \(self.layers.count)-layer encoder (need 1…\(self.layers.count))")
        }
        var config = self.config
        config.numHiddenLayers = layers
        let model = BertModel(config, seed: 0)
        try model.embeddings.load(state: embeddings.stateDict(), source: "embeddings")
        for (target, source) in zip(model.layers, self.layers.prefix(layers)) {
            try target.load(state: source.stateDict(), source: "encoder layer")
        }
        try model.pooler.load(state: pooler.stateDict(), source: "pooler")
        return model
    }
}
