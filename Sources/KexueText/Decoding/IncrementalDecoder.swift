/// A model that decodes one token at a time on top of a cache (METHODS.md §3 and §4(a)): the
/// source or prompt is encoded once (model-specific), then every step feeds one token per row.
public protocol IncrementalDecoder {
    /// Next-token logits [B, V] after appending `tokens` (one per cache row) to `cache`.
    func step(_ tokens: [Int32], cache: inout DecoderCache) throws -> Tensor
}
