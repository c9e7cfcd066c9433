#if canImport(Glibc)
import Glibc
#endif
import CKernels

/// Pointwise functions. Float32 runs SIMD kernels split across threads; Float64 runs libm, for
/// gradient checks. Each derivative rule sits next to its function (tinygrad's lesson).
extension Tensor {
    /// y = f(x) elementwise.
    func pointwise(_ name: String,
                   f32: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                   f64: (Double) -> Double) -> Tensor {
        precondition(dtype.isFloatingPoint, "\(name): needs a floating-point tensor, got \(dtype)")
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = count
        if dtype == .float32 {
            let x = pointer(Float.self), y = out.pointer(Float.self)
            parallelChunks(n, grain: 32768) { r in f32(x + r.lowerBound, y + r.lowerBound, r.count) }
        } else {
            let x = pointer(Double.self), y = out.pointer(Double.self)
            for i in 0..<n { y[i] = f64(x[i]) }
        }
        return out
    }

    /// dx = f'(x, g) elementwise — the fused backward of a pointwise function.
    func pointwiseGrad(_ g: Tensor,
                       f32: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                       f64: (Double, Double) -> Double) -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = count
        if dtype == .float32 {
            let x = pointer(Float.self), gp = g.pointer(Float.self), y = out.pointer(Float.self)
            parallelChunks(n, grain: 32768) { r in
                f32(x + r.lowerBound, gp + r.lowerBound, y + r.lowerBound, r.count)
            }
        } else {
            let x = pointer(Double.self), gp = g.pointer(Double.self), y = out.pointer(Double.self)
            for i in 0..<n { y[i] = f64(x[i], gp[i]) }
        }
        return out
    }

    public func exp() -> Tensor {
        let y = pointwise("exp", f32: { simdMap($0, $1, $2, VectorMath.exp) }, f64: { Double.exp($0) })
        return record(y, .exp, [self]) { [unowned y] g, _ in [g * y] }
    }

    /// Natural log. Negative inputs give NaN and 0 gives −inf (IEEE, as PyTorch).
    public func log() -> Tensor {
        let y = pointwise("log", f32: { x, y, n in for i in 0..<n { y[i] = logf(x[i]) } }, f64: { Double.log($0) })
        return record(y, .log, [self]) { g, _ in [g / self] }
    }

    public func sqrt() -> Tensor {
        let y = pointwise("sqrt", f32: { x, y, n in for i in 0..<n { y[i] = x[i].squareRoot() } },
                          f64: { $0.squareRoot() })
        return record(y, .sqrt, [self]) { [unowned y] g, _ in [g * 0.5 / y] }
    }

    /// x^p for a constant exponent.
    public func pow(_ p: Double) -> Tensor {
        if p == 2 { return self * self }
        let pf = Float(p)
        let y = pointwise("pow", f32: { x, y, n in for i in 0..<n { y[i] = powf(x[i], pf) } },
                          f64: { Double.pow($0, p) })
        return record(y, .pow, [self]) { g, _ in [g * p * self.pow(p - 1)] }
    }

    public func abs() -> Tensor {
        let y = pointwise("abs", f32: { x, y, n in for i in 0..<n { y[i] = Swift.abs(x[i]) } }, f64: { Swift.abs($0) })
        return record(y, .abs, [self]) { g, _ in [g * self.sign()] }
    }

    /// −1, 0 or +1 (sign(0) = 0, as PyTorch). Its derivative is zero almost everywhere.
    public func sign() -> Tensor {
        let y = pointwise("sign", f32: { x, y, n in for i in 0..<n { y[i] = x[i] > 0 ? 1 : (x[i] < 0 ? -1 : 0) } },
                          f64: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
        return record(y, .sign, [self]) { g, _ in [g.filled(0)] }
    }

    /// Clamps to [low, high]; the gradient passes where low ≤ x ≤ high.
    public func clamp(min low: Double = -.infinity, max high: Double = .infinity) -> Tensor {
        precondition(!(low > high), "clamp: min \(low) > max \(high)")
        let lf = Float(low), hf = Float(high)
        let y = pointwise("clamp", f32: { x, y, n in for i in 0..<n { y[i] = Swift.min(Swift.max(x[i], lf), hf) } },
                          f64: { Swift.min(Swift.max($0, low), high) })
        return record(y, .clamp, [self]) { g, _ in [g * ((self .>= low) * (self .<= high))] }
    }

    public func erf() -> Tensor {
        let y = pointwise("erf", f32: { simdMap($0, $1, $2, VectorMath.erf) }, f64: { Double.erf($0) })
        return record(y, .erf, [self]) { g, _ in [g * (2 / Double.pi.squareRoot()) * (-(self * self)).exp()] }
    }

    public func tanh() -> Tensor {
        let y = pointwise("tanh", f32: { simdMap($0, $1, $2, VectorMath.tanh) }, f64: { Double.tanh($0) })
        return record(y, .tanh, [self]) { [unowned y] g, _ in [g * (1 - y * y)] }
    }

    public func sigmoid() -> Tensor {
        let y = pointwise("sigmoid", f32: { kx_sigmoid_forward($0, $1, $2) },
                          f64: { 1 / (1 + Double.exp(-$0)) })
        return record(y, .sigmoid, [self]) { [unowned y] g, _ in [g * y * (1 - y)] }
    }

    public func relu() -> Tensor {
        // A NaN passes through, as in PyTorch. Float32 runs branch-free C kernels: with random
        // signs a branching loop mispredicts every other element.
        let y = pointwise("relu", f32: { kx_relu_forward($0, $1, $2) }, f64: { $0 > 0 || $0.isNaN ? $0 : 0 })
        // One fused pass over (x, g), as PyTorch's threshold_backward: g where x > 0, else 0.
        return record(y, .relu, [self]) { g, _ in
            [self.pointwiseGrad(g, f32: { kx_relu_backward($0, $1, $2, $3) }, f64: { x, g in x > 0 ? g : 0 })]
        }
    }

    /// ELU: x for x > 0, α(e^x − 1) otherwise. Float32 runs a C kernel compiled per instruction set
    /// (libm's expm1f kept the loop scalar, and Swift SIMD is SSE2-only: elu was the slowest part of
    /// linear attention's elu+1 feature map); e^x − 1 loses relative precision only for |x| < 1e-3,
    /// where its absolute error stays below 1e-7.
    public func elu(alpha: Double = 1) -> Tensor { eluPlus(0, alpha: alpha) }

    /// elu(x) + shift in one pass (`elu + 1` is linear attention's default feature map).
    public func eluPlus(_ shift: Double, alpha: Double = 1) -> Tensor {
        let af = Float(alpha), sf = Float(shift)
        let y = pointwise("elu", f32: { kx_elu_forward($0, $1, $2, af, sf) },
                          f64: { ($0 > 0 ? $0 : alpha * Double.expm1($0)) + shift })
        return record(y, .elu, [self]) { g, _ in
            // d/dx = 1 for x > 0, α·e^x otherwise: one fused pass over (x, g).
            [self.pointwiseGrad(g, f32: { kx_elu_backward($0, $1, $2, $3, af) },
                                f64: { x, g in x > 0 ? g : g * alpha * Double.exp(x) })]
        }
    }

    /// SiLU / swish: x·σ(x).
    public func silu() -> Tensor {
        let y = pointwise("silu", f32: { kx_silu_forward($0, $1, $2) }, f64: { $0 / (1 + Double.exp(-$0)) })
        // d/dx = σ(x)·(1 + x·(1 − σ(x))): one fused pass over (x, g).
        return record(y, .silu, [self]) { g, _ in
            [self.pointwiseGrad(g, f32: { kx_silu_backward($0, $1, $2, $3) }, f64: { x, g in
                let s = 1 / (1 + Double.exp(-x))
                return g * s * (1 + x * (1 - s))
            })]
        }
    }

    /// log(1 + e^x), computed without overflow.
    public func softplus() -> Tensor {
        let y = pointwise("softplus",
                          f32: { x, y, n in for i in 0..<n { y[i] = Swift.max(x[i], 0) + log1pf(expf(-Swift.abs(x[i]))) } },
                          f64: { Swift.max($0, 0) + Double.log1p(Double.exp(-Swift.abs($0))) })
        return record(y, .softplus, [self]) { g, _ in [g * self.sigmoid()] }
    }

    public enum GELUApproximation: Sendable { case none, tanh }

    /// GELU. `.none` is the exact x·Φ(x) with erf (BERT, MiniLM); `.tanh` is the GPT-2 approximation.
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none:
            let y = pointwise("gelu", f32: { kx_gelu_forward($0, $1, $2) }, f64: GELU.exact)
            return record(y, .gelu, [self]) { g, _ in
                [self.pointwiseGrad(g, f32: { kx_gelu_backward($0, $1, $2, $3) }, f64: GELU.exactGrad)]
            }
        case .tanh:
            let y = pointwise("gelu", f32: { simdMap($0, $1, $2, GELU.tanhForm) }, f64: GELU.tanhForm)
            return record(y, .geluTanh, [self]) { g, _ in
                [self.pointwiseGrad(g, f32: { simdMap2($0, $1, $2, $3, GELU.tanhFormGrad) }, f64: GELU.tanhFormGrad)]
            }
        }
    }
}

/// GELU and its derivatives: the exact form in scalar Float64 (Float32 runs the C kernels), the
/// tanh form in SIMD Float32 and scalar Float64.
enum GELU {
    typealias V = SIMD16<Float>
    static let invSqrt2: Float = 0.70710678118654752
    static let invSqrt2Pi: Float = 0.39894228040143268
    static let sqrt2OverPi: Float = 0.79788456080286536

    static func exact(_ x: Double) -> Double { 0.5 * x * (1 + Double.erf(x / 2.0.squareRoot())) }
    static func exactGrad(_ x: Double, _ g: Double) -> Double {
        let cdf = 0.5 * (1 + Double.erf(x / 2.0.squareRoot()))
        let pdf = Double.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
        return g * (cdf + x * pdf)
    }

    @inline(__always) static func tanhForm(_ x: V) -> V {
        0.5 * x * (1 + VectorMath.tanh(sqrt2OverPi * (x + 0.044715 * x * x * x)))
    }
    @inline(__always) static func tanhFormGrad(_ x: V, _ g: V) -> V {
        let t = VectorMath.tanh(sqrt2OverPi * (x + 0.044715 * x * x * x))
        let dt = (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
        return g * (0.5 * (1 + t) + 0.5 * x * dt)
    }
    static func tanhForm(_ x: Double) -> Double {
        0.5 * x * (1 + Double.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    }
    static func tanhFormGrad(_ x: Double, _ g: Double) -> Double {
        let k = (2 / Double.pi).squareRoot()
        let t = Double.tanh(k * (x + 0.044715 * x * x * x))
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x))
    }
}
