/// Tokenized texts padded into model inputs.
public struct TextBatch {
    public let ids: Tensor       // [B, T] int32
    public let typeIds: Tensor   // [B, T] int32
    public let keyMask: Tensor   // [B, T] float, 1 for real tokens

    /// Pads encodings to the longest one with `padId`.
    public init(_ encodings: [Encoding], padId: Int32 = 0) {
        let b = encodings.count, t = encodings.map(\.count).max() ?? 0
        var ids = [Int32](repeating: padId, count: b * t), types = [Int32](repeating: 0, count: b * t)
        var mask = [Float](repeating: 0, count: b * t)
        for (i, e) in encodings.enumerated() {
            for j in 0..<e.count {
                ids[i * t + j] = e.ids[j]
                types[i * t + j] = e.typeIds[j]
                mask[i * t + j] = 1
            }
        }
        self.ids = Tensor(indices: ids, shape: [b, t])
        self.typeIds = Tensor(indices: types, shape: [b, t])
        self.keyMask = Tensor(mask, shape: [b, t])
    }
}
