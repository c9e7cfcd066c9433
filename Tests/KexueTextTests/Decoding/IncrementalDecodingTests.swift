import XCTest
@testable import Kexue
@testable import KexueText

/// Cached (KV or recurrent) decoding equals the full forward pass (METHODS.md §3, §4(c)).
final class IncrementalDecodingTests: XCTestCase {
    static func tinyConfig(_ attention: AttentionKind) -> BertConfig {
        var c = BertConfig(vocabSize: 37, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64,
                           hiddenDropoutProb: 0, attentionProbsDropoutProb: 0, maxPositionEmbeddings: 64)
        c.attention = attention
        return c
    }

    static let kinds: [AttentionKind] = [.softmax, .linear(.eluPlusOne), .linear(.onePlusCosine),
                                         .linear(.randomFeatures(features: 16, seed: 5))]

    func ids(_ values: [Int32]) -> Tensor { Tensor(indices: values, shape: [1, values.count]) }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { Double(abs($0 - $1)) - 1e-4 * Double(abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 1e-4, "\(what): excess \(worst)", file: file, line: line)
    }

    /// Causal LM: prompt of 4, then 6 single steps; logits at every position equal the full causal pass.
    func testCausalCachedEqualsFullForward() throws {
        for kind in Self.kinds {
            let model = BertLMModel(Self.tinyConfig(kind), seed: 1)
            model.eval()
            let tokens: [[Int32]] = [[3, 9, 4, 17, 8, 30, 2, 11, 5, 6], [7, 7, 1, 20, 36, 12, 14, 2, 9, 9]]
            let n = tokens[0].count
            let all = Tensor(indices: tokens.flatMap { $0 }, shape: [2, n])
            let full = withoutGrad { model.logits(model.bert(all, mask: .causal(keyMask: nil)), at: Array(0..<(2 * n))) }.floats
            let v = 37
            let decoder = BertDecoder(model, typeId: 0)
            try withoutGrad {
                let prompt = Tensor(indices: tokens.flatMap { Array($0.prefix(4)) }, shape: [2, 4])
                var (logits, cache) = try decoder.start(prompt, typeIds: nil, keyMask: nil, visibility: .causal)
                for step in 3..<n {
                    for r in 0..<2 {
                        let expect = Array(full[((r * n + step) * v)..<((r * n + step + 1) * v)])
                        assertClose(Array(logits.floats[(r * v)..<((r + 1) * v)]), expect, "\(kind) row \(r) position \(step)")
                    }
                    if step + 1 < n { logits = try decoder.step([tokens[0][step + 1], tokens[1][step + 1]], cache: &cache) }
                }
                XCTAssertEqual(cache.length, n)
            }
        }
    }

    /// UniLM: right-padded sources of different lengths encoded once (bidirectional), targets
    /// stepped one by one; each row equals the full pass of its own unpadded sequence under the UniLM mask.
    func testUniLMCachedEqualsFullForwardWithPaddedSources() throws {
        for kind in Self.kinds {
            let model = BertLMModel(Self.tinyConfig(kind), seed: 2)
            model.eval()
            let sources: [[Int32]] = [[2, 10, 11, 12, 13, 3], [2, 20, 21, 3]]
            let targets: [[Int32]] = [[30, 31, 32, 3], [33, 34, 35, 3]]
            let width = 6, v = 37
            let padded = sources.flatMap { $0 + [Int32](repeating: 0, count: width - $0.count) }
            let mask = Tensor(sources.flatMap { s in (0..<width).map { Float($0 < s.count ? 1 : 0) } }, shape: [2, width])
            let decoder = BertDecoder(model, typeId: 1)
            try withoutGrad {
                var (logits, cache) = try decoder.start(Tensor(indices: padded, shape: [2, width]), typeIds: nil,
                                                        keyMask: mask, visibility: .bidirectional)
                var stepped: [[Float]] = [logits.floats]
                for i in 0..<3 {
                    logits = try decoder.step([targets[0][i], targets[1][i]], cache: &cache)
                    stepped.append(logits.floats)
                }
                for r in 0..<2 {
                    let seq = sources[r] + targets[r]
                    let seg = [Int32](repeating: 0, count: sources[r].count) + [Int32](repeating: 1, count: targets[r].count)
                    let segT = Tensor(indices: seg, shape: [1, seq.count])
                    let h = model.bert(ids(seq), typeIds: segT, mask: .unilm(segments: segT, keyMask: nil))
                    let full = model.logits(h, at: Array(0..<seq.count)).floats
                    for (i, rowLogits) in stepped.enumerated() {
                        let pos = sources[r].count - 1 + i
                        assertClose(Array(rowLogits[(r * v)..<((r + 1) * v)]), Array(full[(pos * v)..<((pos + 1) * v)]),
                                    "\(kind) row \(r) target step \(i)")
                    }
                }
            }
        }
    }

    func testCacheRowSelectionFollowsBeamParents() throws {
        let model = BertLMModel(Self.tinyConfig(.softmax), seed: 3)
        model.eval()
        let decoder = BertDecoder(model, typeId: 0)
        try withoutGrad {
            let prompt = Tensor(indices: [1, 2, 3, 4, 5, 6], shape: [2, 3])
            var (_, cache) = try decoder.start(prompt, typeIds: nil, keyMask: nil, visibility: .causal)
            var swapped = cache
            swapped.select(rows: [1, 1, 0])
            let a = try decoder.step([9, 9], cache: &cache).floats
            let b = try decoder.step([9, 9, 9], cache: &swapped).floats
            let v = 37
            // Close, not bit-equal: MKL picks its kernel by the number of rows, so a batch of 3
            // may round differently from a batch of 2 (OpenBLAS happens to agree bit for bit).
            assertClose(Array(b[0..<v]), Array(a[v..<(2 * v)]), "row 0 ← parent 1")
            assertClose(Array(b[v..<(2 * v)]), Array(a[v..<(2 * v)]), "row 1 ← parent 1")
            assertClose(Array(b[(2 * v)..<(3 * v)]), Array(a[0..<v]), "row 2 ← parent 0")
        }
    }

    func testRecurrentStateSizeIsFlatAndKVCacheGrows() throws {
        for (kind, grows) in [(AttentionKind.softmax, true), (.linear(.eluPlusOne), false)] {
            let model = BertLMModel(Self.tinyConfig(kind), seed: 4)
            model.eval()
            let decoder = BertDecoder(model, typeId: 0)
            try withoutGrad {
                var (_, cache) = try decoder.start(ids([1, 2]), typeIds: nil, keyMask: nil, visibility: .causal)
                let before = cache.byteCount
                for _ in 0..<5 { _ = try decoder.step([7], cache: &cache) }
                XCTAssertEqual(cache.byteCount > before, grows, "\(kind): cache \(before) → \(cache.byteCount) bytes")
            }
        }
    }

    func testEfficientAttentionRefusesRecurrentDecoding() {
        let model = BertLMModel(Self.tinyConfig(.linear(.softmaxPerSide)), seed: 5)
        XCTAssertThrowsError(try BertDecoder(model, typeId: 0).start(ids([1, 2]), typeIds: nil, keyMask: nil, visibility: .causal)) {
            XCTAssertTrue("\($0)".contains("no recurrent form"), "\($0)")
        }
    }
}
