/// One UniLM training sequence (METHODS.md §4(a)): `[CLS] passage [SEP] answer [SEP] question [SEP]`,
/// segment 0 for `[CLS] passage [SEP]`, 1 for the rest (the answer's [SEP] also ends the answer).
public struct Seq2SeqExample: Sendable, Equatable {
    public var ids: [Int32]
    public var segments: [Int32]

    public var count: Int { ids.count }

    /// Assembles the sequence from word-piece ids without specials, truncating each part to its budget.
    public init(passage: [Int32], answer: [Int32], question: [Int32], cls: Int32, sep: Int32,
                maxPassage: Int, maxAnswer: Int, maxQuestion: Int) {
        let p = Array(passage.prefix(maxPassage)), a = Array(answer.prefix(maxAnswer)), q = Array(question.prefix(maxQuestion))
        ids = [cls] + p + [sep] + a + [sep] + q + [sep]
        segments = [Int32](repeating: 0, count: p.count + 2) + [Int32](repeating: 1, count: a.count + q.count + 2)
    }

    public init(ids: [Int32], segments: [Int32]) {
        precondition(ids.count == segments.count, "seq2seq example: \(ids.count) ids but \(segments.count) segments")
        self.ids = ids
        self.segments = segments
    }
}

/// A right-padded batch of seq2seq examples and the positions the loss scores.
public struct Seq2SeqBatch {
    public let ids: Tensor       // [B, T] int32
    public let segments: Tensor  // [B, T] int32 (padding: 0)
    public let keyMask: Tensor   // [B, T] float, 1 for real tokens
    /// Flat indices b·T + i of positions whose next token is scored (segment[i + 1] = 1, real).
    public let scored: [Int]
    /// The scored next tokens ids[b, i + 1], aligned with `scored`.
    public let targets: [Int32]

    public init(_ examples: [Seq2SeqExample], padId: Int32 = 0) {
        let b = examples.count, t = examples.map(\.count).max() ?? 0
        var ids = [Int32](repeating: padId, count: b * t), seg = [Int32](repeating: 0, count: b * t)
        var mask = [Float](repeating: 0, count: b * t)
        var scored: [Int] = [], targets: [Int32] = []
        for (r, e) in examples.enumerated() {
            for i in 0..<e.count {
                ids[r * t + i] = e.ids[i]
                seg[r * t + i] = e.segments[i]
                mask[r * t + i] = 1
            }
            // y_true = ids[1:], y_pred = Z[:-1], weight = segment[1:] (METHODS.md §4(a)).
            for i in 0..<(e.count - 1) where e.segments[i + 1] == 1 {
                scored.append(r * t + i)
                targets.append(e.ids[i + 1])
            }
        }
        self.ids = Tensor(indices: ids, shape: [b, t])
        segments = Tensor(indices: seg, shape: [b, t])
        keyMask = Tensor(mask, shape: [b, t])
        self.scored = scored
        self.targets = targets
    }
}
