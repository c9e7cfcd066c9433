/// Inverted dropout: zero each element with probability `p`, scale the rest by 1/(1 − p).
extension Tensor {
    public func dropout(_ p: Double, training: Bool = true, using rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout: p = \(p) must lie in [0, 1)")
        guard training && p > 0 else { return self }
        let keep = Tensor(uninitializedShape: shape, dtype: dtype)
        let scale = 1 / (1 - p)
        // One draw per element in order (the same numbers at any thread count); pointers hoisted
        // out of the loop (fetching them per element cost more than the generator).
        if dtype == .float32 {
            let out = keep.pointer(Float.self), s = Float(scale)
            for i in 0..<count { out[i] = rng.nextUniform() >= p ? s : 0 }
        } else {
            let out = keep.pointer(Double.self)
            for i in 0..<count { out[i] = rng.nextUniform() >= p ? scale : 0 }
        }
        return self * keep
    }
}
