/// Efficient Attention (Shen et al., arXiv 1812.01243): O = softmax_D(Q)·(softmax_S(K)ᵀ·V).
///
/// Queries are normalised over their features, keys over positions, so each implied attention row
/// sums to 1 and no denominator is needed. The key softmax sees the whole sequence, which rules out
/// causal masks and recurrent decoding; `linearAttention` rejects them and masks padded keys with
/// −1e9 before this softmax (`keys(_:keyMask:)`).
public struct SoftmaxPerSide: FeatureMap {
    public init() {}
    public var normalizesOverPositions: Bool { true }
    public func queries(_ x: Tensor) -> Tensor { x.softmax(axis: -1) }       // [B, H, N, D]
    public func keys(_ x: Tensor) -> Tensor { x.softmax(axis: 2) }           // [B, H, S, D]

    /// keys [B, H, S, D], keyMask [B, 1, S, 1] of 0/1 → softmax over the real positions only.
    public func keys(_ x: Tensor, keyMask: Tensor?) -> Tensor {
        guard let keyMask else { return keys(x) }
        return (x + (keyMask - 1) * 1e9).softmax(axis: 2) * keyMask
    }
}
