import Foundation

/// A feature map φ: ℝ^D → ℝ^C_{≥0} for kernelised attention, sim(q, k) = φ(q)ᵀφ(k) (METHODS.md §3).
/// Queries and keys get separate maps so that asymmetric maps fit the same protocol.
public protocol FeatureMap {
    /// φ of queries [B, H, N, D] → [B, H, N, C].
    func queries(_ x: Tensor) -> Tensor
    /// φ of keys [B, H, S, D] → [B, H, S, C].
    func keys(_ x: Tensor) -> Tensor
    /// True for Efficient Attention, whose key map is a softmax over *positions*: every key sees
    /// every other, so there is no causal or recurrent form and no denominator.
    var normalizesOverPositions: Bool { get }
    /// Draws new random features (Performer); deterministic maps ignore it.
    mutating func resample(using rng: inout RandomGenerator)
}

extension FeatureMap {
    public var normalizesOverPositions: Bool { false }
    public mutating func resample(using rng: inout RandomGenerator) {}
}

/// φ(x) = elu(x) + 1 (Katharopoulos et al., ICML 2020), the default: positive, and unlike ReLU its
/// gradient does not vanish for negative inputs.
public struct EluPlusOne: FeatureMap {
    public init() {}
    public func queries(_ x: Tensor) -> Tensor { x.eluPlus(1) }
    public func keys(_ x: Tensor) -> Tensor { x.eluPlus(1) }
}

/// φ(x) = max(x, 0). A row of zeros gives a zero denominator, which eps = 1e-6 keeps finite.
public struct ReLUFeatures: FeatureMap {
    public init() {}
    public func queries(_ x: Tensor) -> Tensor { x.relu() }
    public func keys(_ x: Tensor) -> Tensor { x.relu() }
}
