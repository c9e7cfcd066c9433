// Writing safetensors files that HF transformers and the Python `safetensors` library load. Layout
// mirrors the reference `serialize`: tensors ordered by dtype alignment (widest first) then name, data
// in that order, compact JSON header with `__metadata__` first, padded with spaces to a multiple of 8
// bytes so every tensor starts naturally aligned; same tensors in, same bytes out.
import Foundation

/// Collects named tensors and metadata, then writes them as one safetensors file.
public struct SafeTensorsWriter {
    /// Free-form string metadata stored under `__metadata__` (e.g. `["format": "pt"]`, which HF
    /// transformers expects for PyTorch-style checkpoints).
    public var metadata: [String: String]

    private struct Pending {
        let entry: (name: String, dtype: SafeTensorsDType, shape: [Int])
        let bytes: Data
    }
    private var tensors: [String: Pending] = [:]

    /// Errors raised before a destination is chosen use this in place of a file name.
    static let unsaved = "safetensors writer"

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor from raw little-endian bytes; `bytes.count` must equal numel × dtype size.
    public mutating func add(_ name: String, dtype: SafeTensorsDType, shape: [Int], bytes: Data) throws {
        guard name != "__metadata__" else {
            throw SafeTensorsError(.invalidInput, file: Self.unsaved, key: name, "name is reserved for metadata")
        }
        guard tensors[name] == nil else {
            throw SafeTensorsError(.invalidInput, file: Self.unsaved, key: name, "tensor added twice")
        }
        let count = try Self.elementCount(name, shape)
        let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, needed == bytes.count else {
            throw SafeTensorsError(.sizeMismatch, file: Self.unsaved, key: name,
                                   "\(bytes.count) bytes given but \(dtype.rawValue) \(shape) needs \(overflow ? "more than Int.max" : String(needed))")
        }
        tensors[name] = Pending(entry: (name, dtype, shape), bytes: bytes)
    }

    /// Adds Float32 values stored as F32, F16, BF16 (round-to-nearest-even) or F64.
    public mutating func add(_ name: String, shape: [Int], floats: [Float], as dtype: SafeTensorsDType = .F32) throws {
        let bytes: Data
        switch dtype {
        case .F32: bytes = Self.pack(floats) { $0.bitPattern }
        case .F16: bytes = Self.pack(floats) { HalfPrecision.half(from: $0) }
        case .BF16: bytes = Self.pack(floats) { HalfPrecision.bfloat(from: $0) }
        case .F64: bytes = Self.pack(floats) { Double($0).bitPattern }
        default:
            throw SafeTensorsError(.invalidInput, file: Self.unsaved, key: name, "cannot store floats as \(dtype.rawValue)")
        }
        try add(name, dtype: dtype, shape: shape, bytes: bytes)
    }

    /// Adds Float64 values stored as F64 or (rounded) F32.
    public mutating func add(_ name: String, shape: [Int], doubles: [Double], as dtype: SafeTensorsDType = .F64) throws {
        switch dtype {
        case .F64: try add(name, dtype: .F64, shape: shape, bytes: Self.pack(doubles) { $0.bitPattern })
        case .F32: try add(name, dtype: .F32, shape: shape, bytes: Self.pack(doubles) { Float($0).bitPattern })
        default:
            throw SafeTensorsError(.invalidInput, file: Self.unsaved, key: name, "cannot store doubles as \(dtype.rawValue)")
        }
    }

    /// Adds Int32 values stored as I32 or I64 (what PyTorch uses for ids).
    public mutating func add(_ name: String, shape: [Int], int32s: [Int32], as dtype: SafeTensorsDType = .I32) throws {
        switch dtype {
        case .I32: try add(name, dtype: .I32, shape: shape, bytes: Self.pack(int32s) { UInt32(bitPattern: $0) })
        case .I64: try add(name, dtype: .I64, shape: shape, bytes: Self.pack(int32s) { UInt64(bitPattern: Int64($0)) })
        default:
            throw SafeTensorsError(.invalidInput, file: Self.unsaved, key: name, "cannot store Int32 values as \(dtype.rawValue)")
        }
    }

    /// The complete file image.
    public func serialized() -> Data {
        let ordered = tensors.values.sorted {
            let (a, b) = ($0.entry, $1.entry)
            return a.dtype.referenceOrder != b.dtype.referenceOrder ? a.dtype.referenceOrder > b.dtype.referenceOrder : a.name < b.name
        }
        var parts: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(Self.jsonString($0)):\(Self.jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{" + fields.joined(separator: ",") + "}")
        }
        var offset = 0
        for t in ordered {
            let end = offset + t.bytes.count
            let shape = t.entry.shape.map(String.init).joined(separator: ",")
            parts.append("\(Self.jsonString(t.entry.name)):{\"dtype\":\"\(t.entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in ordered { out.append(t.bytes) }
        return out
    }

    /// Writes the file atomically (temporary file, fsync, rename), so a crash keeps the old file.
    public func write(to url: URL) throws {
        do {
            try AtomicFile.write(serialized(), to: url)
        } catch let error as AtomicFileError {
            throw SafeTensorsError(.io, file: url.path, error.description)
        }
    }

    // MARK: - Helpers

    private static func elementCount(_ name: String, _ shape: [Int]) throws -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw SafeTensorsError(.invalidShape, file: unsaved, key: name, "shape \(shape) has a negative dimension") }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw SafeTensorsError(.overflow, file: unsaved, key: name, "shape \(shape) overflows the element count") }
            count = p
        }
        return count
    }

    private static func pack<T, W: FixedWidthInteger>(_ values: [T], _ bits: (T) -> W) -> Data {
        var out = Data(count: values.count * MemoryLayout<W>.size)
        out.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: bits(v).littleEndian, toByteOffset: i * MemoryLayout<W>.size, as: W.self)
            }
        }
        return out
    }

    /// JSON string literal with the escapes serde_json emits (it writes non-ASCII as raw UTF-8).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
