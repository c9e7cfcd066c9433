import Foundation

/// Tensors ↔ safetensors files. Float16/BFloat16 (and Float64 unless asked to keep it) load as
/// Float32; I64/I32 load as Int32 (range-checked by the reader).
public enum SafeTensors {
    /// Every tensor in the file, by name.
    public static func load(_ url: URL, keepFloat64: Bool = false) throws -> [String: Tensor] {
        let file = try SafeTensorsFile(contentsOf: url)
        var out: [String: Tensor] = [:]
        for e in file.entries {
            switch e.dtype {
            case .F64 where keepFloat64:
                out[e.name] = Tensor(doubles: try file.doubles(e.name), shape: e.shape)
            case .F64, .F32, .F16, .BF16:
                out[e.name] = Tensor(try file.floats(e.name), shape: e.shape)
            case .I64, .I32, .I16, .I8, .U8, .BOOL:
                out[e.name] = Tensor(indices: try file.int32s(e.name), shape: e.shape)
            }
        }
        return out
    }

    /// Writes tensors (sorted by name) atomically.
    public static func save(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
        var writer = SafeTensorsWriter(metadata: metadata)
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            let bytes = Data(bytes: t.storage.data, count: t.count * t.dtype.byteSize)
            let dtype: SafeTensorsDType = t.dtype == .float32 ? .F32 : (t.dtype == .float64 ? .F64 : .I32)
            try writer.add(name, dtype: dtype, shape: t.shape, bytes: bytes)
        }
        try writer.write(to: url)
    }
}
