import Foundation

/// How to shorten inputs longer than `maxLength` tokens ([CLS] and [SEP] included), as HF `tokenizers`.
public struct Truncation: Sendable, Equatable {
    public enum Strategy: Sendable, Equatable {
        /// Shorten the longer text first; if both are long, share `maxLength` between them.
        case longestFirst
        /// Shorten only the first text.
        case onlyFirst
        /// Shorten only the second text of a pair (the context, in question answering).
        case onlySecond
    }
    public var maxLength: Int
    public var strategy: Strategy

    public init(maxLength: Int, strategy: Strategy = .longestFirst) {
        self.maxLength = maxLength
        self.strategy = strategy
    }
}

/// How to pad encodings with [PAD] (attention mask 0, type id 0, offsets 0..<0) on the right.
public enum Padding: Sendable, Equatable {
    case none
    /// Pad every encoding of a batch to the longest one.
    case longest
    /// Pad to this many tokens; longer encodings are left as they are.
    case fixed(Int)
}

/// BERT's WordPiece tokenizer, token for token and offset for offset the same as HF `tokenizers`
/// with a BERT `tokenizer.json` (e.g. `all-MiniLM-L6-v2`).
///
/// ```swift
/// let tokenizer = try BertTokenizer(directory: modelFolder)
/// let encoding = try tokenizer.encode("Who wrote it?", pair: context,
///                                     truncation: Truncation(maxLength: 128, strategy: .onlySecond))
/// ```
/// Pipeline: never-split tokens are found in the raw text, the rest is normalized and cut into words
/// (`BasicTokenizer`), words into pieces (`WordPiece`), then [CLS]/[SEP] are added.
public struct BertTokenizer: Sendable {
    public let vocabulary: Vocabulary
    public let configuration: BertTokenizerConfiguration
    private let basicTokenizer: BasicTokenizer
    private let wordPiece: WordPiece
    private let specialTokens: SpecialTokenMatcher
    private let classifierId: Int32
    private let separatorId: Int32
    private let paddingId: Int32

    /// - Throws: `TokenizerError.missingToken` if the unknown, [CLS], [SEP] or [PAD] token is not in
    ///   `vocabulary`.
    public init(vocabulary: Vocabulary, configuration: BertTokenizerConfiguration = .init()) throws {
        self.vocabulary = vocabulary
        self.configuration = configuration
        basicTokenizer = BasicTokenizer(options: configuration.normalizer)
        wordPiece = try WordPiece(vocabulary: vocabulary, unknownToken: configuration.unknownToken,
                                  continuingSubwordPrefix: configuration.continuingSubwordPrefix,
                                  maxInputCharactersPerWord: configuration.maxInputCharactersPerWord)
        classifierId = try vocabulary.requireId(of: configuration.classifierToken)
        separatorId = try vocabulary.requireId(of: configuration.separatorToken)
        paddingId = try vocabulary.requireId(of: configuration.paddingToken)
        specialTokens = SpecialTokenMatcher(tokens: configuration.neverSplitTokens.compactMap { token in
            vocabulary.id(of: token).map { (token, $0) }
        })
    }

    /// Loads a `vocab.txt` with the given configuration (uncased BERT by default).
    public init(vocabularyFile: URL, configuration: BertTokenizerConfiguration = .init()) throws {
        try self.init(vocabulary: Vocabulary(contentsOf: vocabularyFile), configuration: configuration)
    }

    /// Loads an HF `tokenizer.json` (configuration and vocabulary).
    public init(tokenizerJSON: URL) throws {
        let (configuration, vocabulary) = try BertTokenizerConfiguration.load(tokenizerJSON: tokenizerJSON)
        try self.init(vocabulary: vocabulary, configuration: configuration)
    }

    /// Loads a model folder: the configuration from `tokenizer.json` when present, the vocabulary
    /// from `vocab.txt` when present (its lines are the exact tokens), else from `tokenizer.json`.
    public init(directory: URL) throws {
        let vocabFile = directory.appendingPathComponent("vocab.txt")
        let jsonFile = directory.appendingPathComponent("tokenizer.json")
        let hasVocab = FileManager.default.fileExists(atPath: vocabFile.path)
        if FileManager.default.fileExists(atPath: jsonFile.path) {
            let (configuration, jsonVocabulary) = try BertTokenizerConfiguration.load(tokenizerJSON: jsonFile)
            let vocabulary = hasVocab ? try Vocabulary(contentsOf: vocabFile) : jsonVocabulary
            try self.init(vocabulary: vocabulary, configuration: configuration)
        } else if hasVocab {
            try self.init(vocabularyFile: vocabFile)
        } else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: vocabFile.path])
        }
    }

    // MARK: Encoding

    /// Encodes one text as `[CLS] text [SEP]`. Empty text gives just `[CLS] [SEP]`.
    /// - Throws: `TokenizerError.truncationImpossible` for `.onlySecond`, or `maxLength` < 2.
    public func encode(_ text: String, truncation: Truncation? = nil, padding: Padding = .none) throws -> Encoding {
        var pieces = textPieces(text)
        if let truncation {
            guard truncation.maxLength >= 2 else {
                throw TokenizerError.truncationImpossible(reason: "maxLength \(truncation.maxLength) < 2 special tokens")
            }
            let budget = truncation.maxLength - 2
            if pieces.count > budget {
                guard truncation.strategy != .onlySecond else {
                    throw TokenizerError.truncationImpossible(reason: "onlySecond needs a second text")
                }
                pieces.removeLast(pieces.count - budget)
            }
        }
        var encoding = emptyEncoding(capacity: pieces.count + 2)
        appendSpecial(classifierId, typeId: 0, to: &encoding)
        append(pieces, typeId: 0, to: &encoding)
        appendSpecial(separatorId, typeId: 0, to: &encoding)
        pad(&encoding, padding)
        return encoding
    }

    /// Encodes a pair as `[CLS] first [SEP] second [SEP]`, type ids 0 then 1; offsets of the second
    /// part index `second`.
    /// - Throws: `TokenizerError.truncationImpossible` when the strategy cannot meet `maxLength`.
    public func encode(_ first: String, pair second: String, truncation: Truncation? = nil,
                       padding: Padding = .none) throws -> Encoding {
        var firstPieces = textPieces(first)
        var secondPieces = textPieces(second)
        if let truncation {
            let (firstLength, secondLength) = try Self.truncatedLengths(
                firstPieces.count, secondPieces.count, truncation: truncation)
            firstPieces.removeLast(firstPieces.count - firstLength)
            secondPieces.removeLast(secondPieces.count - secondLength)
        }
        var encoding = emptyEncoding(capacity: firstPieces.count + secondPieces.count + 3)
        appendSpecial(classifierId, typeId: 0, to: &encoding)
        append(firstPieces, typeId: 0, to: &encoding)
        appendSpecial(separatorId, typeId: 0, to: &encoding)
        append(secondPieces, typeId: 1, to: &encoding)
        appendSpecial(separatorId, typeId: 1, to: &encoding)
        pad(&encoding, padding)
        return encoding
    }

    /// Encodes several texts; `.longest` pads them all to the longest.
    public func encode(batch texts: [String], truncation: Truncation? = nil,
                       padding: Padding = .none) throws -> [Encoding] {
        var encodings = try texts.map { try encode($0, truncation: truncation) }
        let longest = encodings.map(\.count).max() ?? 0
        for index in encodings.indices {
            pad(&encodings[index], padding == .longest ? .fixed(longest) : padding)
        }
        return encodings
    }

    /// The words of `text` after BERT's normalisation and pre-tokenisation (before WordPiece).
    public func words(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var words = NormalizedWords()
        basicTokenizer.appendWords(of: scalars, in: 0..<scalars.count, to: &words)
        return words.words.map { String(String.UnicodeScalarView(words.scalars[$0])) }
    }

    /// The WordPiece tokens of `text`, without [CLS]/[SEP].
    public func tokenize(_ text: String) -> [String] {
        textPieces(text).map { vocabulary.token(of: $0.id) }
    }

    // MARK: Steps

    /// Token ids of `text` with their original scalar ranges.
    private func textPieces(_ text: String) -> [(id: Int32, offsets: Range<Int>)] {
        let scalars = Array(text.unicodeScalars)
        var result: [(id: Int32, offsets: Range<Int>)] = []
        var words = NormalizedWords()
        var pieces: [(id: Int32, range: Range<Int>)] = []
        for segment in specialTokens.segments(of: scalars) {
            switch segment {
            case let .special(id, range):
                result.append((id, range))
            case let .text(range):
                words = NormalizedWords()
                basicTokenizer.appendWords(of: scalars, in: range, to: &words)
                for word in words.words {
                    pieces.removeAll(keepingCapacity: true)
                    wordPiece.appendPieces(of: word, in: words.scalars, to: &pieces)
                    for piece in pieces { result.append((piece.id, words.originalRange(of: piece.range))) }
                }
            }
        }
        return result
    }

    /// Lengths of the two texts after truncation, exactly as HF's `truncate_encodings`.
    static func truncatedLengths(_ firstLength: Int, _ secondLength: Int,
                                 truncation: Truncation) throws -> (Int, Int) {
        guard truncation.maxLength >= 3 else {
            // HF silently skips truncation here; a request that cannot hold [CLS] [SEP] [SEP] is a bug.
            throw TokenizerError.truncationImpossible(reason: "maxLength \(truncation.maxLength) < 3 special tokens")
        }
        let budget = truncation.maxLength - 3
        let total = firstLength + secondLength
        guard total > budget else { return (firstLength, secondLength) }
        switch truncation.strategy {
        case .longestFirst:
            var (shorter, longer) = (min(firstLength, secondLength), max(firstLength, secondLength))
            longer = shorter > budget ? shorter : max(shorter, budget - shorter)
            if shorter + longer > budget {
                shorter = budget / 2
                longer = shorter + budget % 2
            }
            return firstLength > secondLength ? (longer, shorter) : (shorter, longer)
        case .onlyFirst, .onlySecond:
            let toRemove = total - budget
            let target = truncation.strategy == .onlyFirst ? firstLength : secondLength
            guard budget == 0 || target > toRemove else {
                throw TokenizerError.truncationImpossible(
                    reason: "the text to truncate has \(target) tokens, \(toRemove) must go")
            }
            if budget == 0 { return (0, 0) }  // HF empties both texts when nothing fits
            return truncation.strategy == .onlyFirst
                ? (firstLength - toRemove, secondLength) : (firstLength, secondLength - toRemove)
        }
    }

    private func emptyEncoding(capacity: Int) -> Encoding {
        var encoding = Encoding(ids: [], tokens: [], typeIds: [], attentionMask: [], specialTokensMask: [], offsets: [])
        encoding.ids.reserveCapacity(capacity)
        encoding.offsets.reserveCapacity(capacity)
        return encoding
    }

    private func appendSpecial(_ id: Int32, typeId: Int32, to encoding: inout Encoding) {
        encoding.append(id: id, token: vocabulary.token(of: id), typeId: typeId, isSpecial: true,
                        attended: true, offsets: 0..<0)
    }

    private func append(_ pieces: [(id: Int32, offsets: Range<Int>)], typeId: Int32, to encoding: inout Encoding) {
        for piece in pieces {
            encoding.append(id: piece.id, token: vocabulary.token(of: piece.id), typeId: typeId,
                            isSpecial: false, attended: true, offsets: piece.offsets)
        }
    }

    private func pad(_ encoding: inout Encoding, _ padding: Padding) {
        guard case let .fixed(length) = padding else { return }
        while encoding.count < length {
            encoding.append(id: paddingId, token: configuration.paddingToken, typeId: 0, isSpecial: true,
                            attended: false, offsets: 0..<0)
        }
    }
}
