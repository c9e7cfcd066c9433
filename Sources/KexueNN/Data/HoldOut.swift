/// Seeded held-out splits of a labelled set, so that hyper-parameters (τ, the flood level b) are
/// tuned on validation data and never on the test set.
public enum HoldOut {
    /// `perClass` examples of every class, drawn without replacement (same seed, same split).
    /// Returns sorted indices of the held-out part and of the rest.
    public static func balanced(labels: [Int32], classes: Int, perClass: Int, seed: UInt64) throws -> (heldOut: [Int], rest: [Int]) {
        let byClass = try LongTail.indicesByClass(labels, classes: classes)
        var rng = RandomGenerator(seed: seed)
        var held: [Int] = []
        for (k, pool) in byClass.enumerated() {
            guard pool.count > perClass else {
                throw LongTailError("class \(k) has \(pool.count) examples: cannot hold out \(perClass) and keep some for training")
            }
            held += LongTail.seededPrefix(pool, perClass, using: &rng)
        }
        let heldSet = Set(held)
        return (held.sorted(), labels.indices.filter { !heldSet.contains($0) })
    }

    /// A random `fraction` of `count` examples (rounded), seeded.
    public static func random(count: Int, fraction: Double, seed: UInt64) throws -> (heldOut: [Int], rest: [Int]) {
        guard fraction > 0 && fraction < 1 else { throw LongTailError("held-out fraction must be in (0, 1), got \(fraction)") }
        return try random(count: count, size: Int((Double(count) * fraction).rounded()), seed: seed)
    }

    /// `size` of `count` examples drawn without replacement, seeded.
    public static func random(count: Int, size: Int, seed: UInt64) throws -> (heldOut: [Int], rest: [Int]) {
        guard size >= 0 && size <= count else { throw LongTailError("cannot draw \(size) of \(count) examples") }
        var rng = RandomGenerator(seed: seed)
        let held = LongTail.seededPrefix(Array(0..<count), size, using: &rng)
        let heldSet = Set(held)
        return (held.sorted(), (0..<count).filter { !heldSet.contains($0) })
    }
}
