import Foundation

/// A small causal transformer language model over characters (METHODS.md §3(d)[E]): BERT blocks
/// under a causal mask, softmax or linear attention by configuration, the tied LM head. The same
/// weights run in parallel form (training, evaluation) and step by step (generation).
///
/// A folder holds `config.json` (HF BERT fields + `kexue_attention`), `model.safetensors` (HF
/// `BertForMaskedLM` names) and `vocab.json`.
public final class CharacterLM: Module {
    public let model: BertLMModel
    public let vocabulary: CharacterVocabulary

    public init(vocabulary: CharacterVocabulary, layers: Int, hidden: Int, heads: Int, context: Int,
                attention: AttentionKind, seed: UInt64) {
        var c = BertConfig(vocabSize: vocabulary.count, hiddenSize: hidden, numHiddenLayers: layers, numAttentionHeads: heads,
                           intermediateSize: 4 * hidden, hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1,
                           maxPositionEmbeddings: context, typeVocabSize: 1)
        c.attention = attention
        model = BertLMModel(c, seed: seed)
        self.vocabulary = vocabulary
        super.init()
    }

    public init(directory dir: URL) throws {
        let (encoder, _, heads) = try BertDirectory.loadEncoder(dir)
        guard heads["cls.predictions.bias"] != nil else {
            throw BertError.badCheckpoint("\(dir.path): no language-model head (cls.predictions.*); train one with `kexue lm train`")
        }
        model = try BertLMModel(encoder: encoder, headState: heads, source: dir.path)
        vocabulary = try CharacterVocabulary.load(dir.appendingPathComponent("vocab.json"))
        guard vocabulary.count == encoder.config.vocabSize else {
            throw BertError.badCheckpoint("\(dir.path): vocab.json has \(vocabulary.count) symbols, config.json vocab_size \(encoder.config.vocabSize)")
        }
        super.init()
    }

    public var context: Int { model.config.maxPositionEmbeddings }

    /// Windows ids [B, T] → mean next-token cross-entropy over positions 0..<T−1 (nats).
    public func loss(_ windows: Tensor) -> Tensor {
        let (b, t) = (windows.shape[0], windows.shape[1])
        let inputs = windows.sliced(axis: 1, 0, t - 1)  // [B, T−1]
        let targets = windows.sliced(axis: 1, 1, t).reshaped([b * (t - 1)])
        let h = model.bert(inputs, mask: .causal(keyMask: nil))  // [B, T−1, H]
        return crossEntropy(logits: model.logits(h, at: Array(0..<(b * (t - 1)))), targets: targets)
    }

    public func save(to dir: URL) throws {
        var config = try BertDirectory.configJSON(model.config)
        config["architectures"] = ["BertForMaskedLM"]
        config["is_decoder"] = true
        try AtomicFile.writeDirectory(at: dir) { tmp in
            let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write(data, to: tmp.appendingPathComponent("config.json"))
            try SafeTensors.save(model.hfState(), to: tmp.appendingPathComponent("model.safetensors"), metadata: ["format": "pt"])
            try vocabulary.save(to: tmp.appendingPathComponent("vocab.json"))
        }
    }

    /// Continues `prompt` (a [CLS] is put in front, as in training) with the decoding core.
    public func generate(_ prompt: String, config: GenerationConfig) throws -> [GeneratedSequence] {
        let ids = [vocabulary.startId] + vocabulary.encode(prompt)
        guard ids.count + config.maxNewTokens <= context else {
            throw GenerationError.badInput("prompt (\(ids.count) symbols) + max_new_tokens (\(config.maxNewTokens)) exceeds the model's context of \(context)")
        }
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try withoutGrad {
            let decoder = BertDecoder(model, typeId: 0)
            let (first, cache) = try decoder.start(Tensor(indices: ids, shape: [1, ids.count]), typeIds: nil, keyMask: nil, visibility: .causal)
            return try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [ids], config: config)[0]
        }
    }
}
