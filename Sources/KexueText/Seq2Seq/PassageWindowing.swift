/// How a passage longer than the budget is cut to a window around the answer (METHODS.md §4:
/// "long passages split at sentence boundaries into windows of ≤ ~160 tokens around answers").
/// Saved in a model's config.json as `kexue_passage_windows`, so generation cuts as training did.
public enum PassageWindowing: String, Sendable, CaseIterable {
    /// Whole sentences around the answer's sentences, grown one sentence at a time on alternate
    /// sides while they fit; a window centred on the answer when its own sentences do not fit.
    case sentences
    /// `budget` word pieces centred on the answer (models trained before sentence windows).
    case centred

    /// The piece range [lo, hi) of at most `budget` pieces containing `answer`.
    /// offsets: the pieces' scalar ranges; sentenceStarts: from `SentenceBoundaries.starts`.
    public func window(offsets: [Range<Int>], sentenceStarts: [Int], answer: ClosedRange<Int>, budget: Int) -> (Int, Int) {
        let count = offsets.count
        guard count > budget else { return (0, count) }
        guard self == .sentences, sentenceStarts.count > 1 else { return Self.centred(count: count, answer: answer, budget: budget) }
        // firstPiece[s]: the first piece of sentence s (a piece belongs to the sentence its start lies in).
        var firstPiece = [Int](), s = 0
        for (p, r) in offsets.enumerated() {
            while s < sentenceStarts.count, sentenceStarts[s] <= r.lowerBound { firstPiece.append(p); s += 1 }
        }
        firstPiece.append(count)  // sentinel; sentences whose start lies past the last piece are dropped
        let sentences = firstPiece.count - 1
        let sentenceOf = { (piece: Int) -> Int in (firstPiece.lastIndex { $0 <= piece } ?? 0) }
        var lo = sentenceOf(answer.lowerBound), hi = Swift.min(sentenceOf(answer.upperBound), sentences - 1)
        let size = { (a: Int, b: Int) in firstPiece[b + 1] - firstPiece[a] }
        guard size(lo, hi) <= budget else { return Self.centred(count: count, answer: answer, budget: budget) }
        var grew = true, after = true
        while grew {
            grew = false
            for side in (after ? [true, false] : [false, true]) {
                if side, hi + 1 < sentences, size(lo, hi + 1) <= budget { hi += 1; grew = true; break }
                if !side, lo > 0, size(lo - 1, hi) <= budget { lo -= 1; grew = true; break }
            }
            after.toggle()
        }
        return (firstPiece[lo], firstPiece[hi + 1])
    }

    /// The piece range [lo, hi) of at most `budget` pieces centred on the answer's pieces.
    public static func centred(count: Int, answer: ClosedRange<Int>, budget: Int) -> (Int, Int) {
        guard count > budget else { return (0, count) }
        let centre = (answer.lowerBound + answer.upperBound) / 2
        var lo = Swift.max(0, Swift.min(centre - budget / 2, count - budget)), hi = lo + budget
        if answer.lowerBound < lo || answer.upperBound >= hi { lo = answer.lowerBound; hi = Swift.min(count, lo + budget) }
        return (lo, hi)
    }
}
