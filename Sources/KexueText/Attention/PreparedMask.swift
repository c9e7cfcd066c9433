/// An attention mask ready for every layer of one forward pass: the mask as data (what linear
/// attention needs) and, for softmax attention, its additive bias [B, 1, T, S] built once rather
/// than once per layer.
public struct PreparedMask {
    public let mask: AttentionMask
    public let bias: Tensor?

    /// `needsBias`: false when no layer uses softmax attention (the O(T²) bias is never built).
    public init(_ mask: AttentionMask, batch: Int, length: Int, dtype: DType, needsBias: Bool = true) {
        self.mask = mask
        bias = needsBias ? mask.bias(batch: batch, queries: length, keys: length, dtype: dtype) : nil
    }

    /// An explicit additive bias broadcastable to [B, H, T, S] (softmax attention only).
    public init(bias: Tensor?) {
        if let bias { mask = .additive(bias) } else { mask = .padding(keyMask: nil) }
        self.bias = bias
    }
}
