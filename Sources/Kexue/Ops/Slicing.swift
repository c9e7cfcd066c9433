/// Slices, padding, concatenation, stacking and splitting along one axis.
///
/// All are the same copy: `len` consecutive positions of an axis from one tensor into another,
/// viewing both as [outer, axis, inner]; each derivative is the opposite copy.
extension Tensor {
    /// Copies positions [srcStart, srcStart+len) of `src`'s axis to [dstStart, …) of `dst`'s.
    static func copyAxisBlock(from src: Tensor, srcStart: Int, to dst: Tensor, dstStart: Int, len: Int, axis: Int) {
        let (outer, srcSize, inner) = Shape.around(src.shape, axis: axis)
        let dstSize = dst.shape[axis]
        let e = src.dtype.byteSize
        let run = len * inner * e
        if run == 0 { return }
        let s = src.storage.data, d = dst.storage.data
        parallelChunks(outer, grain: Swift.max(1, 65536 / Swift.max(run, 1))) { range in
            for o in range {
                (d + ((o * dstSize + dstStart) * inner) * e)
                    .copyMemory(from: s + ((o * srcSize + srcStart) * inner) * e, byteCount: run)
            }
        }
    }

    /// Positions [start, end) of `axis` (negative indices count from the end). Copies.
    public func sliced(axis: Int, _ start: Int, _ end: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "slice")
        let size = shape[a]
        let lo = start < 0 ? start + size : start, hi = end < 0 ? end + size : end
        precondition(0 <= lo && lo <= hi && hi <= size, "slice: range \(start)..<\(end) out of bounds for axis \(axis) of \(shape)")
        var outShape = shape
        outShape[a] = hi - lo
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        Tensor.copyAxisBlock(from: self, srcStart: lo, to: out, dstStart: 0, len: hi - lo, axis: a)
        let fullShape = shape
        return record(out, .slice, [self]) { g, _ in
            let gx = Tensor.zeros(fullShape, dtype: g.dtype)
            Tensor.copyAxisBlock(from: g, srcStart: 0, to: gx, dstStart: lo, len: hi - lo, axis: a)
            return [gx]
        }
    }

    /// Pads `axis` with `before` and `after` positions of `value`.
    public func padded(axis: Int, before: Int, after: Int, value: Double = 0) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "pad")
        precondition(before >= 0 && after >= 0, "pad: negative padding \(before), \(after)")
        var outShape = shape
        outShape[a] += before + after
        let out = Tensor.full(value, shape: outShape, dtype: dtype)
        Tensor.copyAxisBlock(from: self, srcStart: 0, to: out, dstStart: before, len: shape[a], axis: a)
        let len = shape[a]
        return record(out, .pad, [self]) { g, _ in [g.sliced(axis: a, before, before + len)] }
    }

    /// Pads several axes: `widths[i]` = (before, after) for axis i (missing trailing axes unpadded).
    public func padded(_ widths: [(Int, Int)], value: Double = 0) -> Tensor {
        precondition(widths.count <= rank, "pad: \(widths.count) widths for shape \(shape)")
        var x = self
        for (i, w) in widths.enumerated() where w.0 != 0 || w.1 != 0 {
            x = x.padded(axis: i, before: w.0, after: w.1, value: value)
        }
        return x
    }

    /// Splits `axis` into pieces of the given sizes.
    public func split(sizes: [Int], axis: Int) -> [Tensor] {
        let a = Shape.axis(axis, rank: rank, op: "split")
        precondition(sizes.reduce(0, +) == shape[a] && sizes.allSatisfy { $0 >= 0 },
                     "split: sizes \(sizes) do not add up to axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return sliced(axis: a, start, start + n)
        }
    }

    /// Splits `axis` into `parts` equal pieces.
    public func chunked(_ parts: Int, axis: Int) -> [Tensor] {
        let a = Shape.axis(axis, rank: rank, op: "chunk")
        precondition(parts > 0 && shape[a] % parts == 0, "chunk: axis \(axis) of \(shape) does not split into \(parts)")
        return split(sizes: Array(repeating: shape[a] / parts, count: parts), axis: a)
    }
}

/// Joins tensors along an existing axis.
public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concat: no tensors")
    let first = tensors[0]
    let a = Shape.axis(axis, rank: first.rank, op: "concat")
    for t in tensors {
        var s1 = t.shape, s0 = first.shape
        precondition(t.rank == first.rank && t.dtype == first.dtype, "concat: \(t.dtype) \(t.shape) does not match \(first.dtype) \(first.shape)")
        s1[a] = 0; s0[a] = 0
        precondition(s1 == s0, "concat: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
    }
    var outShape = first.shape
    outShape[a] = tensors.map { $0.shape[a] }.reduce(0, +)
    let out = Tensor(uninitializedShape: outShape, dtype: first.dtype)
    var start = 0
    var offsets: [Int] = []
    for t in tensors {
        offsets.append(start)
        Tensor.copyAxisBlock(from: t, srcStart: 0, to: out, dstStart: start, len: t.shape[a], axis: a)
        start += t.shape[a]
    }
    return record(out, .concat, tensors) { g, needs in
        tensors.indices.map { i in needs[i] ? g.sliced(axis: a, offsets[i], offsets[i] + tensors[i].shape[a]) : nil }
    }
}

/// Joins same-shape tensors along a new axis.
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "stack: no tensors")
    let a = Shape.axis(axis, rank: tensors[0].rank + 1, op: "stack")
    for t in tensors { precondition(t.shape == tensors[0].shape, "stack: shapes \(tensors[0].shape) and \(t.shape) differ") }
    return concat(tensors.map { $0.unsqueezed(a) }, axis: a)
}
