// The vocabulary shared by the safetensors reader and writer: element types, header entries, errors,
// and the half-precision conversions. Format (https://github.com/huggingface/safetensors):
//   8 bytes   N, little-endian UInt64
//   N bytes   JSON object {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}
//   rest      the data section; offsets are relative to its start, tensors are C-order, little-endian.
import Foundation

/// Element types we read and write; raw values are the spellings used in the JSON header.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .F64, .I64: return 8
        case .F32, .I32: return 4
        case .F16, .BF16, .I16: return 2
        case .I8, .U8, .BOOL: return 1
        }
    }

    /// Position in the Rust crate's `Dtype` enum, which is declared in increasing alignment order.
    /// The writer sorts by this (descending) then by name, exactly as the reference `serialize` does,
    /// so our files are byte-identical to the Python library's and every tensor is naturally aligned.
    var referenceOrder: Int {
        switch self {
        case .BOOL: return 0
        case .U8: return 1
        case .I8: return 2
        case .I16: return 5
        case .F16: return 7
        case .BF16: return 8
        case .I32: return 9
        case .F32: return 11
        case .F64: return 12
        case .I64: return 13
        }
    }
}

/// One tensor as described by the header.
public struct SafeTensorsEntry: Equatable, Sendable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// The `data_offsets` pair: bytes relative to the start of the data section, not of the file.
    public let byteRange: Range<Int>

    /// Number of elements (1 for a scalar of shape []).
    public var count: Int { shape.reduce(1, *) }
}

/// Everything that can go wrong reading or writing a safetensors file. The description always names
/// the file and, when one is involved, the tensor key, so a bad checkpoint can be found and fixed.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        case io
        case headerTooSmall, headerTooLarge, headerLengthPastEnd, headerNotJSON
        case invalidEntry, unknownDType, invalidShape, invalidOffsets, overflow, sizeMismatch
        case offsetsPastEnd, overlap, gap, trailingBytes
        case tensorNotFound, wrongDType, valueOutOfRange, invalidInput
    }

    public let kind: Kind
    /// The file path, or "safetensors writer" for an error raised before a file is chosen.
    public let file: String
    /// The tensor (or metadata) key concerned, if any.
    public let key: String?
    public let message: String

    public init(_ kind: Kind, file: String, key: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        if let key { return "\(file): tensor '\(key)': \(message)" }
        return "\(file): \(message)"
    }
}

/// IEEE half and bfloat16 conversions, written out by hand so they work where Swift's `Float16` is
/// unavailable (macOS on Intel) and so rounding is explicit: round-to-nearest-even, like PyTorch.
enum HalfPrecision {
    static func float(fromHalf h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {  // zero or subnormal: mantissa * 2^-24
            let magnitude = Float(mantissa) * (1.0 / 16_777_216.0)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    static func half(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }  // inf, NaN
        let e = exponent - 112  // rebias 127 -> 15
        if e >= 31 { return sign | 0x7C00 }  // too large: infinity
        if e <= 0 {  // half subnormal: value / 2^-24 = (mantissa | implicit 1) >> (14 - e)
            if e < -10 { return sign }
            let full = mantissa | 0x80_0000
            let shift = UInt32(14 - e)
            var h = full >> shift
            let rest = full & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
            if rest > halfway || (rest == halfway && h & 1 == 1) { h += 1 }
            return sign | UInt16(h)
        }
        var h = (UInt32(e) << 10) | (mantissa >> 13)
        let rest = mantissa & 0x1FFF
        // A carry out of the mantissa correctly bumps the exponent (and may reach infinity).
        if rest > 0x1000 || (rest == 0x1000 && h & 1 == 1) { h += 1 }
        return sign | UInt16(h)
    }

    static func float(fromBFloat b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    static func bfloat(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x40 }  // keep it a (quiet) NaN
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}
