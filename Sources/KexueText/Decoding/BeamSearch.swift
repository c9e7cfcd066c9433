import Foundation

/// Beam search on the decoding core, batched over inputs × beams in one cache (each step is one
/// model call for every live beam of every input; the source is encoded once). Two semantics
/// (METHODS.md §4(a)):
/// - `.huggingFace` (default): candidates from the top 2·num_beams, a pool of num_beams finished
///   hypotheses scored Σ log p / length^length_penalty, `early_stopping` as in HF (true: stop when
///   the pool is full; false: stop when no running beam can beat the pool's worst).
/// - `.bert4keras` (the `july2020` preset): score Σ log p, no length normalisation; stop as soon as
///   the top-scoring beam has just ended (with `minEnds` end tokens); other ended beams are dropped
///   and the beam shrinks; at the length limit the best running beam is returned.
public enum BeamSearch {
    public enum Semantics: String, Sendable { case huggingFace = "hf", bert4keras }

    struct Hypothesis {
        var tokens: [Int32]
        var score: Double  // Σ log p of the processed distribution
        var modelLogP: Double  // Σ log p of the model's own distribution
        var row: Int  // cache row holding its state
    }

    public static func decode(_ decoder: some IncrementalDecoder, firstLogits: Tensor, cache: DecoderCache,
                              contexts: [[Int32]], config: GenerationConfig, semantics: Semantics = .huggingFace,
                              minEnds: Int = 1) throws -> [[GeneratedSequence]] {
        try config.validate()
        guard let eos = config.eosTokenId else { throw GenerationError.badConfig("beam search needs eos_token_id") }
        guard !config.doSample else { throw GenerationError.badConfig("beam sampling (do_sample with num_beams > 1) is not offered") }
        if semantics == .bert4keras && config.numReturnSequences != 1 {
            throw GenerationError.badConfig("bert4keras beam semantics return one sequence; num_return_sequences must be 1")
        }
        guard firstLogits.rank == 2, firstLogits.shape[0] == contexts.count else {
            throw GenerationError.badInput("first logits \(firstLogits.shape) do not match \(contexts.count) inputs")
        }
        let inputs = contexts.count, width = config.numBeams, vocab = firstLogits.shape[1]
        var cache = cache
        let first = firstLogits.to(.float32).floats
        var rowLogits: [[Float]] = (0..<inputs).map { Array(first[($0 * vocab)..<(($0 + 1) * vocab)]) }
        // Running beams per input; at the start one beam per input, on the input's own cache row.
        var running: [[Hypothesis]] = (0..<inputs).map { [Hypothesis(tokens: [], score: 0, modelLogP: 0, row: $0)] }
        var pool: [[(Hypothesis, Double)]] = Array(repeating: [], count: inputs)
        var done = [Bool](repeating: false, count: inputs)
        var beamWidth = [Int](repeating: width, count: inputs)

        for step in 0..<config.maxNewTokens {
            var nextRunning: [[Hypothesis]] = Array(repeating: [], count: inputs)
            for i in 0..<inputs where !done[i] {
                // Candidates (beam, token, processed score, model log p) from every running beam.
                var candidates: [(beam: Int, token: Int32, score: Double, model: Double)] = []
                let keep = semantics == .huggingFace ? 2 * width : beamWidth[i]
                for (b, hyp) in running[i].enumerated() {
                    let raw = LogitsProcessing.logSoftmax(rowLogits[hyp.row])
                    var processed = raw
                    let context = contexts[i] + hyp.tokens
                    LogitsProcessing.penalizeRepetition(&processed, context: context, penalty: config.repetitionPenalty)
                    LogitsProcessing.ban(&processed, LogitsProcessing.bannedByNgrams(context, size: config.noRepeatNgramSize))
                    if step < config.minNewTokens { LogitsProcessing.ban(&processed, [eos]) }
                    for (t, lp) in topEntries(processed, keep) {
                        candidates.append((b, Int32(t), hyp.score + Double(lp), hyp.modelLogP + Double(raw[t])))
                    }
                }
                candidates.sort { $0.score > $1.score || ($0.score == $1.score && ($0.beam, $0.token) < ($1.beam, $1.token)) }
                let generated = step + 1
                switch semantics {
                case .huggingFace:
                    for (rank, c) in candidates.enumerated() {
                        let parent = running[i][c.beam]
                        let hyp = Hypothesis(tokens: parent.tokens + [c.token], score: c.score, modelLogP: c.model, row: parent.row)
                        if c.token == eos {
                            // HF: only an end among the top num_beams candidates enters the pool.
                            if rank < width { addToPool(&pool[i], hyp, score: c.score / pow(Double(generated), config.lengthPenalty), width: width) }
                        } else {
                            nextRunning[i].append(hyp)
                        }
                        if nextRunning[i].count == width { break }
                    }
                    if pool[i].count >= width {
                        if config.earlyStopping { done[i] = true } else {
                            let best = nextRunning[i].map(\.score).max() ?? -.infinity
                            let attainable = best / pow(Double(generated), config.lengthPenalty)
                            if pool[i].map(\.1).min()! >= attainable { done[i] = true }
                        }
                    }
                case .bert4keras:
                    let top = candidates.prefix(beamWidth[i]).map { c -> Hypothesis in
                        let parent = running[i][c.beam]
                        return Hypothesis(tokens: parent.tokens + [c.token], score: c.score, modelLogP: c.model, row: parent.row)
                    }
                    let ended = { (h: Hypothesis) in h.tokens.last == eos && h.tokens.filter { $0 == eos }.count >= minEnds }
                    if let best = top.first, ended(best) {
                        pool[i] = [(best, best.score)]
                        done[i] = true
                    } else {
                        nextRunning[i] = top.filter { !ended($0) }
                        beamWidth[i] = nextRunning[i].count
                    }
                }
                if nextRunning[i].isEmpty { done[i] = true }
            }
            running = nextRunning
            let live = (0..<inputs).filter { !done[$0] }
            if live.isEmpty || step == config.maxNewTokens - 1 { break }
            // One cache row per live beam, copied from its parent's row.
            var parents: [Int] = [], tokens: [Int32] = []
            for i in live {
                for b in running[i].indices {
                    parents.append(running[i][b].row)
                    tokens.append(running[i][b].tokens.last!)
                    running[i][b].row = parents.count - 1
                }
            }
            cache.select(rows: parents)
            let next = try decoder.step(tokens, cache: &cache).to(.float32).floats
            rowLogits = (0..<parents.count).map { Array(next[($0 * vocab)..<(($0 + 1) * vocab)]) }
        }
        // Inputs still running at the length limit.
        for i in 0..<inputs where !done[i] || pool[i].isEmpty {
            switch semantics {
            case .huggingFace:
                for h in running[i] {
                    addToPool(&pool[i], h, score: h.score / pow(Double(Swift.max(h.tokens.count, 1)), config.lengthPenalty), width: width)
                }
            case .bert4keras:
                if let best = running[i].max(by: { $0.score < $1.score }) { pool[i] = [(best, best.score)] }
            }
        }
        return pool.map { hyps in
            hyps.sorted { $0.1 > $1.1 }.prefix(config.numReturnSequences).map { h, s in
                GeneratedSequence(tokens: h.tokens, logProbability: h.modelLogP, score: s, finished: h.tokens.last == eos)
            }
        }
    }

    /// Keeps the `width` best finished hypotheses.
    static func addToPool(_ pool: inout [(Hypothesis, Double)], _ h: Hypothesis, score: Double, width: Int) {
        pool.append((h, score))
        if pool.count > width {
            pool.remove(at: pool.indices.min { pool[$0].1 < pool[$1].1 }!)
        }
    }

    /// The `k` largest entries of a row (index, value), −inf excluded.
    static func topEntries(_ row: [Float], _ k: Int) -> [(Int, Float)] {
        var best: [(Int, Float)] = []
        best.reserveCapacity(k + 1)
        for (i, v) in row.enumerated() where v > -.infinity {
            if best.count < k { best.append((i, v)); if best.count == k { best.sort { $0.1 > $1.1 } } ; continue }
            if v > best[k - 1].1 {
                var j = k - 1
                best[j] = (i, v)
                while j > 0 && best[j].1 > best[j - 1].1 { best.swapAt(j, j - 1); j -= 1 }
            }
        }
        return best.count < k ? best.sorted { $0.1 > $1.1 } : best
    }
}
