/// The CNN of the MNIST recipe: two conv–ReLU–max-pool stages, then a dropout MLP head.
/// [N, 1, 28, 28] → conv 32 → pool → conv 64 → pool → 3136 → 128 → 10 logits.
public final class MNISTCNN: Module, UnaryLayer {
    public let conv1: Conv2d, conv2: Conv2d
    public let fc1: Linear, fc2: Linear
    public let dropout: Dropout
    let pool = MaxPool2d(2)

    public init(classes: Int = 10, seed: UInt64 = 0) {
        var rng = RandomGenerator(seed: seed)
        conv1 = Conv2d(1, 32, kernel: (3, 3), padding: (1, 1), using: &rng)
        conv2 = Conv2d(32, 64, kernel: (3, 3), padding: (1, 1), using: &rng)
        fc1 = Linear(64 * 7 * 7, 128, using: &rng)
        fc2 = Linear(128, classes, using: &rng)
        dropout = Dropout(0.25)
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = pool(conv1(x).relu())          // [N, 32, 14, 14]
        h = pool(conv2(h).relu())              // [N, 64, 7, 7]
        h = dropout(fc1(h.flattened(from: 1)).relu())
        return fc2(h)
    }
}
