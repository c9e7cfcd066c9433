/// Seeded shuffling over example indices, in mini-batches.
///
/// The order of epoch e depends only on (seed, e), so a run resumed at step s of epoch e sees the
/// same batches as an uninterrupted one — `batches(epoch:)` is a pure function.
public struct BatchLoader: Sendable {
    public let count: Int
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64

    public init(count: Int, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0) {
        precondition(batchSize > 0, "BatchLoader: batchSize must be positive, got \(batchSize)")
        self.count = count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
    }

    public var batchesPerEpoch: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

    /// The index batches of one epoch.
    public func batches(epoch: Int) -> [[Int]] {
        var order = Array(0..<count)
        if shuffle {
            var rng = RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch))
            // Fisher–Yates with our generator (Swift's shuffle(using:) may change between releases).
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        return (0..<batchesPerEpoch).map { b in Array(order[(b * batchSize)..<Swift.min(count, (b + 1) * batchSize)]) }
    }
}
