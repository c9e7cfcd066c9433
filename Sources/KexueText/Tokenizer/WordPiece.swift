/// WordPiece: each word becomes the greedy longest-match sequence of vocabulary entries, pieces after
/// the first spelled with the continuation prefix (`##`). A word with an unmatchable part, or longer
/// than `maxInputCharactersPerWord` scalars, becomes a single unknown token covering the whole word.
struct WordPiece: Sendable {
    let vocabulary: Vocabulary
    let unknownId: Int32
    let maxInputCharactersPerWord: Int
    /// Trie node reached by the continuation prefix; nil when the vocabulary has no continuation pieces.
    private let continuationNode: Int32?

    init(vocabulary: Vocabulary, unknownToken: String, continuingSubwordPrefix: String,
         maxInputCharactersPerWord: Int) throws {
        self.vocabulary = vocabulary
        self.unknownId = try vocabulary.requireId(of: unknownToken)
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        self.continuationNode = vocabulary.trie.walk(continuingSubwordPrefix.unicodeScalars)
    }

    /// Appends the pieces of `scalars[word]` to `pieces` as (id, normalized range).
    func appendPieces(of word: Range<Int>, in scalars: [Unicode.Scalar],
                      to pieces: inout [(id: Int32, range: Range<Int>)]) {
        if word.count > maxInputCharactersPerWord {
            pieces.append((unknownId, word))
            return
        }
        let firstPiece = pieces.count
        let trie = vocabulary.trie
        var start = word.lowerBound
        while start < word.upperBound {
            // Walk the trie as far as the word allows; the deepest whole token seen is the longest match.
            var node: Int32? = start == word.lowerBound ? TokenTrie.root : continuationNode
            var match: (id: Int32, end: Int)?
            var position = start
            while let current = node, position < word.upperBound {
                node = trie.child(of: current, scalars[position])
                position += 1
                if let next = node, let id = trie.tokenId(at: next) { match = (id, position) }
            }
            guard let (id, end) = match else {
                pieces.removeSubrange(firstPiece...)
                pieces.append((unknownId, word))
                return
            }
            pieces.append((id, start..<end))
            start = end
        }
    }
}
