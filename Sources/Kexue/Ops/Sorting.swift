/// Sorting and top-k along an axis. Values are differentiable (a gather of the input);
/// indices are Int32. NaN sorts as the largest value, ties keep their original order.
extension Tensor {
    /// The `k` largest (or smallest) entries along `axis`, in order, with their indices.
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        let a = Shape.axis(axis, rank: rank, op: "topk")
        precondition(k >= 0 && k <= shape[a], "topk: k = \(k) out of range for axis \(axis) of \(shape)")
        let idx = sortedIndices(axis: a, descending: largest, keep: k)
        return (gather(axis: a, indices: idx), idx)
    }

    /// Sorted values along `axis` and the permutation that sorts them.
    public func sorted(axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        let a = Shape.axis(axis, rank: rank, op: "sort")
        let idx = sortedIndices(axis: a, descending: descending, keep: shape[a])
        return (gather(axis: a, indices: idx), idx)
    }

    fileprivate func sortedIndices(axis a: Int, descending: Bool, keep k: Int) -> Tensor {
        precondition(dtype.isFloatingPoint, "sort/topk: needs a floating-point tensor, got \(dtype)")
        let (outer, size, inner) = Shape.around(shape, axis: a)
        var outShape = shape
        outShape[a] = k
        let out = Tensor(uninitializedShape: outShape, dtype: .int32)
        let v = doubles
        let op = out.pointer(Int32.self)
        // NaN is the largest value; ties break by position (a stable order).
        func before(_ x: Double, _ i: Int, _ y: Double, _ j: Int) -> Bool {
            if x.isNaN || y.isNaN {
                if x.isNaN && y.isNaN { return i < j }
                return descending ? x.isNaN : y.isNaN
            }
            if x != y { return descending ? x > y : x < y }
            return i < j
        }
        var order = [Int](repeating: 0, count: size)
        var row = [Double](repeating: 0, count: size)
        for o in 0..<outer {
            for i in 0..<inner {
                for s in 0..<size { row[s] = v[(o * size + s) * inner + i]; order[s] = s }
                order.sort { before(row[$0], $0, row[$1], $1) }
                for s in 0..<k { op[(o * k + s) * inner + i] = Int32(order[s]) }
            }
        }
        return out
    }
}
