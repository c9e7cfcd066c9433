import Foundation
import Kexue
import KexueText

/// Cached beam search for question generation (METHODS.md §4(d)): MiniLM with the tied LM head,
/// a 256-token source encoded once, num_beams 5, exactly `newTokens` new tokens ([SEP] blocked by
/// min_new_tokens so both sides do the same work). Reported: ms per generated token of the whole
/// call (prefill included, as HF's `generate` is timed), and the recomputing (uncached) decoder's
/// per-token time on a shorter run for the cache's speed-up.
enum QGBenchmark {
    static func decode(repeat count: Int, newTokens: Int = 32) throws -> [BenchRecord] {
        let (encoder, _, _) = try BertDirectory.loadEncoder(KexueHome.miniLM)
        let model = try BertLMModel(encoder: encoder, headState: [:], seed: 1, source: "MiniLM")
        model.eval()
        let tokenizer = try BertTokenizer(directory: KexueHome.miniLM)
        let text = String(repeating: "the quick brown fox jumps over the lazy dog near the river bank . ", count: 30)
        let pieces = Array(try tokenizer.encode(text).ids.dropFirst().dropLast().prefix(254))
        let source = [Int32(101)] + pieces + [Int32(102)]
        precondition(source.count == 256)
        let decoder = BertDecoder(model, typeId: 1)
        var config = GenerationConfig()
        config.numBeams = 5
        config.maxNewTokens = newTokens
        config.minNewTokens = newTokens
        config.eosTokenId = 102
        func run(_ d: some IncrementalDecoder, tokens: Int) throws {
            var c = config
            c.maxNewTokens = tokens; c.minNewTokens = tokens
            let (first, cache) = try decoder.start(Tensor(indices: source, shape: [1, 256]), typeIds: nil, keyMask: nil, visibility: .bidirectional)
            _ = try BeamSearch.decode(d, firstLogits: first, cache: cache, contexts: [[]], config: c)
        }
        var failure: Error?
        let ms = medianMilliseconds(repeat: count, warmup: 1) {
            do { try withoutGrad { try run(decoder, tokens: newTokens) } } catch { failure = error }
        }
        let uncachedTokens = 8
        let uncachedMs = medianMilliseconds(repeat: 1, warmup: 0) {
            do { try withoutGrad { try run(RecomputingDecoder(model, sourceLength: 256), tokens: uncachedTokens) } } catch { failure = error }
        }
        if let failure { throw failure }
        var r = BenchRecord(bench: "qg-decode", config: ["passage": 256, "num_beams": 5, "new_tokens": newTokens], medianMs: ms / Double(newTokens), rate: nil)
        r.extra["call_ms"] = ms
        r.extra["uncached_ms_per_token"] = uncachedMs / Double(uncachedTokens)
        r.extra["cache_speedup"] = (uncachedMs / Double(uncachedTokens)) / (ms / Double(newTokens))
        return [r]
    }
}
