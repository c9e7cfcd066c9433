import XCTest
@testable import Kexue
@testable import KexueText

/// Beam search and the UniLM seq2seq pieces (METHODS.md §4(c)).
final class BeamSearchTests: XCTestCase {
    func model(_ kind: AttentionKind = .softmax, seed: UInt64) -> BertLMModel {
        let m = BertLMModel(IncrementalDecodingTests.tinyConfig(kind), seed: seed)
        m.eval()
        return m
    }

    /// A source row [CLS] x… [SEP] encoded once; returns the decoder, the first logits and the cache.
    func encode(_ m: BertLMModel, _ source: [Int32]) throws -> (BertDecoder, Tensor, DecoderCache) {
        let d = BertDecoder(m, typeId: 1)
        let (first, cache) = try d.start(Tensor(indices: source, shape: [1, source.count]), typeIds: nil, keyMask: nil, visibility: .bidirectional)
        return (d, first, cache)
    }

    func testWidthOneEqualsGreedy() throws {
        for seed in 0..<4 as Range<UInt64> {
            let m = model(seed: 10 + seed)
            try withoutGrad {
                let (d, first, cache) = try encode(m, [2, 5, 6, 7, 8, 3])
                var config = GenerationConfig()
                config.maxNewTokens = 8
                config.eosTokenId = 3
                let greedy = try Generation.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config)[0][0]
                config.numBeams = 1
                config.earlyStopping = true
                let hf = try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config)[0][0]
                let b4k = try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config, semantics: .bert4keras)[0][0]
                XCTAssertEqual(hf.tokens, greedy.tokens, "seed \(seed): HF beam width 1")
                XCTAssertEqual(b4k.tokens, greedy.tokens, "seed \(seed): bert4keras beam width 1")
            }
        }
    }

    func testBeamScoreIsTheRecomputedLogProbabilityAndCachedEqualsUncached() throws {
        for kind in [AttentionKind.softmax, .linear(.eluPlusOne)] {
            let m = model(kind, seed: 21)
            let source: [Int32] = [2, 9, 10, 11, 12, 13, 3]
            try withoutGrad {
                let (d, first, cache) = try encode(m, source)
                var config = GenerationConfig()
                config.maxNewTokens = 6
                config.eosTokenId = 3
                config.numBeams = 4
                config.numReturnSequences = 4
                config.lengthPenalty = 0
                let cached = try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config)[0]
                let uncached = try BeamSearch.decode(RecomputingDecoder(m, sourceLength: source.count), firstLogits: first,
                                                     cache: cache, contexts: [[]], config: config)[0]
                XCTAssertEqual(cached.map(\.tokens), uncached.map(\.tokens), "\(kind): cached and uncached beams")
                for hyp in cached {
                    // Σ log p recomputed by one full UniLM pass over source + target.
                    let seq = source + hyp.tokens
                    let seg = Tensor(indices: seq.indices.map { $0 < source.count ? 0 : 1 }, shape: [1, seq.count])
                    let h = m.bert(Tensor(indices: seq, shape: [1, seq.count]), typeIds: seg, mask: .unilm(segments: seg, keyMask: nil))
                    let lp = m.logits(h, at: Array((source.count - 1)..<(seq.count - 1))).logSoftmax(axis: -1).floats
                    let v = 37
                    let recomputed = hyp.tokens.enumerated().reduce(0.0) { $0 + Double(lp[$1.offset * v + Int($1.element)]) }
                    XCTAssertEqual(hyp.score, recomputed, accuracy: 1e-4, "\(kind): beam score vs recomputed log p")
                    XCTAssertEqual(hyp.logProbability, recomputed, accuracy: 1e-4)
                }
                XCTAssertEqual(cached.map(\.score), cached.map(\.score).sorted(by: >), "returned best first")
            }
        }
    }

    func testWiderBeamsFindHigherLogProbabilityOnAverage() throws {
        var greedySum = 0.0, beamSum = 0.0
        let m = model(seed: 31)
        try withoutGrad {
            for i in 0..<12 {
                let source: [Int32] = [2] + (0..<5).map { Int32(4 + (i * 7 + $0 * 3) % 30) } + [3]
                let (d, first, cache) = try encode(m, source)
                var config = GenerationConfig()
                config.maxNewTokens = 6
                config.eosTokenId = 3
                config.lengthPenalty = 0
                greedySum += try Generation.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config)[0][0].logProbability
                config.numBeams = 5
                beamSum += try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config)[0][0].logProbability
            }
        }
        XCTAssertGreaterThan(beamSum, greedySum, "width-5 beams should reach a higher mean log p than greedy")
    }

    func testBatchedInputsEqualOneAtATimeAndLimitsHold() throws {
        let m = model(seed: 41)
        try withoutGrad {
            let d = BertDecoder(m, typeId: 1)
            let sources: [[Int32]] = [[2, 5, 6, 3], [2, 7, 8, 9, 10, 3]]
            let width = 6
            let ids = Tensor(indices: sources.flatMap { $0 + [Int32](repeating: 0, count: width - $0.count) }, shape: [2, width])
            let mask = Tensor(sources.flatMap { s in (0..<width).map { Float($0 < s.count ? 1 : 0) } }, shape: [2, width])
            let (first, cache) = try d.start(ids, typeIds: nil, keyMask: mask, visibility: .bidirectional)
            var config = GenerationConfig()
            config.maxNewTokens = 5
            config.minNewTokens = 2
            config.eosTokenId = 3
            config.numBeams = 3
            let batched = try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[], []], config: config)
            for (r, s) in sources.enumerated() {
                let (_, f1, c1) = try encode(m, s)
                let single = try BeamSearch.decode(d, firstLogits: f1, cache: c1, contexts: [[]], config: config)[0]
                XCTAssertEqual(batched[r].map(\.tokens), single.map(\.tokens), "row \(r)")
                XCTAssertLessThanOrEqual(batched[r][0].tokens.count, 5, "max_new_tokens")
                XCTAssertFalse(batched[r][0].tokens.prefix(2).contains(3), "[SEP] blocked until min_new_tokens")
            }
        }
    }

    func testUniLMMaskEqualsTheCumsumRuleAndPadsStayInvisible() {
        let seg = Tensor(indices: [0, 0, 0, 1, 1, 1, 0], shape: [1, 7])
        let keyMask = Tensor([1, 1, 1, 1, 1, 1, 0], shape: [1, 7])
        let bias = AttentionMask.unilm(segments: seg, keyMask: keyMask).bias(batch: 1, queries: 7, keys: 7, dtype: .float32)!.floats
        let idx = [0, 0, 0, 1, 2, 3, 3]  // cumsum of segments
        for i in 0..<7 {
            for j in 0..<7 {
                let visible = idx[j] <= idx[i] && j != 6
                XCTAssertEqual(bias[i * 7 + j] == 0, visible, "query \(i) key \(j)")
            }
        }
    }

    func testSeq2SeqBatchScoresOnlyAnswerAndQuestionTokens() {
        let e = Seq2SeqExample(passage: [10, 11, 12], answer: [20, 21], question: [30], cls: 101, sep: 102,
                               maxPassage: 10, maxAnswer: 10, maxQuestion: 10)
        XCTAssertEqual(e.ids, [101, 10, 11, 12, 102, 20, 21, 102, 30, 102])
        XCTAssertEqual(e.segments, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        let short = Seq2SeqExample(passage: [10], answer: [20], question: [30], cls: 101, sep: 102, maxPassage: 5, maxAnswer: 5, maxQuestion: 5)
        let batch = Seq2SeqBatch([e, short])
        let t = e.count
        // The first answer token is predicted at the passage's [SEP] (position 4).
        XCTAssertEqual(Array(batch.scored.prefix(5)), [4, 5, 6, 7, 8])
        XCTAssertEqual(Array(batch.targets.prefix(5)), [20, 21, 102, 30, 102])
        XCTAssertEqual(Array(batch.scored.suffix(4)), [t + 2, t + 3, t + 4, t + 5], "the second row's positions, padding never scored")
        XCTAssertEqual(batch.keyMask.floats.suffix(t).filter { $0 == 0 }.count, t - short.count)
    }

    func testBadBeamConfigsFail() throws {
        let m = model(seed: 51)
        try withoutGrad {
            let (d, first, cache) = try encode(m, [2, 5, 3])
            var config = GenerationConfig()
            config.numBeams = 2
            XCTAssertThrowsError(try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config)) {
                XCTAssertTrue("\($0)".contains("eos_token_id"))
            }
            config.eosTokenId = 3
            config.numReturnSequences = 3
            XCTAssertThrowsError(try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: config)) {
                XCTAssertTrue("\($0)".contains("num_return_sequences"))
            }
        }
    }
}
