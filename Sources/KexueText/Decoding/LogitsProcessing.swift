import Foundation

/// The per-step logit transforms of `generate`, on one row of logits [V] as plain floats
/// (decoding works on a handful of rows at a time; these are O(V) loops, not tensor graphs).
/// Order as in HF: repetition penalty, n-gram ban, min-length EOS block, then for sampling
/// temperature, top-k, top-p.
public enum LogitsProcessing {
    /// CTRL's repetition penalty on every token already in `context` (prompt and generated).
    public static func penalizeRepetition(_ logits: inout [Float], context: [Int32], penalty: Double) {
        guard penalty != 1 else { return }
        for t in Set(context) where Int(t) < logits.count {
            let i = Int(t)
            logits[i] = logits[i] > 0 ? logits[i] / Float(penalty) : logits[i] * Float(penalty)
        }
    }

    /// Tokens that would complete an n-gram already present in `sequence` (HF's no_repeat_ngram_size).
    public static func bannedByNgrams(_ sequence: [Int32], size n: Int) -> Set<Int32> {
        guard n > 0, sequence.count >= n else { return [] }
        let prefix = Array(sequence.suffix(n - 1))
        var banned = Set<Int32>()
        for start in 0...(sequence.count - n) where Array(sequence[start..<(start + n - 1)]) == prefix {
            banned.insert(sequence[start + n - 1])
        }
        return banned
    }

    public static func ban(_ logits: inout [Float], _ tokens: some Sequence<Int32>) {
        for t in tokens where Int(t) < logits.count { logits[Int(t)] = -.infinity }
    }

    /// Bans every token not in `allowed` (a constraint such as "stay a span of the passage").
    public static func keepOnly(_ logits: inout [Float], _ allowed: [Int32]) {
        var kept = [Float](repeating: -.infinity, count: logits.count)
        for t in allowed where t >= 0 && Int(t) < logits.count { kept[Int(t)] = logits[Int(t)] }
        logits = kept
    }

    /// log softmax of one row (−inf stays −inf).
    public static func logSoftmax(_ logits: [Float]) -> [Float] {
        let m = logits.max() ?? 0
        guard m.isFinite else { return logits }
        var s = 0.0
        for x in logits { s += Foundation.exp(Double(x - m)) }
        let lse = Float(Foundation.log(s)) + m
        return logits.map { $0 - lse }
    }

    /// The sampling distribution: softmax(logits / temperature), then top-k, then top-p, renormalising
    /// after each filter (METHODS.md §4(a)). Returns (token, probability) pairs with positive mass.
    public static func samplingDistribution(_ logits: [Float], temperature: Double, topK: Int?, topP: Double) -> [(Int32, Double)] {
        let scaled = logits.map { Double($0) / temperature }
        let m = scaled.max() ?? 0
        var probs: [(Int32, Double)] = []
        probs.reserveCapacity(scaled.count)
        for (i, x) in scaled.enumerated() where x > -.infinity { probs.append((Int32(i), Foundation.exp(x - m))) }
        probs.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        if let k = topK, k > 0, probs.count > k { probs.removeLast(probs.count - k) }
        var total = probs.reduce(0) { $0 + $1.1 }
        if topP < 1 {
            var mass = 0.0, keep = 0
            for (_, p) in probs {
                mass += p / total
                keep += 1
                if mass >= topP { break }  // the crossing token is kept
            }
            probs.removeLast(probs.count - keep)
            total = probs.reduce(0) { $0 + $1.1 }
        }
        return probs.map { ($0.0, $0.1 / total) }
    }

    /// Draws from a (token, probability) list with the seeded generator.
    public static func draw(_ distribution: [(Int32, Double)], using rng: inout RandomGenerator) -> Int32 {
        let u = rng.nextUniform()
        var acc = 0.0
        for (t, p) in distribution {
            acc += p
            if u < acc { return t }
        }
        return distribution.last!.0
    }
}
