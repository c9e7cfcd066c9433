import Foundation

/// BERT with the tied masked-LM head: the model behind the causal LM (`kexue lm`) and UniLM
/// seq2seq (`kexue qg`). Which tokens see which is the caller's mask; the vocabulary head runs
/// only at the positions that are scored (a [V]-wide matmul per position is the costliest part).
public final class BertLMModel: Module {
    public let bert: BertModel
    public let head: MaskedLMHead

    public init(_ config: BertConfig, seed: UInt64 = 0) {
        bert = BertModel(config, seed: seed)
        var rng = RandomGenerator(seed: seed &+ 0x5EED)
        head = MaskedLMHead(config, using: &rng)
        super.init()
    }

    /// A fresh head on a pretrained encoder (MiniLM ships no `cls.predictions.*`), or the saved
    /// head when the folder has one.
    public init(encoder: BertModel, headState: [String: Tensor], seed: UInt64 = 0, source: String) throws {
        bert = encoder
        var rng = RandomGenerator(seed: seed &+ 0x5EED)
        head = MaskedLMHead(encoder.config, using: &rng)
        super.init()
        let mine = headState.filter { $0.key.hasPrefix("cls.predictions.") && $0.key != "cls.predictions.decoder.weight" }
        if !mine.isEmpty {
            var local: [String: Tensor] = [:]
            for (k, t) in mine {
                guard let path = MaskedLMHead.names.local(for: k) else {
                    throw BertError.badCheckpoint("\(source): unexpected head tensor \(k)")
                }
                local[String(path.dropFirst("head.".count))] = t
            }
            try head.load(state: local, strict: true, source: source)
        }
    }

    public var config: BertConfig { bert.config }

    /// hidden [B, T, H] and flat indices into B·T → logits [N, V].
    public func logits(_ hidden: Tensor, at flatPositions: [Int]) -> Tensor {
        let h = hidden.reshaped([hidden.shape[0] * hidden.shape[1], hidden.shape[2]])  // [B·T, H]
        let picked = h.rows(Tensor(indices: flatPositions.map { Int32($0) }, shape: [flatPositions.count]))  // [N, H]
        return head(picked, wordEmbeddings: bert.embeddings.wordEmbeddings.weight)
    }

    /// Tensors under HF `BertForMaskedLM` names (`bert.` encoder, `cls.predictions.*` head; the
    /// tied decoder weight is not stored, as HF saves tied weights).
    public func hfState() -> [String: Tensor] {
        var out = bert.hfState(prefix: "bert.")
        for (path, t) in head.namedTensors() {
            out[MaskedLMHead.names.foreign(for: "head." + path)!] = t
        }
        return out
    }
}

/// Decodes with a `BertLMModel` one token at a time: `typeId` is the segment of generated tokens
/// (0 for a causal LM, 1 for UniLM targets). Steps are causal: a new token sees the cache and itself.
public struct BertDecoder: IncrementalDecoder {
    public let model: BertLMModel
    public let typeId: Int32

    public init(_ model: BertLMModel, typeId: Int32) {
        self.model = model
        self.typeId = typeId
    }

    /// Encodes a right-padded block ids [B, T] (types, keyMask [B, T]) into a fresh cache and
    /// returns the logits at each row's last real position [B, V]. `visibility` is `.bidirectional`
    /// for a UniLM source, `.causal` for an LM prompt.
    public func start(_ ids: Tensor, typeIds: Tensor?, keyMask: Tensor?, visibility: BlockVisibility) throws -> (logits: Tensor, cache: DecoderCache) {
        let (b, t) = (ids.shape[0], ids.shape[1])
        var cache = DecoderCache(layers: model.bert.layers.count)
        let positions = Tensor(indices: (0..<(b * t)).map { Int32($0 % t) }, shape: [b, t])
        let h = try model.bert.extend(ids, typeIds: typeIds, positions: positions, keyMask: keyMask,
                                      visibility: visibility, cache: &cache)  // [B, T, H]
        let lengths: [Int]
        if let keyMask {
            let m = keyMask.to(.float32).floats
            lengths = (0..<b).map { r in Int((0..<t).reduce(Float(0)) { $0 + m[r * t + $1] }) }
        } else { lengths = Array(repeating: t, count: b) }
        guard lengths.allSatisfy({ $0 > 0 }) else { throw GenerationError.badInput("an input row has no real tokens") }
        cache.nextPosition = lengths.map { Int32($0) }
        let flat = ids.int32s
        let real = keyMask.map { $0.to(.float32).floats } ?? [Float](repeating: 1, count: b * t)
        cache.tokens = (0..<b).map { r in (0..<t).filter { real[r * t + $0] > 0 }.map { flat[r * t + $0] } }
        return (model.logits(h, at: (0..<b).map { $0 * t + lengths[$0] - 1 }), cache)
    }

    /// Appends a right-padded block ids [B, t] (real positions in `keyMask`) after each row's
    /// cached positions, causally, with segment `typeId`; returns the logits at each row's last real
    /// new position [B, V]. (UniLM: the sampled answer and its [SEP] before the question.)
    public func append(_ ids: Tensor, keyMask: Tensor, cache: inout DecoderCache) throws -> Tensor {
        let (b, t) = (ids.shape[0], ids.shape[1])
        guard cache.nextPosition.count == b, keyMask.shape == [b, t] else {
            throw GenerationError.badInput("a block \(ids.shape) with mask \(keyMask.shape) for a cache of \(cache.nextPosition.count) rows")
        }
        let m = keyMask.to(.float32).floats
        let lengths = (0..<b).map { r in (0..<t).filter { m[r * t + $0] > 0 }.count }
        guard lengths.allSatisfy({ $0 > 0 }) else { throw GenerationError.badInput("a block row has no real tokens") }
        let positions = Tensor(indices: (0..<(b * t)).map { cache.nextPosition[$0 / t] + Int32($0 % t) }, shape: [b, t])
        let types = Tensor(indices: [Int32](repeating: typeId, count: b * t), shape: [b, t])
        let h = try model.bert.extend(ids, typeIds: types, positions: positions, keyMask: keyMask, visibility: .causal, cache: &cache)
        cache.nextPosition = (0..<b).map { cache.nextPosition[$0] + Int32(lengths[$0]) }
        let flat = ids.int32s
        cache.tokens = (0..<b).map { r in cache.tokens[r] + (0..<t).filter { m[r * t + $0] > 0 }.map { flat[r * t + $0] } }
        return model.logits(h, at: (0..<b).map { $0 * t + lengths[$0] - 1 })
    }

    public func step(_ tokens: [Int32], cache: inout DecoderCache) throws -> Tensor {
        let b = tokens.count
        guard cache.nextPosition.count == b else {
            throw GenerationError.badInput("\(b) tokens for a cache of \(cache.nextPosition.count) rows")
        }
        let ids = Tensor(indices: tokens, shape: [b, 1])
        let types = Tensor(indices: [Int32](repeating: typeId, count: b), shape: [b, 1])
        let positions = Tensor(indices: cache.nextPosition, shape: [b, 1])
        let h = try model.bert.extend(ids, typeIds: types, positions: positions, visibility: .causal, cache: &cache)
        cache.nextPosition = cache.nextPosition.map { $0 + 1 }
        cache.tokens = zip(cache.tokens, tokens).map { $0 + [$1] }
        return model.logits(h, at: Array(0..<b))  // [B, V]
    }
}
