/// Update rules written once, run on three lane types: 16 Float lanes (the body of a Float32
/// parameter), one Float (its tail) and one Double (Float64 parameters). Each lane type does the
/// same IEEE operations in the same order, so the SIMD body and the scalar tail agree bit for bit
/// and a result never depends on where a thread's chunk starts.
protocol UpdateLanes {
    associatedtype Scalar: KexueFloat
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    static func + (a: Self, b: Scalar) -> Self
    static func * (a: Scalar, b: Self) -> Self
    static func / (a: Self, b: Scalar) -> Self
    func squareRoot() -> Self
    /// |x|.
    var absoluteValue: Self { get }
    /// The larger of `self` and `other`, NaN if either is NaN (`torch.maximum`).
    func nanPropagatingMax(_ other: Self) -> Self
}

extension Float: UpdateLanes {
    typealias Scalar = Float
    @inline(__always) var absoluteValue: Float { Swift.abs(self) }
    @inline(__always) func nanPropagatingMax(_ other: Float) -> Float {
        isNaN || other.isNaN ? self + other : (other > self ? other : self)
    }
}

extension Double: UpdateLanes {
    typealias Scalar = Double
    @inline(__always) var absoluteValue: Double { Swift.abs(self) }
    @inline(__always) func nanPropagatingMax(_ other: Double) -> Double {
        isNaN || other.isNaN ? self + other : (other > self ? other : self)
    }
}

extension SIMD16: UpdateLanes where Scalar == Float {
    // `pointwiseMax` and unary minus compile lane by lane (DESIGN.md §3): use masks and bit ops.
    @inline(__always) var absoluteValue: SIMD16<Float> {
        SIMD16<Float>(bitPattern: bitPattern & 0x7FFF_FFFF)
    }
    @inline(__always) func nanPropagatingMax(_ other: SIMD16<Float>) -> SIMD16<Float> {
        let larger = replacing(with: other, where: other .> self)
        let unordered = .!((self .>= other) .| (self .< other))
        return larger.replacing(with: self + other, where: unordered)
    }
    @inline(__always) private var bitPattern: SIMD16<UInt32> { unsafeBitCast(self, to: SIMD16<UInt32>.self) }
    @inline(__always) private init(bitPattern: SIMD16<UInt32>) { self = unsafeBitCast(bitPattern, to: Self.self) }
}

/// One optimizer's per-element update: the parameter `p` and up to two state slots `a`, `b` are
/// updated in place from the gradient `g`. Hyper-parameters live in the conforming value, already
/// converted to `Scalar`.
protocol ElementwiseRule {
    associatedtype Scalar: KexueFloat
    func apply<L: UpdateLanes>(_ p: inout L, _ g: L, _ a: inout L, _ b: inout L) where L.Scalar == Scalar
}

/// Runs `rule` over every element of a Float32 parameter: SIMD16 blocks (split across threads for
/// large tensors; block boundaries do not depend on the thread count), then a scalar tail.
/// A rule with fewer than two slots gets zeros for the missing ones, and its writes there are dropped.
func applyElementwise<R: ElementwiseRule>(_ rule: R, parameter: Tensor, gradient: Tensor, slots: [Tensor])
where R.Scalar == Float {
    precondition(parameter.dtype == .float32 && slots.count <= 2)
    let n = parameter.count
    let P = parameter.pointer(Float.self), G = gradient.pointer(Float.self)
    let A = slots.count > 0 ? slots[0].pointer(Float.self) : nil
    let B = slots.count > 1 ? slots[1].pointer(Float.self) : nil
    let blocks = n / 16
    parallelChunks(blocks, grain: 4096) { range in
        for block in range {
            let i = block &* 16
            var p = P.load16(i)
            var a = A?.load16(i) ?? .zero, b = B?.load16(i) ?? .zero
            rule.apply(&p, G.load16(i), &a, &b)
            P.store16(p, i)
            A?.store16(a, i)
            B?.store16(b, i)
        }
    }
    for i in (blocks * 16)..<n {
        var a = A?[i] ?? 0, b = B?[i] ?? 0
        rule.apply(&P[i], G[i], &a, &b)
        A?[i] = a
        B?[i] = b
    }
}

/// The same for a Float64 parameter, one Double at a time.
func applyElementwise<R: ElementwiseRule>(_ rule: R, parameter: Tensor, gradient: Tensor, slots: [Tensor])
where R.Scalar == Double {
    precondition(parameter.dtype == .float64 && slots.count <= 2)
    let P = parameter.pointer(Double.self), G = gradient.pointer(Double.self)
    let A = slots.count > 0 ? slots[0].pointer(Double.self) : nil
    let B = slots.count > 1 ? slots[1].pointer(Double.self) : nil
    parallelChunks(parameter.count, grain: 65536) { range in
        for i in range {
            var a = A?[i] ?? 0, b = B?[i] ?? 0
            rule.apply(&P[i], G[i], &a, &b)
            A?[i] = a
            B?[i] = b
        }
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func load16(_ i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) func store16(_ v: SIMD16<Float>, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
