import Kexue

/// The seeded Bernoulli router: r ~ Bernoulli(p), true = the successor block runs.
///
/// Stateless on purpose: the draw for (step, slot, example) is a pure function of the seed, so
/// routing replays from the seed, is unaffected by anything else that draws random numbers
/// (dropout, shuffling), and a run resumed at step t routes exactly as the uninterrupted one.
/// Slots 0..<n′ are the modules; further slots are free for extra switches (Su's embeddings).
public struct ReplacementRouter: Sendable, Equatable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// One draw: u ~ U[0, 1) from the hashed key, replaced iff u < p (so p = 0 never and p = 1
    /// always replaces).
    public func draw(step: Int, slot: Int, example: Int = -1, p: Double) -> Bool {
        uniform(step: step, slot: slot, example: example) < p
    }

    /// One draw per slot in 0..<count (one whole-batch draw per module).
    public func draws(step: Int, count: Int, p: Double) -> [Bool] {
        (0..<count).map { draw(step: step, slot: $0, p: p) }
    }

    func uniform(step: Int, slot: Int, example: Int) -> Double {
        var h = Self.mix(seed ^ 0x5448_4553_4555_5321)  // "THESEUS!"
        h = Self.mix(h ^ UInt64(bitPattern: Int64(step)))
        h = Self.mix(h ^ UInt64(bitPattern: Int64(slot)))
        h = Self.mix(h ^ UInt64(bitPattern: Int64(example)))
        return Double(h >> 11) * 0x1.0p-53
    }

    /// SplitMix64's finaliser: a bijective avalanche mix.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
