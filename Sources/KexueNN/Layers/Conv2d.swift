/// 2-D convolution over [N, C, H, W] (weights [O, C/groups, kh, kw], PyTorch's layout).
public final class Conv2d: Module, UnaryLayer {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let dilation: (Int, Int)
    public let groups: Int

    /// PyTorch's default initialisation: U(−1/√fanIn, 1/√fanIn), fanIn = C/groups·kh·kw.
    public init(_ inChannels: Int, _ outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                using rng: inout RandomGenerator) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: channels \(inChannels) → \(outChannels) not divisible by groups \(groups)")
        let fanIn = inChannels / groups * kernel.0 * kernel.1
        let bound = 1 / Double(fanIn).squareRoot()
        weight = Tensor.uniform([outChannels, inChannels / groups, kernel.0, kernel.1], low: -bound, high: bound, using: &rng).requiringGrad()
        self.bias = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, using: &rng).requiringGrad() : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
    }

    public convenience init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                            groups: Int = 1, bias: Bool = true) {
        var rng = Random.withGlobal { $0.split() }
        self.init(inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding),
                  groups: groups, bias: bias, using: &rng)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// Max pooling over [N, C, H, W].
public final class MaxPool2d: Module, UnaryLayer {
    public let kernel: Int, stride: Int, padding: Int
    public init(_ kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding))
    }
}

/// Average pooling over [N, C, H, W] (padding counted, as PyTorch's default).
public final class AvgPool2d: Module, UnaryLayer {
    public let kernel: Int, stride: Int, padding: Int
    public init(_ kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
        super.init()
    }
    public func callAsFunction(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding))
    }
}

/// Mean over the spatial axes: [N, C, H, W] → [N, C].
public final class GlobalAvgPool2d: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.mean(axes: [2, 3]) }
}
