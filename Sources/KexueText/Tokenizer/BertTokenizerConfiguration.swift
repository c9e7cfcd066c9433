import Foundation

/// Everything besides the vocabulary that decides how a BERT tokenizer splits text.
/// The defaults are those of uncased BERT (and of `all-MiniLM-L6-v2`).
public struct BertTokenizerConfiguration: Sendable, Equatable {
    public var normalizer = BertNormalizerOptions()
    /// Words longer than this (in normalized scalars) become `unknownToken`.
    public var maxInputCharactersPerWord = 100
    public var unknownToken = "[UNK]"
    public var continuingSubwordPrefix = "##"
    public var classifierToken = "[CLS]"
    public var separatorToken = "[SEP]"
    public var paddingToken = "[PAD]"
    /// Tokens matched verbatim in raw text and never split (HF's added tokens); those missing from
    /// the vocabulary are ignored.
    public var neverSplitTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    public init() {}

    /// Reads the normalizer, WordPiece model, added tokens and post-processor of an HF `tokenizer.json`.
    ///
    /// Only what BERT uses is accepted; anything we would not reproduce exactly (another model type,
    /// normalized or stripping added tokens) throws `TokenizerError.unsupportedConfiguration`.
    /// - Returns: the configuration and the vocabulary stored in the file's model.
    public static func load(tokenizerJSON file: URL) throws -> (BertTokenizerConfiguration, Vocabulary) {
        let path = file.path
        func unsupported(_ reason: String) -> TokenizerError {
            .unsupportedConfiguration(file: path, reason: reason)
        }
        guard let root = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any],
              let model = root["model"] as? [String: Any] else {
            throw unsupported("not a tokenizer.json object with a \"model\"")
        }
        guard model["type"] as? String == "WordPiece", let vocabMap = model["vocab"] as? [String: Int] else {
            throw unsupported("model is not WordPiece with a vocab map")
        }
        var configuration = BertTokenizerConfiguration()
        configuration.unknownToken = model["unk_token"] as? String ?? configuration.unknownToken
        configuration.continuingSubwordPrefix = model["continuing_subword_prefix"] as? String ?? "##"
        configuration.maxInputCharactersPerWord = model["max_input_chars_per_word"] as? Int ?? 100

        if let normalizer = root["normalizer"] as? [String: Any] {
            guard normalizer["type"] as? String == "BertNormalizer" else {
                throw unsupported("normalizer \(normalizer["type"] ?? "?") is not BertNormalizer")
            }
            configuration.normalizer = BertNormalizerOptions(
                cleanText: normalizer["clean_text"] as? Bool ?? true,
                handleChineseCharacters: normalizer["handle_chinese_chars"] as? Bool ?? true,
                stripAccents: normalizer["strip_accents"] as? Bool,
                lowercase: normalizer["lowercase"] as? Bool ?? true)
        }
        if let preTokenizer = root["pre_tokenizer"] as? [String: Any],
           preTokenizer["type"] as? String != "BertPreTokenizer" {
            throw unsupported("pre_tokenizer \(preTokenizer["type"] ?? "?") is not BertPreTokenizer")
        }
        if let processor = root["post_processor"] as? [String: Any] {
            switch processor["type"] as? String {
            case "BertProcessing":
                guard let cls = (processor["cls"] as? [Any])?.first as? String,
                      let sep = (processor["sep"] as? [Any])?.first as? String else {
                    throw unsupported("BertProcessing without cls/sep")
                }
                (configuration.classifierToken, configuration.separatorToken) = (cls, sep)
            case "TemplateProcessing":
                // BERT's template: [CLS] A [SEP] for one text, [CLS] A [SEP] B [SEP] for a pair.
                let single = processor["single"] as? [[String: Any]] ?? []
                let pair = processor["pair"] as? [[String: Any]] ?? []
                let names = single.compactMap { ($0["SpecialToken"] as? [String: Any])?["id"] as? String }
                guard single.count == 3, pair.count == 5, names.count == 2 else {
                    throw unsupported("post_processor template is not [CLS] A [SEP] (B [SEP])")
                }
                (configuration.classifierToken, configuration.separatorToken) = (names[0], names[1])
            default:
                throw unsupported("post_processor \(processor["type"] ?? "?") is not BERT's")
            }
        }
        if let padding = root["padding"] as? [String: Any], let token = padding["pad_token"] as? String {
            configuration.paddingToken = token
        }

        // JSON object keys arrive as Swift Strings, which merge canonically equivalent spellings;
        // a lost entry shows up as a missing id and is reported rather than silently shifting ids.
        var tokens = [String?](repeating: nil, count: vocabMap.count)
        for (token, id) in vocabMap {
            guard id >= 0, id < tokens.count, tokens[id] == nil else {
                throw unsupported("vocab ids are not 0..<\(vocabMap.count), each once (id \(id))")
            }
            tokens[id] = token
        }
        let vocabulary = try Vocabulary(tokens: tokens.map { $0! }, source: path)

        if let added = root["added_tokens"] as? [[String: Any]] {
            configuration.neverSplitTokens = []
            for token in added {
                guard let content = token["content"] as? String, let id = token["id"] as? Int else {
                    throw unsupported("added token without content or id")
                }
                for flag in ["normalized", "lstrip", "rstrip", "single_word"] where token[flag] as? Bool == true {
                    throw unsupported("added token \"\(content)\" has \(flag)=true")
                }
                guard vocabulary.id(of: content) == Int32(id) else {
                    throw unsupported("added token \"\(content)\" has id \(id), not its vocabulary id")
                }
                configuration.neverSplitTokens.append(content)
            }
        }
        return (configuration, vocabulary)
    }
}
