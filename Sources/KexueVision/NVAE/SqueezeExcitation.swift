import Kexue
import KexueNN

/// Squeeze-and-excitation: a channel gate from the global mean,
/// x · sigmoid(Linear(ReLU(Linear(mean_hw x)))), hidden width max(C/16, 4).
public final class SqueezeExcitation: Module, UnaryLayer {
    public let reduce: Linear
    public let expand: Linear

    public init(_ channels: Int, using rng: inout RandomGenerator) {
        let hidden = max(channels / 16, 4)
        reduce = Linear(channels, hidden, using: &rng)
        expand = Linear(hidden, channels, using: &rng)
        super.init()
    }

    /// The gate in (0, 1): [N, C, H, W] → [N, C].
    public func gate(_ x: Tensor) -> Tensor {
        expand(reduce(x.mean(axes: [2, 3])).relu()).sigmoid()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        return x * gate(x).reshaped([n, c, 1, 1])
    }
}
