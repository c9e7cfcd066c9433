/// Inverted dropout: zero each element with probability `p`, scale the rest by 1/(1 − p).
extension Tensor {
    public func dropout(_ p: Double, training: Bool = true, using rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: p = \(p) must lie in [0, 1)")
        guard training && p > 0 else { return self }
        let keep = Tensor(uninitializedShape: shape, dtype: dtype)
        let scale = 1 / (1 - p)
        for i in 0..<count {
            let v = rng.nextUniform() >= p ? scale : 0
            if dtype == .float32 { keep.pointer(Float.self)[i] = Float(v) } else { keep.pointer(Double.self)[i] = v }
        }
        return self * keep
    }
}
