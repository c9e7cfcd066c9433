/// Long-tailed subsampling and label noise (Cao et al., NeurIPS 2019; METHODS.md §2).
public enum LongTail {
    /// n_k = ⌊n_max·ρ^(−k/(K−1))⌋ for k = 0…K−1 (class order = label order unless `order` permutes it).
    public static func counts(nMax: Int, imbalance rho: Double, classes: Int) -> [Int] {
        precondition(classes >= 2 && rho >= 1 && nMax > 0, "LongTail.counts: need classes ≥ 2, ρ ≥ 1, nMax > 0")
        return (0..<classes).map { k -> Int in
            let exponent: Double = -Double(k) / Double(classes - 1)
            let n: Double = Double(nMax) * Double.pow(rho, exponent)
            return Int(n.rounded(.down))
        }
    }

    /// Indices of a seeded long-tailed subset: class `order[k]` keeps counts[k] examples, drawn
    /// without replacement. The same seed gives the same indices.
    public static func subsample(labels: [Int32], classes: Int, imbalance rho: Double, seed: UInt64,
                                 order: [Int]? = nil) throws -> [Int] {
        guard rho.isFinite, rho >= 1 else { throw LongTailError("imbalance ρ must be a finite number ≥ 1, got \(rho)") }
        let byClass = try indicesByClass(labels, classes: classes)
        let nMax = byClass.map(\.count).max() ?? 0
        guard nMax > 0 else { throw LongTailError("no examples to subsample") }
        let target = counts(nMax: nMax, imbalance: rho, classes: classes)
        let classOrder = order ?? Array(0..<classes)
        guard classOrder.count == classes, Set(classOrder) == Set(0..<classes) else {
            throw LongTailError("class order \(classOrder) is not a permutation of 0..<\(classes)")
        }
        var rng = RandomGenerator(seed: seed)
        var kept: [Int] = []
        for (rank, c) in classOrder.enumerated() {
            kept += seededPrefix(byClass[c], Swift.min(target[rank], byClass[c].count), using: &rng)
        }
        return kept.sorted()
    }

    /// Flips a `rate` share of labels to a different class chosen uniformly (symmetric noise).
    /// Returns the noisy labels and the flipped positions.
    public static func flipLabels(_ labels: [Int32], classes: Int, rate: Double, seed: UInt64) throws -> (labels: [Int32], flipped: [Int]) {
        guard rate >= 0 && rate <= 1 else { throw LongTailError("label-noise rate must be in [0, 1], got \(rate)") }
        guard classes >= 2 else { throw LongTailError("label noise needs at least 2 classes, got \(classes)") }
        _ = try indicesByClass(labels, classes: classes)
        var rng = RandomGenerator(seed: seed)
        var out = labels
        let flipped = seededPrefix(Array(labels.indices), Int((Double(labels.count) * rate).rounded()), using: &rng).sorted()
        for i in flipped {
            let shift = 1 + Int(rng.next() % UInt64(classes - 1))
            out[i] = Int32((Int(labels[i]) + shift) % classes)
        }
        return (out, flipped)
    }

    /// Example indices of each class; a label outside [0, classes) is an error naming its position.
    static func indicesByClass(_ labels: [Int32], classes: Int) throws -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, l) in labels.enumerated() {
            guard l >= 0 && Int(l) < classes else { throw LongTailError("label \(l) at position \(i) is outside [0, \(classes))") }
            byClass[Int(l)].append(i)
        }
        return byClass
    }

    /// The first n of a seeded shuffle of `pool` (partial Fisher–Yates; Swift's shuffle(using:)
    /// may change between releases).
    static func seededPrefix(_ pool: [Int], _ n: Int, using rng: inout RandomGenerator) -> [Int] {
        var pool = pool
        for i in 0..<n {
            let j = i + Int(rng.next() % UInt64(pool.count - i))
            pool.swapAt(i, j)
        }
        return Array(pool[..<n])
    }
}

public struct LongTailError: Error, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
