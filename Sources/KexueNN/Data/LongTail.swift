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
                                 order: [Int]? = nil) -> [Int] {
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, l) in labels.enumerated() { byClass[Int(l)].append(i) }
        let nMax = byClass.map(\.count).max() ?? 0
        let target = counts(nMax: nMax, imbalance: rho, classes: classes)
        let classOrder = order ?? Array(0..<classes)
        precondition(Set(classOrder) == Set(0..<classes), "LongTail.subsample: order must permute 0..<\(classes)")
        var rng = RandomGenerator(seed: seed)
        var kept: [Int] = []
        for (rank, c) in classOrder.enumerated() {
            var pool = byClass[c]
            let n = Swift.min(target[rank], pool.count)
            for i in 0..<n {  // partial Fisher–Yates: the first n of a seeded shuffle
                let j = i + Int(rng.next() % UInt64(pool.count - i))
                pool.swapAt(i, j)
            }
            kept += pool[..<n]
        }
        return kept.sorted()
    }

    /// Flips a `rate` share of labels to a different class chosen uniformly (symmetric noise).
    /// Returns the noisy labels and the flipped positions.
    public static func flipLabels(_ labels: [Int32], classes: Int, rate: Double, seed: UInt64) -> (labels: [Int32], flipped: [Int]) {
        precondition(rate >= 0 && rate <= 1, "flipLabels: rate \(rate) outside [0, 1]")
        var rng = RandomGenerator(seed: seed)
        var out = labels
        var order = Array(labels.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let flipped = Array(order.prefix(Int((Double(labels.count) * rate).rounded()))).sorted()
        for i in flipped {
            let shift = 1 + Int(rng.next() % UInt64(classes - 1))
            out[i] = Int32((Int(labels[i]) + shift) % classes)
        }
        return (out, flipped)
    }
}
