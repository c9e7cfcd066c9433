/// Layer normalisation over the last axis with a learned scale and shift.
public final class LayerNorm: Module, UnaryLayer {
    public let weight: Tensor  // [dim], γ
    public let bias: Tensor    // [dim], β
    public let eps: Double

    public init(_ dim: Int, eps: Double = 1e-5, dtype: DType = .float32) {
        weight = Tensor.ones([dim], dtype: dtype).requiringGrad()
        bias = Tensor.zeros([dim], dtype: dtype).requiringGrad()
        self.eps = eps
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
}
