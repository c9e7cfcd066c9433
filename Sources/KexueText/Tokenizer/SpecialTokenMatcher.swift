/// Finds never-split tokens (`[CLS]`, `[SEP]`, `[MASK]`, …) in raw text, before normalization, as HF
/// `tokenizers` does with non-normalized added tokens: leftmost match first, longest among matches
/// that start at the same place, case-sensitive, anywhere (even inside a word).
struct SpecialTokenMatcher: Sendable {
    /// A stretch of the original text: ordinary text to normalize, or one special token.
    enum Segment: Equatable {
        case text(Range<Int>)
        case special(id: Int32, range: Range<Int>)
    }

    private var trie = TokenTrie()
    private var firstScalars = Set<UInt32>()

    /// - Parameter tokens: (content, id) of every never-split token.
    init(tokens: [(content: String, id: Int32)]) {
        for (content, id) in tokens where !content.isEmpty {
            _ = trie.insert(content.unicodeScalars, id: id)
            firstScalars.insert(content.unicodeScalars.first!.value)
        }
    }

    /// Cuts `text` into ordinary segments and special tokens, in order; empty segments are omitted.
    func segments(of text: [Unicode.Scalar]) -> [Segment] {
        var segments: [Segment] = []
        var textStart = 0
        var index = 0
        while index < text.count {
            guard firstScalars.contains(text[index].value), let (id, end) = longestMatch(in: text, at: index) else {
                index += 1
                continue
            }
            if textStart < index { segments.append(.text(textStart..<index)) }
            segments.append(.special(id: id, range: index..<end))
            index = end
            textStart = end
        }
        if textStart < text.count { segments.append(.text(textStart..<text.count)) }
        return segments
    }

    private func longestMatch(in text: [Unicode.Scalar], at start: Int) -> (id: Int32, end: Int)? {
        var node: Int32? = TokenTrie.root
        var match: (id: Int32, end: Int)?
        var position = start
        while let current = node, position < text.count {
            node = trie.child(of: current, text[position])
            position += 1
            if let next = node, let id = trie.tokenId(at: next) { match = (id, position) }
        }
        return match
    }
}
