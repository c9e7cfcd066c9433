/// Decoding settings under Hugging Face `generate`'s names (METHODS.md §4(b)), so a user coming from
/// `transformers` reads them without a table. Unset options mean what they mean in HF.
public struct GenerationConfig: Sendable, Equatable {
    /// Tokens generated at most per sequence (never exceeded).
    public var maxNewTokens = 64
    /// `eosTokenId` is blocked until this many tokens were generated.
    public var minNewTokens = 0
    /// Sample (true) or take the most likely token (false) when `numBeams == 1`.
    public var doSample = false
    /// Logits ÷ temperature before any filter (sampling only, as in HF).
    public var temperature = 1.0
    /// Keep the k most likely tokens (nil or 0: no limit).
    public var topK: Int? = nil
    /// Keep the smallest set of top tokens whose mass reaches p, the crossing token included.
    public var topP = 1.0
    /// Beam width; 1 decodes greedily or by sampling.
    public var numBeams = 1
    /// Finished beams are ranked by Σ log p / length^lengthPenalty (HF semantics).
    public var lengthPenalty = 1.0
    /// Stop a beam search as soon as `numBeams` hypotheses are finished (HF `early_stopping=True`).
    public var earlyStopping = false
    /// CTRL's penalty on tokens already in the sequence: positive logits ÷ r, negative × r.
    public var repetitionPenalty = 1.0
    /// Forbid repeating any n-gram of this size (0: off).
    public var noRepeatNgramSize = 0
    /// Sequences returned per input (≤ numBeams for beam search).
    public var numReturnSequences = 1
    /// Ends a sequence; generation stops for a row once it is emitted.
    public var eosTokenId: Int32? = nil
    public var padTokenId: Int32 = 0
    /// Seed of the sampling generator (results replay from it).
    public var seed: UInt64 = 0

    public init() {}

    /// Checks the numbers make sense; the error names the option with HF's name.
    public func validate() throws {
        func fail(_ m: String) -> GenerationError { .badConfig(m) }
        if maxNewTokens < 1 { throw fail("max_new_tokens must be ≥ 1, got \(maxNewTokens)") }
        if minNewTokens < 0 || minNewTokens > maxNewTokens { throw fail("min_new_tokens must be in 0…max_new_tokens (\(maxNewTokens)), got \(minNewTokens)") }
        if !(temperature > 0) { throw fail("temperature must be > 0, got \(temperature)") }
        if let k = topK, k < 0 { throw fail("top_k must be ≥ 0, got \(k)") }
        if !(topP > 0 && topP <= 1) { throw fail("top_p must be in (0, 1], got \(topP)") }
        if numBeams < 1 { throw fail("num_beams must be ≥ 1, got \(numBeams)") }
        if !(repetitionPenalty > 0) { throw fail("repetition_penalty must be > 0, got \(repetitionPenalty)") }
        if noRepeatNgramSize < 0 { throw fail("no_repeat_ngram_size must be ≥ 0, got \(noRepeatNgramSize)") }
        if numReturnSequences < 1 { throw fail("num_return_sequences must be ≥ 1, got \(numReturnSequences)") }
        if numBeams > 1 && numReturnSequences > numBeams {
            throw fail("num_return_sequences (\(numReturnSequences)) cannot exceed num_beams (\(numBeams))")
        }
    }
}

public enum GenerationError: Error, CustomStringConvertible, Equatable {
    case badConfig(String)
    case badInput(String)

    public var description: String {
        switch self {
        case .badConfig(let m): return "generation config: \(m)"
        case .badInput(let m): return "generation: \(m)"
        }
    }
}
