/// The slow reference path: every step recomputes each row from the tokens its cache records,
/// with the full UniLM mask (source = the first `sourceLength` tokens) or a causal mask. It exists
/// to check the cached decoders and to measure what the cache saves (`kexue bench qg-decode`).
public struct RecomputingDecoder: IncrementalDecoder {
    public let model: BertLMModel
    public let sourceLength: Int?

    public init(_ model: BertLMModel, sourceLength: Int?) {
        self.model = model
        self.sourceLength = sourceLength
    }

    public func step(_ tokens: [Int32], cache: inout DecoderCache) throws -> Tensor {
        guard cache.tokens.count == tokens.count else {
            throw GenerationError.badInput("\(tokens.count) tokens for a cache recording \(cache.tokens.count) rows")
        }
        cache.tokens = zip(cache.tokens, tokens).map { $0 + [$1] }
        let n = cache.tokens[0].count, b = tokens.count
        guard cache.tokens.allSatisfy({ $0.count == n }) else {
            throw GenerationError.badInput("rows of different lengths; the recomputing decoder needs equal rows")
        }
        let ids = Tensor(indices: cache.tokens.flatMap { $0 }, shape: [b, n])
        let h: Tensor
        if let s = sourceLength {
            let seg = Tensor(indices: (0..<(b * n)).map { $0 % n < s ? 0 : 1 }, shape: [b, n])
            h = model.bert(ids, typeIds: seg, mask: .unilm(segments: seg, keyMask: nil))
        } else {
            h = model.bert(ids, mask: .causal(keyMask: nil))
        }
        return model.logits(h, at: (0..<b).map { $0 * n + n - 1 })
    }
}
