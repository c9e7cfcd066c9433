/// Reshapes (views over the same storage) and axis permutations (copies).
extension Tensor {
    /// The same elements in a new shape; one dimension may be −1 (inferred). A view: no copy.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        let inferred = newShape.filter { $0 == -1 }.count
        precondition(inferred <= 1, "reshape: more than one -1 in \(newShape)")
        if inferred == 1 {
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) into \(newShape)")
            target = newShape.map { $0 == -1 ? count / known : $0 }
        }
        precondition(target.reduce(1, *) == count && target.allSatisfy { $0 >= 0 },
                     "reshape: cannot reshape \(shape) (\(count) elements) into \(newShape)")
        if target == shape && !requiresGrad { return self }
        let out = Tensor(shape: target, dtype: dtype, storage: storage)
        let original = shape
        return record(out, .reshape, [self]) { g, _ in [g.reshaped(original)] }
    }

    public func reshaped(_ dims: Int...) -> Tensor { reshaped(dims) }

    /// Inserts a size-1 axis at `axis`.
    public func unsqueezed(_ axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank + 1, op: "unsqueeze")
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Removes a size-1 axis.
    public func squeezed(_ axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "squeeze")
        precondition(shape[a] == 1, "squeeze: axis \(axis) of shape \(shape) is not 1")
        var s = shape
        s.remove(at: a)
        return reshaped(s)
    }

    /// Flattens axes from `startAxis` on into one.
    public func flattened(from startAxis: Int = 0) -> Tensor {
        let a = Shape.axis(startAxis, rank: Swift.max(rank, 1), op: "flatten")
        return reshaped(Array(shape[..<a]) + [shape[a...].reduce(1, *)])
    }

    /// Reorders axes: output axis i is input axis `order[i]`. Copies.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.count == rank && Set(order) == Set(0..<rank),
                     "permute: \(order) is not a permutation of the \(rank) axes of \(shape)")
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        let inStrides = Shape.strides(shape)
        let strides = order.map { inStrides[$0] }
        let elem = dtype.byteSize
        let src = storage.data, dst = out.storage.data
        let inner = outShape.last!
        let innerStride = strides.last!
        let rows = out.count / Swift.max(inner, 1)
        let dims = Array(outShape.dropLast()), rowStrides = Array(strides.dropLast())
        parallelChunks(rows, grain: Swift.max(1, 16384 / Swift.max(inner, 1))) { range in
            for row in range {
                var r = row, off = 0
                for d in stride(from: dims.count - 1, through: 0, by: -1) {
                    off += (r % dims[d]) * rowStrides[d]
                    r /= dims[d]
                }
                let o = dst + row * inner * elem
                if innerStride == 1 {
                    o.copyMemory(from: src + off * elem, byteCount: inner * elem)
                } else if elem == 4 {
                    let s4 = (src + off * 4).assumingMemoryBound(to: UInt32.self)
                    let d4 = o.assumingMemoryBound(to: UInt32.self)
                    for i in 0..<inner { d4[i] = s4[i * innerStride] }
                } else {
                    let s8 = (src + off * 8).assumingMemoryBound(to: UInt64.self)
                    let d8 = o.assumingMemoryBound(to: UInt64.self)
                    for i in 0..<inner { d8[i] = s8[i * innerStride] }
                }
            }
        }
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return record(out, .permute, [self]) { g, _ in [g.permuted(inverse)] }
    }

    public func permuted(_ order: Int...) -> Tensor { permuted(order) }

    /// Swaps two axes (a copy). `transposed()` swaps the last two.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        let x = Shape.axis(a, rank: rank, op: "transpose"), y = Shape.axis(b, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(x, y)
        return permuted(order)
    }
}
