/// A scored span of the original text: a token or a word. Offsets are Unicode-scalar indices, half-open.
public struct ScoredSpan: Sendable, Equatable, Codable {
    public var text: String
    public var start: Int
    public var end: Int
    public var score: Double
}

/// Words rebuilt from token offsets (METHODS.md §7(a)): a word is a maximal run of non-special tokens
/// whose offsets touch ([start, end) of one = start of the next), i.e. a whitespace-separated chunk of
/// the original text — "un", "##bear", "##able", "!" become "unbearable!". Its score is the sum of its
/// pieces' scores; its text is cut from the original by offsets, never rebuilt from `##` pieces.
public enum WordGrouping {
    public static func words(text: String, offsets: [Range<Int>], special: [Bool], scores: [Double]) -> [ScoredSpan] {
        let scalars = Array(text.unicodeScalars)
        var words: [ScoredSpan] = []
        var current: (start: Int, end: Int, score: Double)?
        func flush() {
            if let c = current {
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[c.start..<c.end])
                words.append(ScoredSpan(text: String(s), start: c.start, end: c.end, score: c.score))
            }
            current = nil
        }
        for i in offsets.indices where !special[i] && !offsets[i].isEmpty {
            let r = offsets[i]
            if let c = current, c.end == r.lowerBound {
                current = (c.start, r.upperBound, c.score + scores[i])
            } else {
                flush()
                current = (r.lowerBound, r.upperBound, scores[i])
            }
        }
        flush()
        return words
    }
}
