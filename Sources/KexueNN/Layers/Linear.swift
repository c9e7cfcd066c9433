/// y = x·Wᵀ + b, W [out, in] (PyTorch's layout, so HF checkpoints load without transposes).
public final class Linear: Module, UnaryLayer {
    public let weight: Tensor      // [out, in]
    public let bias: Tensor?       // [out]

    /// PyTorch's default initialisation: W, b ~ U(−1/√in, 1/√in).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
                using rng: inout RandomGenerator) {
        let bound = 1 / Double(inFeatures).squareRoot()
        weight = Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, dtype: dtype, using: &rng).requiringGrad()
        self.bias = bias ? Tensor.uniform([outFeatures], low: -bound, high: bound, dtype: dtype, using: &rng).requiringGrad() : nil
        super.init()
    }

    /// Initialised from the process-wide generator (`Random.seed` first for reproducibility).
    public convenience init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        var rng = Random.withGlobal { $0.split() }
        self.init(inFeatures, outFeatures, bias: bias, dtype: dtype, using: &rng)
    }

    /// Wraps existing tensors (e.g. loaded weights).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Linear: bias \(bias.shape) for weight \(weight.shape)") }
        self.weight = weight
        self.bias = bias
        super.init()
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// x [..., in] → [..., out]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inFeatures, "Linear(\(inFeatures) → \(outFeatures)): input of shape \(x.shape)")
        return linear(x, weight: weight, bias: bias)
    }
}
