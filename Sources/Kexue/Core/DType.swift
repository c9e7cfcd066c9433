/// Element types a tensor can hold.
///
/// Compute runs in `float32`; the core ops also run in `float64` so gradient checks use double
/// precision (as PyTorch's gradcheck does). `int32` holds token ids, labels and indices.
public enum DType: String, Sendable, CustomStringConvertible {
    case float32, float64, int32

    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64: return 8
        }
    }

    public var isFloatingPoint: Bool { self != .int32 }
    public var description: String { rawValue }
}

/// The floating-point element types the generic (reference) kernels run on.
public protocol KexueFloat: BinaryFloatingPoint, SIMDScalar, Sendable
where Self.RawSignificand: FixedWidthInteger {
    static var dtype: DType { get }
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Float: KexueFloat {
    public static var dtype: DType { .float32 }
    @inline(__always) public static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) public static func erf(_ x: Float) -> Float { erff(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) public static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    @inline(__always) public static func log1p(_ x: Float) -> Float { log1pf(x) }
    @inline(__always) public static func expm1(_ x: Float) -> Float { expm1f(x) }
}

extension Double: KexueFloat {
    public static var dtype: DType { .float64 }
    @inline(__always) public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) public static func erf(_ x: Double) -> Double { Glibc.erf(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
    @inline(__always) public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    @inline(__always) public static func expm1(_ x: Double) -> Double { Glibc.expm1(x) }
}
