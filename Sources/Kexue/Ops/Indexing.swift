/// Index-based reads and writes: gather / scatter-add along an axis, row lookup (embeddings),
/// one-hot. Indices are Int32 tensors; an out-of-range index stops with the index and the size.
extension Tensor {
    fileprivate func checkIndices(_ idx: Tensor, bound: Int, op: String) {
        precondition(idx.dtype == .int32, "\(op): indices must be int32, got \(idx.dtype)")
        let p = idx.pointer(Int32.self)
        for i in 0..<idx.count where p[i] < 0 || Int(p[i]) >= bound {
            preconditionFailure("\(op): index \(p[i]) at position \(i) out of range [0, \(bound))")
        }
    }

    /// out[o, s, i] = self[o, idx[o, s, i], i] along `axis` (torch.gather); idx has self's rank.
    public func gather(axis: Int, indices idx: Tensor) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "gather")
        precondition(idx.rank == rank, "gather: indices \(idx.shape) must have the rank of \(shape)")
        for d in 0..<rank where d != a {
            precondition(idx.shape[d] == shape[d], "gather: indices \(idx.shape) and input \(shape) differ outside axis \(axis)")
        }
        checkIndices(idx, bound: shape[a], op: "gather")
        let (outer, size, inner) = Shape.around(shape, axis: a)
        let k = idx.shape[a]
        let out = Tensor(uninitializedShape: idx.shape, dtype: dtype)
        let ip = idx.pointer(Int32.self), e = dtype.byteSize
        let src = storage.data, dst = out.storage.data
        for o in 0..<outer {
            for s in 0..<k {
                for i in 0..<inner {
                    let j = (o * k + s) * inner + i
                    (dst + j * e).copyMemory(from: src + ((o * size + Int(ip[j])) * inner + i) * e, byteCount: e)
                }
            }
        }
        let inShape = shape
        return record(out, .gather, [self]) { g, _ in
            [Tensor.zeros(inShape, dtype: g.dtype).scatterAdd(axis: a, indices: idx, source: g)]
        }
    }

    /// A copy of self with `source` added at `indices` along `axis` (torch.scatter_add).
    public func scatterAdd(axis: Int, indices idx: Tensor, source: Tensor) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "scatterAdd")
        precondition(idx.shape == source.shape && source.dtype == dtype,
                     "scatterAdd: indices \(idx.shape) and source \(source.dtype) \(source.shape) must match, into \(dtype) \(shape)")
        for d in 0..<rank where d != a {
            precondition(idx.shape[d] == shape[d], "scatterAdd: indices \(idx.shape) and target \(shape) differ outside axis \(axis)")
        }
        checkIndices(idx, bound: shape[a], op: "scatterAdd")
        let out = withoutGrad { self.copy() }
        let (outer, size, inner) = Shape.around(shape, axis: a)
        let k = idx.shape[a]
        let ip = idx.pointer(Int32.self)
        func run<T: KexueFloat>(_ o32: UnsafeMutablePointer<T>, _ s32: UnsafePointer<T>) {
            for o in 0..<outer {
                for s in 0..<k {
                    for i in 0..<inner {
                        let j = (o * k + s) * inner + i
                        o32[(o * size + Int(ip[j])) * inner + i] += s32[j]
                    }
                }
            }
        }
        if dtype == .float32 { run(out.pointer(Float.self), source.pointer(Float.self)) }
        else { run(out.pointer(Double.self), source.pointer(Double.self)) }
        return record(out, .scatterAdd, [self, source]) { g, needs in
            [needs[0] ? g : nil, needs[1] ? g.gather(axis: a, indices: idx) : nil]
        }
    }

    /// Rows of a [N, D] table picked by `ids` of any shape → ids.shape + [D] (embedding lookup).
    /// The gradient adds each output row back into its table row.
    public func rows(_ ids: Tensor) -> Tensor {
        precondition(rank == 2, "rows: the table must be [N, D], got \(shape)")
        checkIndices(ids, bound: shape[0], op: "rows")
        let d = shape[1], e = dtype.byteSize
        let out = Tensor(uninitializedShape: ids.shape + [d], dtype: dtype)
        let ip = ids.pointer(Int32.self), src = storage.data, dst = out.storage.data
        parallelChunks(ids.count, grain: Swift.max(1, 16384 / Swift.max(d, 1))) { range in
            for i in range { (dst + i * d * e).copyMemory(from: src + Int(ip[i]) * d * e, byteCount: d * e) }
        }
        let tableShape = shape
        return record(out, .rows, [self]) { g, _ in
            let gt = Tensor.zeros(tableShape, dtype: g.dtype)
            let n = ids.count
            func run<T: KexueFloat>(_ t: UnsafeMutablePointer<T>, _ gp: UnsafePointer<T>) {
                for i in 0..<n {
                    let row = t + Int(ip[i]) * d, gr = gp + i * d
                    for j in 0..<d { row[j] += gr[j] }
                }
            }
            if g.dtype == .float32 { run(gt.pointer(Float.self), g.pointer(Float.self)) }
            else { run(gt.pointer(Double.self), g.pointer(Double.self)) }
            return [gt]
        }
    }

    /// One-hot encoding of int32 labels: labels.shape + [classes], float.
    public static func oneHot(_ labels: Tensor, classes: Int, dtype: DType = .float32) -> Tensor {
        precondition(labels.dtype == .int32, "oneHot: labels must be int32, got \(labels.dtype)")
        let out = Tensor.zeros(labels.shape + [classes], dtype: dtype)
        let lp = labels.pointer(Int32.self)
        for i in 0..<labels.count {
            let c = Int(lp[i])
            precondition(c >= 0 && c < classes, "oneHot: label \(c) at position \(i) out of range [0, \(classes))")
            if dtype == .float32 { out.pointer(Float.self)[i * classes + c] = 1 } else { out.pointer(Double.self)[i * classes + c] = 1 }
        }
        return out
    }
}
