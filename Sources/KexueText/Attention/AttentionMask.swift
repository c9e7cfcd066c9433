/// Which keys each query may see, as data (so softmax attention builds an additive bias and
/// linear attention can check that it can express the mask at all).
public enum AttentionMask {
    /// Every query sees every real key; `keyMask` [B, S] holds 1 for real tokens, 0 for padding.
    case padding(keyMask: Tensor?)
    /// Query i sees keys j ≤ i (and only real ones).
    case causal(keyMask: Tensor?)
    /// UniLM seq2seq: with idx = cumsum(segments) along the sequence, i sees j iff idx_j ≤ idx_i and
    /// j is real. Source rows see the whole source; target rows see the source and earlier targets.
    case unilm(segments: Tensor, keyMask: Tensor?)
    /// Any additive bias broadcastable to [B, H, T, S] (0 to keep, a large negative to drop).
    case additive(Tensor)

    /// The additive bias [B, 1, T, S] (0 or −1e9, as bert4keras / HF use large negatives, not −inf,
    /// so a fully masked row stays finite).
    public func bias(batch: Int, queries: Int, keys: Int, dtype: DType) -> Tensor? {
        func keyBias(_ m: Tensor?) -> Tensor? {
            guard let m else { return nil }
            precondition(m.shape == [batch, keys], "attention mask: key mask \(m.shape) for batch \(batch) × \(keys) keys")
            return ((m.to(dtype) - 1) * 1e9).reshaped([batch, 1, 1, keys])
        }
        switch self {
        case .padding(let m):
            return keyBias(m)
        case .causal(let m):
            precondition(queries == keys, "causal mask: \(queries) queries and \(keys) keys must be equal")
            var v = [Double](repeating: 0, count: queries * keys)
            for i in 0..<queries { for j in (i + 1)..<Swift.max(keys, i + 1) { v[i * keys + j] = -1e9 } }
            let c = Tensor(doubles: v, shape: [1, 1, queries, keys]).to(dtype)
            return keyBias(m).map { c + $0 } ?? c
        case .unilm(let segments, let m):
            precondition(segments.shape == [batch, keys] && queries == keys,
                         "UniLM mask: segments \(segments.shape) for batch \(batch) × \(keys) tokens")
            let seg = segments.int32s
            var v = [Double](repeating: 0, count: batch * keys * keys)
            for b in 0..<batch {
                var idx = [Int32](repeating: 0, count: keys)
                var acc: Int32 = 0
                for j in 0..<keys { acc += seg[b * keys + j]; idx[j] = acc }
                for i in 0..<keys { for j in 0..<keys where idx[j] > idx[i] { v[(b * keys + i) * keys + j] = -1e9 } }
            }
            let u = Tensor(doubles: v, shape: [batch, 1, keys, keys]).to(dtype)
            return keyBias(m).map { u + $0 } ?? u
        case .additive(let t):
            return t.to(dtype)
        }
    }
}
