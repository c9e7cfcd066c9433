/// Tensors made from nothing: constants, ranges and seeded random draws.
extension Tensor {
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        t.storage.data.initializeMemory(as: UInt8.self, repeating: 0, count: t.count * dtype.byteSize)
        return t
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        full(1, shape: shape, dtype: dtype)
    }

    public static func full(_ value: Double, shape: [Int], dtype: DType = .float32) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        switch dtype {
        case .float32: t.buffer(Float.self).initialize(repeating: Float(value))
        case .float64: t.buffer(Double.self).initialize(repeating: value)
        case .int32: t.buffer(Int32.self).initialize(repeating: Int32(value))
        }
        return t
    }

    /// A tensor of the same shape and dtype filled with `value`.
    public func filled(_ value: Double) -> Tensor { Tensor.full(value, shape: shape, dtype: dtype) }

    /// start, start + step, … up to (not including) end.
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        precondition(step != 0, "arange: step must not be 0")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        let t = Tensor(uninitializedShape: [n], dtype: dtype)
        for i in 0..<n {
            let v = start + Double(i) * step
            switch dtype {
            case .float32: t.pointer(Float.self)[i] = Float(v)
            case .float64: t.pointer(Double.self)[i] = v
            case .int32: t.pointer(Int32.self)[i] = Int32(v)
            }
        }
        return t
    }

    /// Uniform draws in [low, high).
    public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
                               using rng: inout RandomGenerator) -> Tensor {
        precondition(dtype.isFloatingPoint, "uniform: dtype must be floating point")
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        let span = high - low
        for i in 0..<t.count {
            let v = low + span * rng.nextUniform()
            if dtype == .float32 { t.pointer(Float.self)[i] = Float(v) } else { t.pointer(Double.self)[i] = v }
        }
        return t
    }

    /// Normal draws with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, dtype: DType = .float32,
                              using rng: inout RandomGenerator) -> Tensor {
        precondition(dtype.isFloatingPoint, "normal: dtype must be floating point")
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        for i in 0..<t.count {
            let v = mean + std * rng.nextNormal()
            if dtype == .float32 { t.pointer(Float.self)[i] = Float(v) } else { t.pointer(Double.self)[i] = v }
        }
        return t
    }

    /// A copy converted to `dtype` (differentiable between float types).
    public func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = count
        switch (self.dtype, dtype) {
        case (.float32, .float64): for i in 0..<n { out.pointer(Double.self)[i] = Double(pointer(Float.self)[i]) }
        case (.float64, .float32): for i in 0..<n { out.pointer(Float.self)[i] = Float(pointer(Double.self)[i]) }
        case (.int32, .float32): for i in 0..<n { out.pointer(Float.self)[i] = Float(pointer(Int32.self)[i]) }
        case (.int32, .float64): for i in 0..<n { out.pointer(Double.self)[i] = Double(pointer(Int32.self)[i]) }
        case (.float32, .int32): for i in 0..<n { out.pointer(Int32.self)[i] = Int32(pointer(Float.self)[i]) }
        case (.float64, .int32): for i in 0..<n { out.pointer(Int32.self)[i] = Int32(pointer(Double.self)[i]) }
        default: break
        }
        guard self.dtype.isFloatingPoint && dtype.isFloatingPoint else { return out }
        let from = self.dtype
        return record(out, .cast, [self]) { g, _ in [g.to(from)] }
    }

    /// A copy with its own storage (not recorded as a new op: same values, same graph position).
    public func copy() -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        out.storage.data.copyMemory(from: storage.data, byteCount: count * dtype.byteSize)
        return record(out, .identity, [self]) { g, _ in [g] }
    }
}
