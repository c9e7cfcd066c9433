/// Su's 1 + cos similarity: sim(q, k) = 1 + q̂ᵀk̂ with x̂ = x / max(‖x‖, 1e-6), from e^{qᵀk} ≈ 1 + qᵀk
/// on normalised vectors (METHODS.md §3; experimental — Su did not test it).
///
/// As a feature map φ(x) = [1, x̂] (C = D + 1), so sim ∈ [0, 2] is never negative and the
/// denominator stays positive.
public struct OnePlusCosine: FeatureMap {
    public init() {}
    public func queries(_ x: Tensor) -> Tensor { Self.features(x) }
    public func keys(_ x: Tensor) -> Tensor { Self.features(x) }

    /// [.., D] → [.., D + 1]
    static func features(_ x: Tensor) -> Tensor {
        let norm = (x * x).sum(axis: -1, keepDims: true).sqrt().clamp(min: 1e-6)  // [.., 1]
        let one = Tensor.ones(Array(x.shape.dropLast()) + [1], dtype: x.dtype)
        return concat([one, x / norm], axis: -1)
    }
}
