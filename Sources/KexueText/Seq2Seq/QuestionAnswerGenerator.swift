import Foundation

/// Passage → (answer, question) pairs, the model choosing the answer (Su's factorisation
/// p(a, q | p) = p(a | p)·p(q | p, a), METHODS.md §4(a)): the passage is encoded once; answers are
/// sampled from it; each distinct answer that occurs in the passage is appended with its [SEP] and
/// a question is decoded by beam search or greedily — every stage on the same cache.
public struct QuestionAnswerGenerator {
    public struct Preset: Sendable, Equatable {
        public var name: String
        public var answer: GenerationConfig
        public var question: GenerationConfig
        public var questionSemantics: BeamSearch.Semantics

        /// Su's July 2020 code: answers by top-k 5 sampling, questions by bert4keras beam search, width 5.
        public static var july2020: Preset {
            var a = GenerationConfig(), q = GenerationConfig()
            a.doSample = true; a.topK = 5; a.maxNewTokens = 64
            q.numBeams = 5; q.maxNewTokens = 64
            return Preset(name: "july2020", answer: a, question: q, questionSemantics: .bert4keras)
        }

        /// bert4keras since November 2020: answers by nucleus sampling (top-p 0.95), greedy questions.
        public static var current: Preset {
            var a = GenerationConfig(), q = GenerationConfig()
            a.doSample = true; a.topP = 0.95; a.maxNewTokens = 64
            q.maxNewTokens = 64
            return Preset(name: "current", answer: a, question: q, questionSemantics: .huggingFace)
        }

        public static func named(_ name: String) throws -> Preset {
            switch name {
            case "july2020": return .july2020
            case "current": return .current
            default: throw GenerationError.badConfig("unknown QG preset '\(name)'; use july2020 or current")
            }
        }
    }

    public struct Pair: Sendable, Equatable {
        public var answer: String
        /// Character offsets of the answer in the passage (Unicode scalars, like SQuAD's answer_start).
        public var answerStart: Int, answerEnd: Int
        public var question: String
        /// The question's decoding score (Σ log p for july2020's beams and for greedy).
        public var score: Double
    }

    public struct Result: Sendable {
        public var pairs: [Pair]
        /// Answers drawn, and how many of them were passage spans, before any filtering or de-duplication.
        public var answersDrawn: Int, answersInPassage: Int
        /// The drawn answers that were not passage spans, as text (what the model wrote instead).
        public var rejectedAnswers: [String] = []
        /// Word pieces of the passage that were dropped to fit the model (0 when it fit).
        public var passageTruncatedBy: Int
    }

    public let model: UniLMSeq2Seq
    public var preset: Preset
    /// Passage budget in word pieces (leaves room for answer and question under max positions).
    public var maxPassageTokens: Int
    /// Constrain answer sampling to spans of the passage: at each step only the word pieces that
    /// continue some occurrence of the answer so far (or [SEP] to end it) keep their logits. Every
    /// draw is then a span by construction, so `answersInPassage == answersDrawn`; off by default,
    /// because the raw model's span validity is what METHODS.md §4 measures.
    public var constrainAnswersToPassage = false

    public init(model: UniLMSeq2Seq, preset: Preset, maxPassageTokens: Int? = nil) {
        self.model = model
        self.preset = preset
        let room = model.maxPositions - preset.answer.maxNewTokens - preset.question.maxNewTokens - 3
        self.maxPassageTokens = Swift.min(maxPassageTokens ?? model.passageWindow ?? room, room)
    }

    /// Encodes `passage` once: the decoder, the cache holding [CLS] passage [SEP] and the passage pieces.
    func encodeSource(_ passage: String) throws -> (BertDecoder, Tensor, DecoderCache, [Int32], [Range<Int>], Int) {
        let (ids, offsets) = try model.pieces(passage)
        guard !ids.isEmpty else { throw GenerationError.badInput("the passage is empty") }
        let kept = Array(ids.prefix(maxPassageTokens))
        let source = [model.clsId] + kept + [model.sepId]
        let decoder = BertDecoder(model.model, typeId: 1)
        let (first, cache) = try decoder.start(Tensor(indices: source, shape: [1, source.count]), typeIds: nil, keyMask: nil,
                                               visibility: .bidirectional)
        return (decoder, first, cache, kept, Array(offsets.prefix(kept.count)), ids.count - kept.count)
    }

    /// `count` distinct answers with their questions (`askQuestions: false`: answers only, with
    /// empty questions — all that the answer metrics need, at a fraction of the cost).
    public func generate(passage: String, count: Int, seed: UInt64 = 0, askQuestions ask: Bool = true) throws -> Result {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return try withoutGrad {
            let (decoder, first, cache, pieces, offsets, truncated) = try encodeSource(passage)
            let scalars = Array(passage.unicodeScalars)
            var answerConfig = preset.answer
            answerConfig.eosTokenId = model.sepId
            var spans: [(ids: [Int32], start: Int, end: Int)] = []
            var seen = Set<String>(), drawn = 0, valid = 0, round: UInt64 = 0, rejected: [String] = []
            // Up to 3·count draws (METHODS.md §4(a)), `count` per batched call.
            while spans.count < count && drawn < 3 * count {
                answerConfig.numReturnSequences = Swift.min(count, 3 * count - drawn)
                answerConfig.seed = seed &+ round &* 0x9E37_79B9
                round += 1
                let constraint: ((Int, [Int32]) -> [Int32]?)? = constrainAnswersToPassage
                    ? { _, prefix in Self.spanContinuations(of: prefix, in: pieces, end: self.model.sepId) } : nil
                let samples = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[]], config: answerConfig,
                                                    prefixAllowedTokens: constraint)[0]
                for s in samples {
                    drawn += 1
                    let answerIds = s.tokens.last == model.sepId ? Array(s.tokens.dropLast()) : s.tokens
                    guard let span = Self.locate(answerIds, in: pieces, offsets: offsets) else {
                        rejected.append(model.text(answerIds))
                        continue
                    }
                    valid += 1
                    let key = AnswerText.normalized(String(String.UnicodeScalarView(scalars[span.lowerBound..<span.upperBound])))
                    if key.isEmpty || !seen.insert(key).inserted || spans.count >= count { continue }
                    spans.append((answerIds, span.lowerBound, span.upperBound))
                }
            }
            let questions = ask ? try askQuestions(decoder: decoder, cache: cache, answers: spans.map(\.ids)).map { (model.text($0.tokens), $0.score) }
                                : spans.map { _ in ("", 0.0) }
            let pairs = zip(spans, questions).map { span, q in
                Pair(answer: String(String.UnicodeScalarView(scalars[span.start..<span.end])), answerStart: span.start, answerEnd: span.end,
                     question: q.0, score: q.1)
            }
            return Result(pairs: pairs, answersDrawn: drawn, answersInPassage: valid, rejectedAnswers: rejected, passageTruncatedBy: truncated)
        }
    }

    /// The question for a gold answer given by its character span (answer-aware QG, as evaluated
    /// on SQuAD): the source is the passage's window around the answer, and the answer is
    /// the passage's own word pieces — both as in training (`QGExampleEncoder`).
    public func question(passage: String, answerStart: Int, answerEnd: Int) throws -> GeneratedSequence {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return try withoutGrad {
            let (ids, offsets) = try model.pieces(passage)
            let encoder = QGExampleEncoder(model: model, maxPassage: maxPassageTokens, windowing: model.passageWindowing)
            let span = try encoder.answerPieces(offsets, answerStart: answerStart, answerEnd: answerEnd)
            let (lo, hi) = encoder.window(context: passage, offsets: offsets, answer: span)
            let source = [model.clsId] + Array(ids[lo..<hi]) + [model.sepId]
            let decoder = BertDecoder(model.model, typeId: 1)
            let (_, cache) = try decoder.start(Tensor(indices: source, shape: [1, source.count]), typeIds: nil, keyMask: nil,
                                               visibility: .bidirectional)
            return try askQuestions(decoder: decoder, cache: cache, answers: [Array(ids[span])])[0]
        }
    }

    /// Appends `answer [SEP]` for each answer to copies of the source cache (one row each, batched)
    /// and decodes the questions.
    func askQuestions(decoder: BertDecoder, cache source: DecoderCache, answers: [[Int32]]) throws -> [GeneratedSequence] {
        guard !answers.isEmpty else { return [] }
        var cache = source
        cache.select(rows: [Int](repeating: 0, count: answers.count))
        let blocks = answers.map { Array($0.prefix(preset.answer.maxNewTokens)) + [model.sepId] }
        let width = blocks.map(\.count).max()!
        let ids = Tensor(indices: blocks.flatMap { $0 + [Int32](repeating: model.padId, count: width - $0.count) }, shape: [blocks.count, width])
        let mask = Tensor(blocks.flatMap { b in (0..<width).map { Float($0 < b.count ? 1 : 0) } }, shape: [blocks.count, width])
        let first = try decoder.append(ids, keyMask: mask, cache: &cache)
        var config = preset.question
        config.eosTokenId = model.sepId
        let contexts = blocks
        let out: [[GeneratedSequence]]
        if config.numBeams > 1 {
            out = try BeamSearch.decode(decoder, firstLogits: first, cache: cache, contexts: contexts, config: config,
                                        semantics: preset.questionSemantics)
        } else {
            out = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: contexts, config: config)
        }
        return out.map { $0[0] }
    }

    /// The word pieces that extend `prefix` to a longer run of consecutive passage pieces, plus
    /// `end` once the prefix is non-empty (it is then a span already).
    static func spanContinuations(of prefix: [Int32], in passage: [Int32], end: Int32) -> [Int32] {
        guard !prefix.isEmpty else { return Array(Set(passage)) }
        var next = Set<Int32>([end])
        if prefix.count < passage.count {
            for s in 0..<(passage.count - prefix.count) where passage[s] == prefix[0] && Array(passage[s..<(s + prefix.count)]) == prefix {
                next.insert(passage[s + prefix.count])
            }
        }
        return Array(next)
    }

    /// The character span of `answer` (word pieces) in the passage: the first place its pieces occur
    /// as a contiguous run of passage pieces; nil when they do not (the answer is not a span).
    static func locate(_ answer: [Int32], in passage: [Int32], offsets: [Range<Int>]) -> Range<Int>? {
        guard !answer.isEmpty, answer.count <= passage.count else { return nil }
        for s in 0...(passage.count - answer.count) where Array(passage[s..<(s + answer.count)]) == answer {
            return offsets[s].lowerBound..<offsets[s + answer.count - 1].upperBound
        }
        return nil
    }
}

/// SQuAD-style answer normalisation for de-duplication: lower case, no punctuation, no articles,
/// single spaces.
enum AnswerText {
    static func normalized(_ s: String) -> String {
        let lowered = s.lowercased().unicodeScalars.map { CharacterSet.punctuationCharacters.contains($0) ? " " : Character($0) }
        return String(lowered).split(separator: " ").filter { !["a", "an", "the"].contains($0) }.joined(separator: " ")
    }
}
