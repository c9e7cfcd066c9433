import Foundation

/// UniLM seq2seq on BERT (Dong et al., NeurIPS 2019; Su's bert4keras recipe, METHODS.md §4): one
/// encoder, the UniLM mask from segment ids — the source sees itself bidirectionally, targets see
/// the source and earlier targets — and the tied LM head applied only at scored positions.
///
/// A model folder is an HF `BertForMaskedLM` folder (`bert.*` + `cls.predictions.*`, tokenizer
/// files) whose config.json carries `"kexue_task": "unilm-seq2seq"`.
public final class UniLMSeq2Seq: Module {
    public let model: BertLMModel
    public let tokenizer: BertTokenizer
    let tokenizerSource: URL
    var baseConfig: [String: Any]

    public static let task = "unilm-seq2seq"

    /// The passage window (word pieces) the model was trained with; generation uses the same.
    /// Saved in config.json as `kexue_max_passage`.
    public var passageWindow: Int? {
        get { baseConfig["kexue_max_passage"] as? Int }
        set { baseConfig["kexue_max_passage"] = newValue }
    }

    /// How the model's training windows were cut (`kexue_passage_windows`); folders that predate
    /// the key were trained with centred windows.
    public var passageWindowing: PassageWindowing {
        get { (baseConfig["kexue_passage_windows"] as? String).flatMap(PassageWindowing.init(rawValue:)) ?? .centred }
        set { baseConfig["kexue_passage_windows"] = newValue.rawValue }
    }

    /// A fresh seq2seq model on a pretrained encoder folder (MiniLM: new head, tied decoder).
    public init(pretrained dir: URL, seed: UInt64 = 0) throws {
        let (encoder, config, heads) = try BertDirectory.loadEncoder(dir)
        model = try BertLMModel(encoder: encoder, headState: heads, seed: seed, source: dir.path)
        tokenizer = try BertTokenizer(directory: dir)
        tokenizerSource = dir
        baseConfig = config
        super.init()
    }

    /// A model trained from scratch at a small size, with the tokenizer of `tokenizerDirectory`
    /// (the template task of METHODS.md §4(d), and languages without a pretrained BERT here).
    public init(config: BertConfig, tokenizerDirectory dir: URL, seed: UInt64 = 0) throws {
        tokenizer = try BertTokenizer(directory: dir)
        guard tokenizer.vocabulary.count == config.vocabSize else {
            throw BertError.badConfig("vocab_size \(config.vocabSize) differs from the \(tokenizer.vocabulary.count) tokens of \(dir.path)")
        }
        model = BertLMModel(config, seed: seed)
        tokenizerSource = dir
        baseConfig = [:]
        super.init()
    }

    /// Loads a folder saved by `save(to:)`; a folder without the seq2seq head is an error.
    public init(directory dir: URL) throws {
        let (encoder, config, heads) = try BertDirectory.loadEncoder(dir)
        guard config["kexue_task"] as? String == Self.task, heads["cls.predictions.bias"] != nil else {
            throw BertError.badCheckpoint("\(dir.path): not a UniLM seq2seq model (no cls.predictions.* head or kexue_task \"\(Self.task)\" in config.json); train one with `kexue qg train`")
        }
        model = try BertLMModel(encoder: encoder, headState: heads, source: dir.path)
        tokenizer = try BertTokenizer(directory: dir)
        tokenizerSource = dir
        baseConfig = config
        super.init()
    }

    public var maxPositions: Int { model.config.maxPositionEmbeddings }

    /// The shifted, masked cross-entropy over answer and question tokens (mean over scored positions).
    public func loss(_ batch: Seq2SeqBatch) -> Tensor {
        let h = model.bert(batch.ids, typeIds: batch.segments, mask: .unilm(segments: batch.segments, keyMask: batch.keyMask))
        let logits = model.logits(h, at: batch.scored)  // [N, V]
        return crossEntropy(logits: logits, targets: Tensor(indices: batch.targets, shape: [batch.targets.count]))
    }

    public func save(to dir: URL) throws {
        var config = try BertDirectory.configJSON(model.config, base: baseConfig)
        config["architectures"] = ["BertForMaskedLM"]
        config["kexue_task"] = Self.task
        config["tie_word_embeddings"] = true
        try BertDirectory.save(to: dir, config: config, tensors: model.hfState(), tokenizerSource: tokenizerSource)
    }

    /// Word-piece ids of a text without [CLS]/[SEP], with their character offsets (Unicode scalars).
    public func pieces(_ text: String) throws -> (ids: [Int32], offsets: [Range<Int>]) {
        let e = try tokenizer.encode(text)
        return (Array(e.ids.dropFirst().dropLast()), Array(e.offsets.dropFirst().dropLast()))
    }

    public var clsId: Int32 { tokenizer.vocabulary.id(of: "[CLS]") ?? 101 }
    public var sepId: Int32 { tokenizer.vocabulary.id(of: "[SEP]") ?? 102 }
    public var padId: Int32 { tokenizer.vocabulary.id(of: "[PAD]") ?? 0 }

    /// Ids → text, word pieces joined (`##` glued to the previous piece), specials dropped.
    public func text(_ ids: [Int32]) -> String {
        var out = ""
        for id in ids where id != clsId && id != sepId && id != padId {
            let piece = tokenizer.vocabulary.token(of: id)
            if piece.hasPrefix("##") { out += piece.dropFirst(2); continue }
            // Words are space-separated, but Chinese characters and full-width punctuation are
            // written without spaces ("什么？", not HF decode's "什 么 ？").
            let joined = out.unicodeScalars.last.map(Self.isWrittenWithoutSpaces) ?? true
                || piece.unicodeScalars.first.map(Self.isWrittenWithoutSpaces) ?? false
            out += (joined ? "" : " ") + piece
        }
        return out
    }

    static func isWrittenWithoutSpaces(_ s: Unicode.Scalar) -> Bool {
        BertCharacterClasses.isChineseCharacter(s) || (0x3000...0x303F).contains(s.value) || (0xFF00...0xFFEF).contains(s.value)
    }
}
