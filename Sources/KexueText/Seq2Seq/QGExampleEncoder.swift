/// Turns (passage, answer span, question) into a UniLM training sequence. The answer is taken as
/// the passage's own word pieces covering its character span — the form the generator later finds
/// again in the passage — and a passage longer than `maxPassage` pieces becomes a window of at
/// most `maxPassage` pieces around the answer, cut as `windowing` says (whole sentences by default).
public struct QGExampleEncoder {
    public let model: UniLMSeq2Seq
    public var maxPassage: Int, maxAnswer: Int, maxQuestion: Int
    public var windowing: PassageWindowing

    public init(model: UniLMSeq2Seq, maxPassage: Int = 160, maxAnswer: Int = 16, maxQuestion: Int = 64,
                windowing: PassageWindowing = .sentences) {
        self.model = model
        self.maxPassage = maxPassage
        self.maxAnswer = maxAnswer
        self.maxQuestion = maxQuestion
        self.windowing = windowing
    }

    /// The piece range [lo, hi) of the window around `answer` (pieces) in `context`.
    public func window(context: String, offsets: [Range<Int>], answer: ClosedRange<Int>) -> (Int, Int) {
        guard offsets.count > maxPassage else { return (0, offsets.count) }
        let starts = windowing == .sentences ? SentenceBoundaries.starts(in: Array(context.unicodeScalars)) : []
        return windowing.window(offsets: offsets, sentenceStarts: starts, answer: answer, budget: maxPassage)
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
        let (lo, hi) = window(context: context, offsets: offsets, answer: first...last)
        let (q, _) = try model.pieces(question)
        let example = Seq2SeqExample(passage: Array(ids[lo..<hi]), answer: Array(ids[first...last]), question: q,
                                     cls: model.clsId, sep: model.sepId,
                                     maxPassage: maxPassage, maxAnswer: maxAnswer, maxQuestion: maxQuestion)
        return (example, hi - lo < ids.count)
    }
}
