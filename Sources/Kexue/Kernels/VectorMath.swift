/// Float32 transcendental functions on `SIMD16<Float>`, for the elementwise hot paths.
///
/// libm's scalar `expf` keeps loops from vectorising; these are polynomial approximations
/// accurate to a few ulp, written with the Swift SIMD forms that compile to vector code
/// (DESIGN.md §3: `.replacing(with:where:)` for clamps, `zero - v` for negation, the magic-number
/// trick for rounding).
public enum VectorMath {
    public typealias V = SIMD16<Float>

    /// e^x, correctly 0 below −104, +inf above 88.72, NaN for NaN.
    @inline(__always)
    public static func exp(_ x: V) -> V {
        var x = x
        x = x.replacing(with: 88.8, where: x .> 88.8)
        x = x.replacing(with: -104, where: x .< -104)
        // n = round(x / ln 2) via the 1.5·2^23 magic number; r = x − n·ln 2 in two parts.
        let magic = V(repeating: 12582912.0)
        let t = x * 1.442695041 + magic
        let n = t - magic
        var r = x - n * 0.693359375
        r = r - n * (-2.12194440e-4)
        // e^r on [−ln2/2, ln2/2], degree-6 minimax (Cephes expf).
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        // 2^n as two factors 2^(n/2)·2^(n − n/2), each a normal float for n ∈ [−150, 128], so the
        // product overflows to inf and underflows through subnormals to 0 exactly as e^x should.
        let ni = SIMD16<Int32>(truncatingIfNeeded: t.bitPattern(asInt32: ())) &- 0x4B40_0000
        let half = ni &>> 1
        let s1 = V(bitPattern: (half &+ 127) &<< 23)
        let s2 = V(bitPattern: (ni &- half &+ 127) &<< 23)
        return p * s1 * s2
    }

    /// erf(x), Eigen's rational approximation (`generic_fast_erf_float`), abs. error < 2e-7.
    @inline(__always)
    public static func erf(_ x: V) -> V {
        var x = x
        x = x.replacing(with: 4, where: x .> 4)
        x = x.replacing(with: -4, where: x .< -4)
        let x2 = x * x
        var p = V(repeating: -2.72614225801306e-10)
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 + -2.10102402082508e-06
        p = p * x2 + -5.69250639462346e-05
        p = p * x2 + -7.34990630326855e-04
        p = p * x2 + -2.95459980854025e-03
        p = p * x2 + -1.60960333262415e-02
        p = p * x
        var q = V(repeating: -1.45660718464996e-05)
        q = q * x2 + -2.13374055278905e-04
        q = q * x2 + -1.68282697438203e-03
        q = q * x2 + -7.37332916720468e-03
        q = q * x2 + -1.42647390514189e-02
        return p / q
    }

    /// tanh(x) = 1 − 2/(e^{2x} + 1), with x itself near 0 where that form loses precision.
    @inline(__always)
    public static func tanh(_ x: V) -> V {
        let e = exp(x + x)
        let t = 1 - 2 / (e + 1)
        return t.replacing(with: x, where: abs(x) .< 0.0004)
    }

    /// 1/(1 + e^{−x}).
    @inline(__always)
    public static func sigmoid(_ x: V) -> V {
        1 / (1 + exp(V.zero - x))
    }

    @inline(__always)
    static func abs(_ x: V) -> V {
        V(bitPattern: x.bitPattern(asUInt32: ()) & 0x7FFF_FFFF)
    }
}

extension SIMD16 where Scalar == Float {
    @inline(__always) func bitPattern(asInt32: ()) -> SIMD16<Int32> {
        unsafeBitCast(self, to: SIMD16<Int32>.self)
    }
    @inline(__always) func bitPattern(asUInt32: ()) -> SIMD16<UInt32> {
        unsafeBitCast(self, to: SIMD16<UInt32>.self)
    }
    @inline(__always) init(bitPattern: SIMD16<Int32>) { self = unsafeBitCast(bitPattern, to: Self.self) }
    @inline(__always) init(bitPattern: SIMD16<UInt32>) { self = unsafeBitCast(bitPattern, to: Self.self) }
}

/// Applies a SIMD16 kernel over a buffer, with a scalar-padded tail.
@inline(__always)
func simdMap(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
             _ f: (SIMD16<Float>) -> SIMD16<Float>) {
    var i = 0
    while i + 16 <= n {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: SIMD16<Float>.self)
        i += 16
    }
    if i < n {
        var v = SIMD16<Float>(repeating: 0)
        for j in 0..<(n - i) { v[j] = x[i + j] }
        let r = f(v)
        for j in 0..<(n - i) { y[i + j] = r[j] }
    }
}

/// Applies a binary SIMD16 kernel (e.g. a backward rule taking x and the upstream gradient).
@inline(__always)
func simdMap2(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
              _ f: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>) {
    var i = 0
    while i + 16 <= n {
        let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
        let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: f(va, vb), as: SIMD16<Float>.self)
        i += 16
    }
    if i < n {
        var va = SIMD16<Float>(repeating: 0), vb = SIMD16<Float>(repeating: 0)
        for j in 0..<(n - i) { va[j] = a[i + j]; vb[j] = b[i + j] }
        let r = f(va, vb)
        for j in 0..<(n - i) { y[i + j] = r[j] }
    }
}
