import Kexue

/// How a token's [H] attribution row becomes one score (METHODS.md §7(a)). `.sum` is signed and keeps
/// completeness (Σ_t s_t = F(x) − F(x̄) + δ); `.l2` and `.maxAbs` are unsigned magnitudes (Su's demo).
public enum TokenScoring: String, Sendable, CaseIterable {
    case sum, l2, maxAbs

    public var isSigned: Bool { self == .sum }

    /// attributions [T, H] → [T] scores.
    public func scores(_ attributions: Tensor) -> [Double] {
        precondition(attributions.rank == 2, "token scores need [T, H] attributions, got \(attributions.shape)")
        let t = attributions.shape[0], h = attributions.shape[1]
        let a = attributions.to(.float64).doubles
        return (0..<t).map { i in
            let row = a[(i * h)..<((i + 1) * h)]
            switch self {
            case .sum: return row.reduce(0, +)
            case .l2: return row.map { $0 * $0 }.reduce(0, +).squareRoot()
            case .maxAbs: return row.map { Swift.abs($0) }.max() ?? 0
            }
        }
    }

    /// Display values: signed s / max|s| ∈ [−1, 1]; unsigned min-max to [0, 1].
    public func displayValues(_ scores: [Double]) -> [Double] {
        guard !scores.isEmpty else { return [] }
        if isSigned {
            let m = scores.map { Swift.abs($0) }.max()!
            return m == 0 ? scores.map { _ in 0 } : scores.map { $0 / m }
        }
        let lo = scores.min()!, hi = scores.max()!
        return hi == lo ? scores.map { _ in 0 } : scores.map { ($0 - lo) / (hi - lo) }
    }
}
