/// The model input for one text or text pair, as HF `tokenizers.Encoding`.
///
/// All arrays have one entry per token. Offsets are half-open ranges of Unicode-scalar indices into
/// the original text (Python `str` indices, DESIGN.md §5); for a pair, second-text tokens index the
/// second text. Added special tokens ([CLS], [SEP], padding) get `0..<0`.
public struct Encoding: Sendable, Equatable {
    /// Vocabulary ids (Int32, the index type of the tensor engine).
    public var ids: [Int32]
    /// Token strings, e.g. `["[CLS]", "un", "##aff", "##able", "[SEP]"]`.
    public var tokens: [String]
    /// Segment ids: 0 for the first text and its [CLS]/[SEP], 1 for the second text and its [SEP].
    public var typeIds: [Int32]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]
    /// 1 for tokens the tokenizer added ([CLS], [SEP], [PAD]), 0 for tokens from the text.
    public var specialTokensMask: [Int32]
    /// Original scalar range of each token.
    public var offsets: [Range<Int>]

    /// Number of tokens, padding included.
    public var count: Int { ids.count }

    public init(ids: [Int32], tokens: [String], typeIds: [Int32], attentionMask: [Int32],
                specialTokensMask: [Int32], offsets: [Range<Int>]) {
        self.ids = ids
        self.tokens = tokens
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.specialTokensMask = specialTokensMask
        self.offsets = offsets
    }

    /// Appends one token.
    mutating func append(id: Int32, token: String, typeId: Int32, isSpecial: Bool, attended: Bool,
                         offsets range: Range<Int>) {
        ids.append(id)
        tokens.append(token)
        typeIds.append(typeId)
        attentionMask.append(attended ? 1 : 0)
        specialTokensMask.append(isSpecial ? 1 : 0)
        offsets.append(range)
    }
}
