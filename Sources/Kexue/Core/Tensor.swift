/// A dense, row-major, contiguous n-dimensional array with reverse-mode autodiff.
///
/// Tensors have reference semantics: a parameter is one object shared by the model and the
/// optimizer, and `reshaped` returns a view over the same storage. Every op that sees an input
/// requiring grad records a `GradNode` (its inputs and a backward closure) on the result; see
/// `Tape.swift`.
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let dtype: DType
    public let storage: Storage
    /// Whether gradients flow to this tensor. Leaves set it explicitly; op results inherit it.
    public internal(set) var requiresGrad: Bool
    /// Accumulated gradient of a leaf after `backward()` (summed over calls until `zeroGrad`).
    public var grad: Tensor?
    /// The op that produced this tensor, when recorded.
    var node: GradNode?

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    public var isLeaf: Bool { node == nil }

    /// A tensor over fresh, uninitialised storage.
    init(uninitializedShape shape: [Int], dtype: DType) {
        Shape.validate(shape)
        self.shape = shape
        self.dtype = dtype
        self.storage = Storage(byteCount: shape.reduce(1, *) * dtype.byteSize)
        self.requiresGrad = false
    }

    /// A view sharing `storage` (reshape).
    init(shape: [Int], dtype: DType, storage: Storage) {
        self.shape = shape
        self.dtype = dtype
        self.storage = storage
        self.requiresGrad = false
    }

    // MARK: Building from Swift arrays

    public convenience init(_ values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) values do not fill shape \(shape)")
        self.init(uninitializedShape: shape, dtype: .float32)
        values.withUnsafeBufferPointer { storage.data.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 4) }
    }

    public convenience init(_ values: [Float]) { self.init(values, shape: [values.count]) }

    public convenience init(doubles values: [Double], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) values do not fill shape \(shape)")
        self.init(uninitializedShape: shape, dtype: .float64)
        values.withUnsafeBufferPointer { storage.data.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 8) }
    }

    public convenience init(indices values: [Int32], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) indices do not fill shape \(shape)")
        self.init(uninitializedShape: shape, dtype: .int32)
        values.withUnsafeBufferPointer { storage.data.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 4) }
    }

    public convenience init(indices values: [Int]) {
        self.init(indices: values.map { Int32($0) }, shape: [values.count])
    }

    /// A 0-d tensor.
    public convenience init(scalar: Double, dtype: DType = .float32) {
        self.init(uninitializedShape: [], dtype: dtype)
        switch dtype {
        case .float32: pointer(Float.self)[0] = Float(scalar)
        case .float64: pointer(Double.self)[0] = scalar
        case .int32: pointer(Int32.self)[0] = Int32(scalar)
        }
    }

    // MARK: Reading values

    /// Raw typed pointer to the elements. The caller must know `dtype`.
    @inline(__always)
    public func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.data.assumingMemoryBound(to: T.self)
    }

    @inline(__always)
    public func buffer<T>(_: T.Type) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: pointer(T.self), count: count)
    }

    /// Elements as Float (converting from any dtype).
    public var floats: [Float] {
        switch dtype {
        case .float32: return Array(buffer(Float.self))
        case .float64: return buffer(Double.self).map { Float($0) }
        case .int32: return buffer(Int32.self).map { Float($0) }
        }
    }

    /// Elements as Double (converting from any dtype).
    public var doubles: [Double] {
        switch dtype {
        case .float32: return buffer(Float.self).map { Double($0) }
        case .float64: return Array(buffer(Double.self))
        case .int32: return buffer(Int32.self).map { Double($0) }
        }
    }

    /// Elements as Int32 (index tensors; floats are truncated).
    public var int32s: [Int32] {
        switch dtype {
        case .int32: return Array(buffer(Int32.self))
        case .float32: return buffer(Float.self).map { Int32($0) }
        case .float64: return buffer(Double.self).map { Int32($0) }
        }
    }

    /// The single element of a one-element tensor.
    public var item: Double {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, not 1")
        switch dtype {
        case .float32: return Double(pointer(Float.self)[0])
        case .float64: return pointer(Double.self)[0]
        case .int32: return Double(pointer(Int32.self)[0])
        }
    }

    /// Element at a multi-index, as Double (for tests and small reads).
    public subscript(_ index: Int...) -> Double {
        let flat = Shape.flatIndex(index, shape: shape)
        switch dtype {
        case .float32: return Double(pointer(Float.self)[flat])
        case .float64: return pointer(Double.self)[flat]
        case .int32: return Double(pointer(Int32.self)[flat])
        }
    }

    // MARK: Autodiff flags

    /// Marks a leaf as a variable whose gradient `backward()` accumulates into `grad`.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        precondition(isLeaf, "requiringGrad: only leaf tensors can change requiresGrad")
        precondition(!flag || dtype.isFloatingPoint, "requiringGrad: \(dtype) tensors have no gradient")
        requiresGrad = flag
        return self
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor {
        Tensor(shape: shape, dtype: dtype, storage: storage)
    }

    public func zeroGrad() { grad = nil }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = count <= 16 ? doubles.map { dtype == .int32 ? "\(Int($0))" : "\($0)" }.joined(separator: ", ")
                                : doubles.prefix(8).map { "\($0)" }.joined(separator: ", ") + ", …"
        return "Tensor(\(dtype), shape: \(shape), [\(shown)]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}
