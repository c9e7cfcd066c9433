import Foundation

/// sentence-transformers' recipe for all-MiniLM-L6-v2: BERT, mean pooling over real tokens,
/// L2 normalisation; texts truncated to 256 tokens.
public struct SentenceEmbedder {
    public let model: BertModel
    public let tokenizer: BertTokenizer
    public let maxLength: Int

    public init(directory: URL, maxLength: Int = 256) throws {
        model = try BertDirectory.loadEncoder(directory).model
        model.eval()
        tokenizer = try BertTokenizer(directory: directory)
        self.maxLength = maxLength
    }

    /// One unit-length vector per text.
    public func embed(_ texts: [String], batchSize: Int = 32) throws -> [[Float]] {
        var out: [[Float]] = []
        for start in stride(from: 0, to: texts.count, by: batchSize) {
            let enc = try texts[start..<Swift.min(texts.count, start + batchSize)].map {
                try tokenizer.encode($0, truncation: Truncation(maxLength: maxLength))
            }
            let batch = TextBatch(enc)
            let pooled = withoutGrad {
                meanPool(model(batch.ids, typeIds: batch.typeIds, mask: .padding(keyMask: batch.keyMask)), mask: batch.keyMask)
            }
            let norm = withoutGrad { (pooled * pooled).sum(axis: -1, keepDims: true).sqrt().clamp(min: 1e-12) }
            let v = withoutGrad { pooled / norm }.floats, h = pooled.shape[1]
            for i in 0..<enc.count { out.append(Array(v[(i * h)..<((i + 1) * h)])) }
        }
        return out
    }
}
