/// The MLP of the MNIST recipe: 784 → 256 (ReLU, dropout) → 10 logits. Dropout on the hidden
/// layer is what lifts it from ≈ 97.9 % to ≥ 98 % test accuracy at this size.
public final class MNISTMLP: Module, UnaryLayer {
    public let hidden: Linear
    public let output: Linear
    public let dropout: Dropout

    public init(inputs: Int = 784, hiddenUnits: Int = 256, classes: Int = 10, dropout p: Double = 0.2, seed: UInt64 = 0) {
        var rng = RandomGenerator(seed: seed)
        hidden = Linear(inputs, hiddenUnits, using: &rng)
        output = Linear(hiddenUnits, classes, using: &rng)
        dropout = Dropout(p)
        super.init()
    }

    /// images [N, 1, H, W] → logits [N, classes]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        output(dropout(hidden(x.flattened(from: 1)).relu()))
    }
}
