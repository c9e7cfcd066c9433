// Reading safetensors files. The whole header is validated before any tensor byte is touched, with
// the same acceptance rule as the Rust `safetensors` crate (which the Python library and HF
// transformers use): header length ≤ 100 MB and inside the file; a JSON object; every tensor's
// `end - begin == numel * size` without overflow; tensors sorted by offsets tile the data section
// exactly from 0 to its end — no overlap, no hole, no trailing bytes.
import Foundation

/// A validated safetensors file, memory-mapped where the system allows it.
public struct SafeTensorsFile {
    /// The path used in error messages.
    public let path: String
    /// Tensor descriptions in name order.
    public let entries: [SafeTensorsEntry]
    /// The `__metadata__` map (empty if absent).
    public let metadata: [String: String]
    /// Byte offset of the data section in the file (8 + header length).
    public let dataSectionOffset: Int

    private let bytes: Data
    private let index: [String: Int]

    /// The Rust crate's limit; a larger header is far more likely an attack or corruption than a model.
    public static let maxHeaderLength = 100_000_000

    /// Opens and validates `url`. Throws `SafeTensorsError` naming the file and offending key.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            // Mapping keeps a multi-gigabyte checkpoint out of RAM until its tensors are asked for.
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError(.io, file: url.path, "cannot read file: \(error.localizedDescription)")
        }
        try self.init(data: data, path: url.path)
    }

    /// Validates an in-memory safetensors image; `path` is only used in error messages.
    public init(data: Data, path: String = "<memory>") throws {
        self.path = path
        self.bytes = data
        func fail(_ kind: SafeTensorsError.Kind, key: String? = nil, _ message: String) -> SafeTensorsError {
            SafeTensorsError(kind, file: path, key: key, message)
        }

        let fileSize = data.count
        guard fileSize >= 8 else {
            throw fail(.headerTooSmall, "file is \(fileSize) bytes, too short for the 8-byte header length")
        }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(Self.maxHeaderLength) else {
            throw fail(.headerTooLarge, "header length \(headerLength) exceeds the \(Self.maxHeaderLength)-byte limit")
        }
        let n = Int(headerLength)  // safe: ≤ 100 MB
        guard 8 + n <= fileSize else {
            throw fail(.headerLengthPastEnd, "header length \(n) runs past the end of the \(fileSize)-byte file")
        }
        let start = data.startIndex
        let headerBytes = data[(start + 8) ..< (start + 8 + n)]
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(headerBytes), options: [])
        } catch {
            throw fail(.headerNotJSON, "header is not valid JSON")
        }
        guard let object = json as? [String: Any] else { throw fail(.headerNotJSON, "header is not a JSON object") }

        let dataLength = fileSize - 8 - n
        var metadata: [String: String] = [:]
        var entries: [SafeTensorsEntry] = []
        for key in object.keys.sorted() {
            let value = object[key]!
            if key == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail(.invalidEntry, key: key, "must be an object of strings") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail(.invalidEntry, key: key, "value of '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail(.invalidEntry, key: key, "entry is not a JSON object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail(.invalidEntry, key: key, "missing or non-string \"dtype\"") }
            guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw fail(.unknownDType, key: key, "unknown dtype \"\(dtypeName)\"")
            }
            guard let shapeArray = info["shape"] as? [Any] else { throw fail(.invalidShape, key: key, "missing or non-array \"shape\"") }
            var shape: [Int] = []
            for dim in shapeArray {
                guard let d = Self.nonNegativeInt(dim) else {
                    throw fail(.invalidShape, key: key, "shape \(Self.render(shapeArray)) must hold non-negative integers")
                }
                shape.append(d)
            }
            guard let offsetArray = info["data_offsets"] as? [Any], offsetArray.count == 2,
                  let begin = Self.nonNegativeInt(offsetArray[0]), let end = Self.nonNegativeInt(offsetArray[1])
            else {
                let shown = (info["data_offsets"] as? [Any]).map(Self.render) ?? "missing"
                throw fail(.invalidOffsets, key: key, "data_offsets \(shown) must be two non-negative integers")
            }
            guard begin <= end else { throw fail(.invalidOffsets, key: key, "data_offsets [\(begin), \(end)] end before they begin") }
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail(.overflow, key: key, "shape \(shape) overflows the element count") }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow else { throw fail(.overflow, key: key, "shape \(shape) × \(dtype.byteSize) bytes overflows") }
            guard end - begin == byteCount else {
                throw fail(.sizeMismatch, key: key,
                           "data_offsets [\(begin), \(end)] span \(end - begin) bytes but \(dtype.rawValue) \(shape) needs \(byteCount)")
            }
            guard end <= dataLength else {
                throw fail(.offsetsPastEnd, key: key,
                           "data_offsets [\(begin), \(end)] run past the end of the \(dataLength)-byte data section")
            }
            entries.append(SafeTensorsEntry(name: key, dtype: dtype, shape: shape, byteRange: begin ..< end))
        }

        // Coverage, as the Rust crate checks it: sorted by offsets, each tensor starts where the previous ended.
        let byOffset = entries.sorted { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        var covered = 0
        var previous: String?
        for e in byOffset {
            let r = e.byteRange
            if r.lowerBound < covered {
                throw fail(.overlap, key: e.name,
                           "data_offsets [\(r.lowerBound), \(r.upperBound)] overlap the previous tensor '\(previous ?? "")'")
            }
            if r.lowerBound > covered {
                throw fail(.gap, key: e.name,
                           "data_offsets [\(r.lowerBound), \(r.upperBound)] leave bytes \(covered)..<\(r.lowerBound) covered by no tensor")
            }
            covered = r.upperBound
            previous = e.name
        }
        guard covered == dataLength else {
            throw fail(.trailingBytes, "data section is \(dataLength) bytes but tensors cover only \(covered)")
        }

        self.entries = entries
        self.metadata = metadata
        self.dataSectionOffset = 8 + n
        self.index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.name, $0) })
    }

    // MARK: - Access

    /// The header entry for `name`.
    public func entry(_ name: String) throws -> SafeTensorsEntry {
        guard let i = index[name] else { throw SafeTensorsError(.tensorNotFound, file: path, key: name, "no such tensor") }
        return entries[i]
    }

    /// The tensor's raw little-endian bytes.
    public func rawBytes(_ name: String) throws -> Data {
        let e = try entry(name)
        let base = bytes.startIndex + dataSectionOffset
        return bytes.subdata(in: (base + e.byteRange.lowerBound) ..< (base + e.byteRange.upperBound))
    }

    /// Float32 values; F16, BF16 and F64 are converted (F64 rounds to nearest Float).
    public func floats(_ name: String) throws -> [Float] {
        let e = try entry(name)
        switch e.dtype {
        case .F32: return load(e, UInt32.self) { Float(bitPattern: $0) }
        case .F16: return load(e, UInt16.self) { HalfPrecision.float(fromHalf: $0) }
        case .BF16: return load(e, UInt16.self) { HalfPrecision.float(fromBFloat: $0) }
        case .F64: return load(e, UInt64.self) { Float(Double(bitPattern: $0)) }
        default: throw wrongType(e, wanted: "floating-point (F64, F32, F16, BF16)")
        }
    }

    /// Float64 values; F32, F16 and BF16 are widened exactly.
    public func doubles(_ name: String) throws -> [Double] {
        let e = try entry(name)
        switch e.dtype {
        case .F64: return load(e, UInt64.self) { Double(bitPattern: $0) }
        case .F32: return load(e, UInt32.self) { Double(Float(bitPattern: $0)) }
        case .F16: return load(e, UInt16.self) { Double(HalfPrecision.float(fromHalf: $0)) }
        case .BF16: return load(e, UInt16.self) { Double(HalfPrecision.float(fromBFloat: $0)) }
        default: throw wrongType(e, wanted: "floating-point (F64, F32, F16, BF16)")
        }
    }

    /// Int64 values from any integer or BOOL dtype.
    public func int64s(_ name: String) throws -> [Int64] {
        let e = try entry(name)
        switch e.dtype {
        case .I64: return load(e, UInt64.self) { Int64(bitPattern: $0) }
        case .I32: return load(e, UInt32.self) { Int64(Int32(bitPattern: $0)) }
        case .I16: return load(e, UInt16.self) { Int64(Int16(bitPattern: $0)) }
        case .I8: return load(e, UInt8.self) { Int64(Int8(bitPattern: $0)) }
        case .U8, .BOOL: return load(e, UInt8.self) { Int64($0) }
        default: throw wrongType(e, wanted: "integer or BOOL")
        }
    }

    /// Int32 values; I64 (HF stores token ids and position ids that way) must fit in Int32.
    public func int32s(_ name: String) throws -> [Int32] {
        let e = try entry(name)
        if e.dtype == .I32 { return load(e, UInt32.self) { Int32(bitPattern: $0) } }
        let wide = try int64s(name)
        var out = [Int32]()
        out.reserveCapacity(wide.count)
        for (i, v) in wide.enumerated() {
            guard let narrow = Int32(exactly: v) else {
                throw SafeTensorsError(.valueOutOfRange, file: path, key: name, "element \(i) = \(v) does not fit in Int32")
            }
            out.append(narrow)
        }
        return out
    }

    // MARK: - Helpers

    /// Reads little-endian words of type `W` and maps them; unaligned loads because nothing promises
    /// that a third-party writer aligned the data.
    private func load<W: FixedWidthInteger, T>(_ e: SafeTensorsEntry, _: W.Type, _ convert: (W) -> T) -> [T] {
        let count = e.byteRange.count / MemoryLayout<W>.size
        let offset = dataSectionOffset + e.byteRange.lowerBound
        return bytes.withUnsafeBytes { raw in
            [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0 ..< count {
                    buffer[i] = convert(W(littleEndian: raw.loadUnaligned(fromByteOffset: offset + i * MemoryLayout<W>.size, as: W.self)))
                }
                initialized = count
            }
        }
    }

    private func wrongType(_ e: SafeTensorsEntry, wanted: String) -> SafeTensorsError {
        SafeTensorsError(.wrongDType, file: path, key: e.name, "dtype \(e.dtype.rawValue) is not \(wanted)")
    }

    /// JSON numbers arrive as NSNumber (or Int); accept only exact non-negative integers, so 1.5,
    /// -3 and 1e300 are all rejected rather than truncated.
    private static func nonNegativeInt(_ value: Any) -> Int? {
        // Foundation bridges JSON true/false to NSNumber too; its "c" (char) type tells them apart.
        if let n = value as? NSNumber, String(cString: n.objCType) == "c" { return nil }
        if let i = value as? Int { return i >= 0 ? i : nil }
        return nil
    }

    private static func render(_ array: [Any]) -> String {
        "[" + array.map { "\($0)" }.joined(separator: ", ") + "]"
    }
}
