/// Turns (passage, answer span, question) into a UniLM training sequence. The answer is taken as
/// the passage's own word pieces covering its character span — the form the generator later finds
/// again in the passage — and a passage longer than `maxPassage` pieces becomes a window of
/// `maxPassage` pieces centred on the answer.
public struct QGExampleEncoder {
    public let model: UniLMSeq2Seq
    public var maxPassage: Int, maxAnswer: Int, maxQuestion: Int

    public init(model: UniLMSeq2Seq, maxPassage: Int = 160, maxAnswer: Int = 16, maxQuestion: Int = 64) {
        self.model = model
        self.maxPassage = maxPassage
        self.maxAnswer = maxAnswer
        self.maxQuestion = maxQuestion
    }

    /// The piece range [lo, hi) of at most `budget` pieces centred on the answer's pieces.
    public static func window(count: Int, answer: ClosedRange<Int>, budget: Int) -> (Int, Int) {
        guard count > budget else { return (0, count) }
        let centre = (answer.lowerBound + answer.upperBound) / 2
        var lo = Swift.max(0, Swift.min(centre - budget / 2, count - budget)), hi = lo + budget
        if answer.lowerBound < lo || answer.upperBound >= hi { lo = answer.lowerBound; hi = Swift.min(count, lo + budget) }
        return (lo, hi)
    }

    /// Word pieces of `context` covering [answerStart, answerEnd), as a closed index range.
    public func answerPieces(_ offsets: [Range<Int>], answerStart: Int, answerEnd: Int) throws -> ClosedRange<Int> {
        let covering = offsets.indices.filter { offsets[$0].lowerBound < answerEnd && offsets[$0].upperBound > answerStart }
        guard let first = covering.first, let last = covering.last else {
            throw TextDataError.malformed("answer span \(answerStart)..<\(answerEnd) covers no word piece of its passage")
        }
        return first...last
    }

    /// context and the answer's scalar offsets [start, end) → (example, whether the passage was windowed).
    public func encode(context: String, answerStart: Int, answerEnd: Int, question: String) throws -> (Seq2SeqExample, Bool) {
        let (ids, offsets) = try model.pieces(context)
        let span = try answerPieces(offsets, answerStart: answerStart, answerEnd: answerEnd)
        let (first, last) = (span.lowerBound, span.upperBound)
        let (lo, hi) = Self.window(count: ids.count, answer: first...last, budget: maxPassage)
        let (q, _) = try model.pieces(question)
        let example = Seq2SeqExample(passage: Array(ids[lo..<hi]), answer: Array(ids[first...last]), question: q,
                                     cls: model.clsId, sep: model.sepId,
                                     maxPassage: maxPassage, maxAnswer: maxAnswer, maxQuestion: maxQuestion)
        return (example, hi - lo < ids.count)
    }
}
