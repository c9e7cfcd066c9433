import XCTest
@testable import Kexue
@testable import KexueText

/// Greedy decoding and sampling (METHODS.md §4(a), (c)): cached = uncached, the sampler follows the
/// truncated distribution, the logit processors do what HF's do.
final class GenerationTests: XCTestCase {
    /// Recomputes the whole sequence every step: the slow path the cache must agree with.
    struct UncachedDecoder: IncrementalDecoder {
        let model: BertLMModel
        let prefix: [[Int32]]
        final class History { var rows: [[Int32]] = [] }
        let history = History()

        func step(_ tokens: [Int32], cache: inout DecoderCache) throws -> Tensor {
            if history.rows.isEmpty { history.rows = prefix }
            precondition(tokens.count == history.rows.count, "the uncached reference decodes without dropping rows")
            for (r, t) in tokens.enumerated() { history.rows[r].append(t) }
            let n = history.rows[0].count
            let ids = Tensor(indices: history.rows.flatMap { $0 }, shape: [tokens.count, n])
            let h = model.bert(ids, mask: .causal(keyMask: nil))
            return model.logits(h, at: (0..<tokens.count).map { $0 * n + n - 1 })
        }
    }

    func testGreedyCachedEqualsUncached() throws {
        for kind in [AttentionKind.softmax, .linear(.eluPlusOne)] {
            let model = BertLMModel(IncrementalDecodingTests.tinyConfig(kind), seed: 7)
            model.eval()
            let prompt: [[Int32]] = [[4, 8, 15], [16, 23, 42 % 37]]
            var config = GenerationConfig()
            config.maxNewTokens = 12
            try withoutGrad {
                let decoder = BertDecoder(model, typeId: 0)
                let (first, cache) = try decoder.start(Tensor(indices: prompt.flatMap { $0 }, shape: [2, 3]), typeIds: nil,
                                                       keyMask: nil, visibility: .causal)
                let cached = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: prompt, config: config)
                let uncached = try Generation.decode(UncachedDecoder(model: model, prefix: prompt), firstLogits: first,
                                                     cache: DecoderCache(layers: 0), contexts: prompt, config: config)
                XCTAssertEqual(cached.map { $0[0].tokens }, uncached.map { $0[0].tokens }, "\(kind)")
                for (a, b) in zip(cached, uncached) { XCTAssertEqual(a[0].logProbability, b[0].logProbability, accuracy: 1e-3) }
                XCTAssertEqual(cached[0][0].tokens.count, 12, "no EOS configured: runs to max_new_tokens")
            }
        }
    }

    /// HF's prefix_allowed_tokens_fn: sampled tokens always come from the allowed set, and the
    /// passage-span constraint of the QA pipeline only ever yields runs of passage pieces.
    func testPrefixAllowedTokensConfinesSamplingToPassageSpans() throws {
        let passage: [Int32] = [5, 6, 7, 5, 8, 9, 10, 6, 7, 11]
        let end: Int32 = 3
        XCTAssertEqual(Set(QuestionAnswerGenerator.spanContinuations(of: [], in: passage, end: end)), Set(passage))
        XCTAssertEqual(Set(QuestionAnswerGenerator.spanContinuations(of: [5], in: passage, end: end)), [6, 8, end])
        XCTAssertEqual(Set(QuestionAnswerGenerator.spanContinuations(of: [6, 7], in: passage, end: end)), [5, 11, end])
        XCTAssertEqual(Set(QuestionAnswerGenerator.spanContinuations(of: [7, 11], in: passage, end: end)), [end])
        let model = BertLMModel(IncrementalDecodingTests.tinyConfig(.softmax), seed: 9)
        model.eval()
        let decoder = BertDecoder(model, typeId: 0)
        try withoutGrad {
            let (first, cache) = try decoder.start(Tensor(indices: [1, 2], shape: [1, 2]), typeIds: nil, keyMask: nil, visibility: .causal)
            var config = GenerationConfig()
            config.doSample = true; config.maxNewTokens = 6; config.numReturnSequences = 40; config.eosTokenId = end; config.seed = 1
            let free = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2]], config: config)[0]
            let constrained = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2]], config: config,
                                                    prefixAllowedTokens: { input, prefix in
                XCTAssertEqual(input, 0)
                return QuestionAnswerGenerator.spanContinuations(of: prefix, in: passage, end: end)
            })[0]
            func isSpan(_ s: GeneratedSequence) -> Bool {
                let body = s.tokens.last == end ? Array(s.tokens.dropLast()) : s.tokens
                return !body.isEmpty && (0...(passage.count - body.count)).contains { Array(passage[$0..<($0 + body.count)]) == body }
            }
            XCTAssertEqual(constrained.filter(isSpan).count, 40, "every constrained draw is a passage span")
            XCTAssertLessThan(free.filter(isSpan).count, 20, "the untrained model's free draws mostly are not (the test has teeth)")
        }
    }

    func testEOSStopsARowAndMinNewTokensBlocksIt() throws {
        let model = BertLMModel(IncrementalDecodingTests.tinyConfig(.softmax), seed: 8)
        model.eval()
        let decoder = BertDecoder(model, typeId: 0)
        try withoutGrad {
            let (first, cache) = try decoder.start(Tensor(indices: [1, 2, 3], shape: [1, 3]), typeIds: nil, keyMask: nil, visibility: .causal)
            var config = GenerationConfig()
            config.maxNewTokens = 6
            let free = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2, 3]], config: config)[0][0]
            // Make the greedy first token the EOS: generation stops right there …
            config.eosTokenId = free.tokens[0]
            let stopped = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2, 3]], config: config)[0][0]
            XCTAssertEqual(stopped.tokens, [free.tokens[0]])
            XCTAssertTrue(stopped.finished)
            // … unless min_new_tokens blocks it.
            config.minNewTokens = 3
            let longer = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2, 3]], config: config)[0][0]
            XCTAssertGreaterThanOrEqual(longer.tokens.count, 3)
            XCTAssertFalse(longer.tokens.prefix(3).contains(free.tokens[0]))
            XCTAssertLessThanOrEqual(longer.tokens.count, 6)
        }
    }

    func testTopKTopPFollowTheTruncatedDistribution() {
        let logits: [Float] = [2.0, 1.5, 1.0, 0.5, 0.0, -1.0, -3.0, 0.2]
        // Plain sampling: top_k nil and top_p 1 is the softmax.
        let plain = LogitsProcessing.samplingDistribution(logits, temperature: 1, topK: nil, topP: 1)
        let z = logits.map { Foundation.exp(Double($0)) }.reduce(0, +)
        for (t, p) in plain { XCTAssertEqual(p, Foundation.exp(Double(logits[Int(t)])) / z, accuracy: 1e-12) }
        // top_k 5 then top_p 0.8 (renormalised in between): the crossing token is kept.
        let dist = LogitsProcessing.samplingDistribution(logits, temperature: 0.7, topK: 5, topP: 0.8)
        let kept = dist.map(\.0)
        XCTAssertEqual(Set(kept), [0, 1, 2], "with T = 0.7 the top two hold < 0.8 of the top-5 mass, the third crosses it")
        var rng = RandomGenerator(seed: 99)
        let draws = 30_000
        var counts = [Int32: Int]()
        for _ in 0..<draws { counts[LogitsProcessing.draw(dist, using: &rng), default: 0] += 1 }
        XCTAssertEqual(Set(counts.keys), Set(kept), "no draw outside the truncated support")
        let chi2 = dist.reduce(0.0) { acc, e in
            let expected = e.1 * Double(draws)
            return acc + pow(Double(counts[e.0, default: 0]) - expected, 2) / expected
        }
        // χ² with 2 degrees of freedom: 13.8 is the 0.999 quantile.
        XCTAssertLessThan(chi2, 13.8, "counts \(counts) vs \(dist)")
    }

    func testRepetitionPenaltyAndNgramBan() {
        var logits: [Float] = [2, -2, 1, 0]
        LogitsProcessing.penalizeRepetition(&logits, context: [0, 1, 1], penalty: 2)
        XCTAssertEqual(logits, [1, -4, 1, 0], "positive ÷ r, negative × r, once per token")
        XCTAssertEqual(LogitsProcessing.bannedByNgrams([5, 6, 7, 5, 6], size: 3), [7])
        XCTAssertEqual(LogitsProcessing.bannedByNgrams([1, 2, 1, 3, 1], size: 2), [2, 3])
        XCTAssertEqual(LogitsProcessing.bannedByNgrams([5, 6], size: 3), [])
    }

    func testSamplingReplaysFromTheSeedAndBadConfigsFail() throws {
        let model = BertLMModel(IncrementalDecodingTests.tinyConfig(.linear(.eluPlusOne)), seed: 9)
        model.eval()
        let decoder = BertDecoder(model, typeId: 0)
        try withoutGrad {
            let (first, cache) = try decoder.start(Tensor(indices: [1, 2], shape: [1, 2]), typeIds: nil, keyMask: nil, visibility: .causal)
            var config = GenerationConfig()
            config.doSample = true
            config.numReturnSequences = 3
            config.maxNewTokens = 10
            config.seed = 5
            let a = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2]], config: config)
            let b = try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2]], config: config)
            XCTAssertEqual(a, b)
            XCTAssertEqual(a[0].count, 3)
            XCTAssertGreaterThan(Set(a[0].map(\.tokens)).count, 1, "three samples of 10 tokens from a random model differ")
            config.topP = 0
            XCTAssertThrowsError(try Generation.decode(decoder, firstLogits: first, cache: cache, contexts: [[1, 2]], config: config)) {
                XCTAssertTrue("\($0)".contains("top_p"))
            }
        }
    }
}
