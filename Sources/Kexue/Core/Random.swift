import Synchronization

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Random ops draw sequentially from one generator on the calling thread, so the same seed gives
/// the same numbers on every run and every thread count.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var z = seed
        func splitMix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal (Box–Muller; one value per call, both uniforms drawn).
    @inline(__always)
    public mutating func nextNormal() -> Double {
        var u1 = nextUniform()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = nextUniform()
        return (-2 * Double.log(u1)).squareRoot() * Double.cos2pi(u2)
    }

    /// An independent generator derived from this one (e.g. one per data-loader epoch).
    public mutating func split() -> RandomGenerator { RandomGenerator(seed: next()) }
}

extension Double {
    @inline(__always) static func cos2pi(_ u: Double) -> Double {
        #if canImport(Glibc)
        return Glibc.cos(2 * Double.pi * u)
        #else
        return Foundation.cos(2 * Double.pi * u)
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The process-wide default generator, for scripts and examples. Library code that must be
/// reproducible takes a generator argument instead.
public enum Random {
    private static let state = Mutex(RandomGenerator(seed: 0))

    public static func seed(_ seed: UInt64) {
        state.withLock { $0 = RandomGenerator(seed: seed) }
    }

    /// Runs `body` with exclusive use of the global generator.
    public static func withGlobal<R>(_ body: (inout RandomGenerator) -> R) -> R {
        state.withLock { body(&$0) }
    }
}
