import Kexue
import KexueText

/// Per-token decoding cost against the prefix length (METHODS.md §3(d)): one self-attention layer
/// (hidden 512 = 8 heads × 64, projections included) appends one token to a cache holding T
/// positions — softmax with a KV cache (cost grows with T) vs linear attention's recurrent state
/// (flat). The caches are filled with random values rather than by a prefill, which at T = 16384
/// would need the [8, T, T] softmax scores.
enum DecodingBenchmarks {
    static let prefixes = [256, 1024, 4096, 16384]

    static func decode(repeat count: Int) throws -> [BenchRecord] {
        var records: [BenchRecord] = []
        let heads = 8, d = 64, hidden = heads * d
        for attention in [AttentionKind.softmax, .linear(.eluPlusOne)] {
            var c = BertConfig(vocabSize: 8, hiddenSize: hidden, numHiddenLayers: 1, numAttentionHeads: heads,
                               intermediateSize: 4 * hidden, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0)
            c.attention = attention
            var rng = RandomGenerator(seed: 7)
            let layer = BertSelfAttention(c, using: &rng)
            layer.eval()
            let x = Tensor.normal([1, 1, hidden], using: &rng)  // [B, 1, C]: the new token
            for t in prefixes {
                let start: AttentionCache
                if attention == .softmax {
                    start = .keyValue(keys: Tensor.normal([1, heads, t, d], using: &rng), values: Tensor.normal([1, heads, t, d], using: &rng),
                                      keyMask: Tensor.ones([1, t]))
                } else {
                    // S, z as after t positions of φ(k) ≈ 1 per feature (their size is what matters).
                    start = .recurrent(state: Tensor.normal([1, heads, d, d], using: &rng) * Double(t),
                                       normalizer: Tensor.ones([1, heads, 1, d]) * Double(t))
                }
                var failure: Error?
                let ms = medianMilliseconds(repeat: count * 10, warmup: 3) {
                    var cache: AttentionCache? = start
                    do { _ = try withoutGrad { try layer.extend(x, keyMask: nil, visibility: .causal, cache: &cache) } }
                    catch { failure = error }
                }
                if let failure { throw failure }
                var r = BenchRecord(bench: "decode", config: ["prefix": t, "attention": attention == .softmax ? "softmax-kv-cache" : "linear-recurrent",
                                                              "heads": heads, "d": d], medianMs: ms, rate: nil)
                r.extra["us_per_token"] = (ms * 10_000).rounded() / 10
                records.append(r)
            }
        }
        return records
    }
}
