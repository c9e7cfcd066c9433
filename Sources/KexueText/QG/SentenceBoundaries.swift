/// Sentence starts in a passage, as Unicode-scalar offsets (the unit SQuAD answer offsets use).
///
/// A rule splitter, enough to cut training windows at sentence ends rather than mid-sentence:
/// `.`, `!`, `?` (and `…`) end a sentence when whitespace follows, after any closing quotes or
/// brackets; `。`, `！`, `？`, `；` end one immediately (Chinese writes no space). A full stop after
/// a single letter ("J. R. R.", "U.S.") or a common abbreviation ("Mr.", "St.", "e.g.") does not.
public enum SentenceBoundaries {
    static let latinEnds: Set<Unicode.Scalar> = [".", "!", "?", "…"]
    static let cjkEnds: Set<Unicode.Scalar> = ["。", "！", "？", "；"]
    static let closers: Set<Unicode.Scalar> = ["\"", "'", "”", "’", ")", "]", "」", "』", "）"]
    static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "no",
                                             "e.g", "i.e", "inc", "ltd", "co", "mt", "ft", "gen", "col", "lt", "sgt",
                                             "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]

    /// Offsets where sentences begin; always starts with 0 (for a non-empty text), increasing.
    public static func starts(in scalars: [Unicode.Scalar]) -> [Int] {
        guard !scalars.isEmpty else { return [] }
        var starts = [0]
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            let cjk = cjkEnds.contains(c)
            guard cjk || latinEnds.contains(c) else { i += 1; continue }
            var end = i + 1
            while end < scalars.count, closers.contains(scalars[end]) || latinEnds.contains(scalars[end]) || cjkEnds.contains(scalars[end]) { end += 1 }
            if cjk {
                if end < scalars.count { starts.append(end) }
            } else if end < scalars.count, scalars[end].properties.isWhitespace, !(c == "." && isAbbreviation(scalars, dotAt: i)) {
                var next = end
                while next < scalars.count, scalars[next].properties.isWhitespace { next += 1 }
                if next < scalars.count { starts.append(next) }
            }
            i = end
        }
        return starts
    }

    /// Whether the word ending at the full stop `dotAt` is a single letter or a listed abbreviation.
    static func isAbbreviation(_ scalars: [Unicode.Scalar], dotAt: Int) -> Bool {
        var begin = dotAt
        while begin > 0, !scalars[begin - 1].properties.isWhitespace, scalars[begin - 1] != "(" { begin -= 1 }
        let word = String(String.UnicodeScalarView(scalars[begin..<dotAt])).lowercased()
        if word.count == 1, word.unicodeScalars.first!.properties.isAlphabetic { return true }
        if word.contains("."), word.split(separator: ".").allSatisfy({ $0.count == 1 }) { return true }  // U.S, J.R.R
        return abbreviations.contains(word)
    }
}
