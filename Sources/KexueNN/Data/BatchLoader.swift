/// Something that yields the index batches of each epoch, deterministically from the epoch number
/// (so a resumed run sees the same batches).
public protocol BatchSource: Sendable {
    var batchesPerEpoch: Int { get }
    func batches(epoch: Int) -> [[Int]]
}

/// Seeded shuffling over example indices, in mini-batches.
///
/// The order of epoch e depends only on (seed, e), so a run resumed at step s of epoch e sees the
/// same batches as an uninterrupted one — `batches(epoch:)` is a pure function.
public struct BatchLoader: BatchSource {
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

/// Length bucketing: each epoch shuffles, sorts windows of `windowBatches` batches by length so a
/// batch holds similar lengths (little padding), then shuffles the batch order.
public struct BucketedBatchLoader: BatchSource {
    public let lengths: [Int]
    public let batchSize: Int
    public let windowBatches: Int
    public let seed: UInt64

    public init(lengths: [Int], batchSize: Int, windowBatches: Int = 50, seed: UInt64 = 0) {
        precondition(batchSize > 0, "BucketedBatchLoader: batchSize must be positive, got \(batchSize)")
        self.lengths = lengths
        self.batchSize = batchSize
        self.windowBatches = windowBatches
        self.seed = seed
    }

    public var batchesPerEpoch: Int { (lengths.count + batchSize - 1) / batchSize }

    public func batches(epoch: Int) -> [[Int]] {
        let shuffled = BatchLoader(count: lengths.count, batchSize: lengths.count == 0 ? 1 : lengths.count, seed: seed)
            .batches(epoch: epoch).first ?? []
        var out: [[Int]] = []
        let window = batchSize * windowBatches
        var start = 0
        while start < shuffled.count {
            let chunk = shuffled[start..<Swift.min(shuffled.count, start + window)].sorted { (lengths[$0], $0) < (lengths[$1], $1) }
            var b = 0
            while b < chunk.count {
                out.append(Array(chunk[(chunk.startIndex + b)..<Swift.min(chunk.endIndex, chunk.startIndex + b + batchSize)]))
                b += batchSize
            }
            start += window
        }
        var rng = RandomGenerator(seed: seed ^ 0xB0C4_E7ED &+ UInt64(epoch))
        for i in stride(from: out.count - 1, to: 0, by: -1) { out.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return out
    }
}
