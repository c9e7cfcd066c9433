import Foundation

/// One generated continuation.
public struct GeneratedSequence: Sendable, Equatable {
    /// New tokens, the end-of-sequence token included when it was emitted.
    public var tokens: [Int32]
    /// Σ log p(token) under the model's own distribution (before any penalty or filter).
    public var logProbability: Double
    /// The decoding score: for beam search the ranking score (Σ log p of the processed
    /// distribution, length-penalised as configured); for greedy/sampling Σ log p processed.
    public var score: Double
    /// True when the sequence ended with `eosTokenId` (false: it hit `maxNewTokens`).
    public var finished: Bool
}

/// Greedy decoding and sampling on any `IncrementalDecoder` (beam search: `BeamSearch`).
public enum Generation {
    /// Continues every row of `cache` from `firstLogits` [B, V] (the logits after the prompt or
    /// source). `contexts[b]` are the tokens row b already holds (for the repetition penalty and
    /// the n-gram ban). Returns `numReturnSequences` sequences per row (sampling only).
    ///
    /// `prefixAllowedTokens` (HF's `prefix_allowed_tokens_fn`): given the input's index and the
    /// tokens generated so far, the tokens allowed next (nil: no constraint); every other token is
    /// banned before sampling or the arg-max. Log-probabilities stay those of the model.
    public static func decode(_ decoder: some IncrementalDecoder, firstLogits: Tensor, cache: DecoderCache,
                              contexts: [[Int32]], config: GenerationConfig,
                              prefixAllowedTokens: ((Int, [Int32]) -> [Int32]?)? = nil) throws -> [[GeneratedSequence]] {
        try config.validate()
        guard config.numBeams == 1 else {
            throw GenerationError.badConfig("num_beams \(config.numBeams) > 1: use BeamSearch.decode")
        }
        guard config.doSample || config.numReturnSequences == 1 else {
            throw GenerationError.badConfig("greedy decoding returns one sequence per input; num_return_sequences \(config.numReturnSequences) needs do_sample or num_beams")
        }
        guard firstLogits.rank == 2, firstLogits.shape[0] == contexts.count else {
            throw GenerationError.badInput("first logits \(firstLogits.shape) do not match \(contexts.count) inputs")
        }
        let inputs = contexts.count, copies = config.numReturnSequences, vocab = firstLogits.shape[1]
        // Row r of the working batch is copy (r % copies) of input (r / copies).
        let expand = (0..<(inputs * copies)).map { $0 / copies }
        var cache = cache
        if copies > 1 { cache.select(rows: expand) }
        let all = firstLogits.to(.float32).floats
        var logits: [[Float]] = expand.map { Array(all[($0 * vocab)..<(($0 + 1) * vocab)]) }
        var outputs = expand.map { _ in GeneratedSequence(tokens: [], logProbability: 0, score: 0, finished: false) }
        var active = Array(outputs.indices)  // working rows still decoding, in cache order
        var rng = RandomGenerator(seed: config.seed)
        for step in 0..<config.maxNewTokens {
            var chosen: [Int32] = []
            for (slot, row) in active.enumerated() {
                let context = contexts[expand[row]] + outputs[row].tokens
                var processed = logits[slot]
                LogitsProcessing.penalizeRepetition(&processed, context: context, penalty: config.repetitionPenalty)
                LogitsProcessing.ban(&processed, LogitsProcessing.bannedByNgrams(context, size: config.noRepeatNgramSize))
                if let eos = config.eosTokenId, step < config.minNewTokens { LogitsProcessing.ban(&processed, [eos]) }
                if let allowed = prefixAllowedTokens?(expand[row], outputs[row].tokens) {
                    LogitsProcessing.keepOnly(&processed, allowed)
                }
                let token: Int32, processedLogP: Double
                if config.doSample {
                    let dist = LogitsProcessing.samplingDistribution(processed, temperature: config.temperature,
                                                                     topK: config.topK, topP: config.topP)
                    guard !dist.isEmpty else { throw GenerationError.badInput("every token is banned at step \(step + 1)") }
                    token = LogitsProcessing.draw(dist, using: &rng)
                    processedLogP = Foundation.log(dist.first { $0.0 == token }!.1)
                } else {
                    let lp = LogitsProcessing.logSoftmax(processed)
                    var best = 0
                    for i in 1..<lp.count where lp[i] > lp[best] { best = i }
                    guard lp[best] > -.infinity else { throw GenerationError.badInput("every token is banned at step \(step + 1)") }
                    token = Int32(best)
                    processedLogP = Double(lp[best])
                }
                outputs[row].tokens.append(token)
                outputs[row].logProbability += Double(LogitsProcessing.logSoftmax(logits[slot])[Int(token)])
                outputs[row].score += processedLogP
                if token == config.eosTokenId { outputs[row].finished = true }
                chosen.append(token)
            }
            let keep = active.indices.filter { !outputs[active[$0]].finished }
            if keep.isEmpty || step == config.maxNewTokens - 1 { break }
            if keep.count < active.count {
                // Finished rows leave the batch: later steps cost only what is still decoding.
                cache.select(rows: keep)
                active = keep.map { active[$0] }
                chosen = keep.map { chosen[$0] }
            }
            let next = try decoder.step(chosen, cache: &cache).to(.float32)  // [active, V]
            let flat = next.floats
            logits = (0..<active.count).map { Array(flat[($0 * vocab)..<(($0 + 1) * vocab)]) }
        }
        return (0..<inputs).map { i in Array(outputs[(i * copies)..<((i + 1) * copies)]) }
    }
}
