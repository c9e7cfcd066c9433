/// What one attention layer keeps between decoding steps (METHODS.md §3 and §4(a)).
public enum AttentionCache {
    /// Softmax attention: keys and values of every position so far, and which of them are real
    /// (padded source positions stay masked for every later query).
    case keyValue(keys: Tensor, values: Tensor, keyMask: Tensor)  // [B, H, T, D], [B, H, T, M], [B, T]
    /// Linear attention: S = Σ_j φ(k_j)v_jᵀ and z = Σ_j φ(k_j) over the real positions so far —
    /// constant size, so a step costs the same at any prefix length.
    case recurrent(state: Tensor, normalizer: Tensor)  // [B, H, C, M], [B, H, 1, C]

    /// Batch rows → `rows` (beam search keeps the parents' caches).
    func selecting(rows: Tensor) -> AttentionCache {
        func pick(_ t: Tensor) -> Tensor {
            t.reshaped([t.shape[0], t.count / t.shape[0]]).rows(rows).reshaped([rows.count] + t.shape.dropFirst())
        }
        switch self {
        case .keyValue(let k, let v, let m): return .keyValue(keys: pick(k), values: pick(v), keyMask: pick(m))
        case .recurrent(let s, let z): return .recurrent(state: pick(s), normalizer: pick(z))
        }
    }

    /// Bytes held (the KV cache grows with the prefix; the recurrent state does not).
    var byteCount: Int {
        switch self {
        case .keyValue(let k, let v, let m): return (k.count + v.count) * k.dtype.byteSize + m.count * m.dtype.byteSize
        case .recurrent(let s, let z): return (s.count + z.count) * s.dtype.byteSize
        }
    }
}

/// How a block of new positions sees itself when appended to a cache: every new position sees all
/// cached real keys, and within the block either every real key (a bidirectional source, UniLM's
/// segment 0) or only keys at or before itself (causal targets). For one position they agree.
public enum BlockVisibility: Sendable {
    case bidirectional
    case causal
}

/// Per-layer caches of a transformer plus how many positions they hold.
public struct DecoderCache {
    public var layers: [AttentionCache?]
    /// Positions appended so far (padding included), per batch row identical.
    public internal(set) var length: Int
    /// The position id the next token of each row takes (rows of right-padded sources differ).
    public var nextPosition: [Int32]
    /// The real tokens each row holds, in order (prompt or source, then what was decoded): the
    /// context for repetition penalties, and what an uncached reference recomputes from.
    public var tokens: [[Int32]]

    public init(layers: Int) {
        self.layers = Array(repeating: nil, count: layers)
        length = 0
        nextPosition = []
        tokens = []
    }

    public var batchSize: Int? {
        switch layers.first ?? nil {
        case .keyValue(let k, _, _)?: return k.shape[0]
        case .recurrent(let s, _)?: return s.shape[0]
        case nil: return nil
        }
    }

    /// Keeps batch rows `rows` (in that order, repeats allowed): beam search's parent reordering
    /// and expanding one encoded source into several beams.
    public mutating func select(rows: [Int]) {
        let idx = Tensor(indices: rows.map { Int32($0) }, shape: [rows.count])
        layers = layers.map { $0?.selecting(rows: idx) }
        if !nextPosition.isEmpty { nextPosition = rows.map { nextPosition[$0] } }
        if !tokens.isEmpty { tokens = rows.map { tokens[$0] } }
    }

    public var byteCount: Int { layers.reduce(0) { $0 + ($1?.byteCount ?? 0) } }
}
