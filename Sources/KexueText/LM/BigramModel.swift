import Foundation

/// The baseline a language model must beat: p(x_t | x_{t−1}) from counts with additive smoothing
/// α, chosen from a small grid on a held-out tenth of the training stream (then refit on all of it).
public struct BigramModel: Sendable {
    public let vocabularySize: Int
    public let alpha: Double
    private let counts: [Int: [Int32: Int]]
    private let totals: [Int: Int]

    public init(stream: [Int32], vocabularySize v: Int, alphas: [Double] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1]) {
        let cut = stream.count * 9 / 10
        let fit = Array(stream[..<cut]), held = Array(stream[cut...])
        let best = alphas.min { a, b in
            BigramModel(stream: fit, vocabularySize: v, alpha: a).crossEntropy(held)
                < BigramModel(stream: fit, vocabularySize: v, alpha: b).crossEntropy(held)
        }!
        self.init(stream: stream, vocabularySize: v, alpha: best)
    }

    public init(stream: [Int32], vocabularySize v: Int, alpha: Double) {
        var counts: [Int: [Int32: Int]] = [:], totals: [Int: Int] = [:]
        for i in 1..<Swift.max(stream.count, 1) {
            counts[Int(stream[i - 1]), default: [:]][stream[i], default: 0] += 1
            totals[Int(stream[i - 1]), default: 0] += 1
        }
        vocabularySize = v
        self.alpha = alpha
        self.counts = counts
        self.totals = totals
    }

    public func logProbability(_ token: Int32, after previous: Int32) -> Double {
        let c = Double(counts[Int(previous)]?[token] ?? 0), n = Double(totals[Int(previous)] ?? 0)
        return Foundation.log((c + alpha) / (n + alpha * Double(vocabularySize)))
    }

    /// Mean −log p in nats over tokens 1..<n of `stream`.
    public func crossEntropy(_ stream: [Int32]) -> Double {
        guard stream.count > 1 else { return .nan }
        var s = 0.0
        for i in 1..<stream.count { s -= logProbability(stream[i], after: stream[i - 1]) }
        return s / Double(stream.count - 1)
    }

    /// Mean −log p over the positions a windowed LM evaluation scores (each window's tokens 1…).
    public func crossEntropy(windows: [[Int32]]) -> Double {
        var s = 0.0, n = 0
        for w in windows where w.count > 1 {
            for i in 1..<w.count { s -= logProbability(w[i], after: w[i - 1]); n += 1 }
        }
        return s / Double(Swift.max(n, 1))
    }
}
