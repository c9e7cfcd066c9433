/// A lookup table: ids [...] → vectors [..., dim].
public final class Embedding: Module {
    public let weight: Tensor  // [count, dim]

    /// PyTorch's default initialisation: N(0, 1).
    public init(_ count: Int, _ dim: Int, std: Double = 1, dtype: DType = .float32, using rng: inout RandomGenerator) {
        weight = Tensor.normal([count, dim], std: std, dtype: dtype, using: &rng).requiringGrad()
        super.init()
    }

    public convenience init(_ count: Int, _ dim: Int, std: Double = 1, dtype: DType = .float32) {
        var rng = Random.withGlobal { $0.split() }
        self.init(count, dim, std: std, dtype: dtype, using: &rng)
    }

    public var count: Int { weight.shape[0] }
    public var dim: Int { weight.shape[1] }

    /// ids: int32 of any shape → ids.shape + [dim]. An id outside [0, count) stops with its position.
    public func callAsFunction(_ ids: Tensor) -> Tensor { weight.rows(ids) }
}
