/// Elementwise choice between tensors by a mask, without arithmetic on the unselected side
/// (so −inf or NaN there never leaks in, unlike a·m + b·(1 − m)).
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.dtype == b.dtype && a.dtype.isFloatingPoint, "where: a and b must share a float dtype, got \(a.dtype), \(b.dtype)")
    let shape = Shape.broadcast(Shape.broadcast(condition.shape, a.shape, op: "where"), b.shape, op: "where")
    let c = withoutGrad { condition.to(.float64).broadcast(to: shape) }
    let out = Tensor.select(c, withoutGrad { a.broadcast(to: shape) }, withoutGrad { b.broadcast(to: shape) })
    return record(out, .where, [a, b]) { g, needs in
        let zero = g.filled(0)
        return [needs[0] ? Tensor.select(c, g, zero).sumTo(a.shape) : nil,
                needs[1] ? Tensor.select(c, zero, g).sumTo(b.shape) : nil]
    }
}

extension Tensor {
    /// out = c ≠ 0 ? a : b for same-shape operands (c is float64 0/1).
    static func select(_ c: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: a.shape, dtype: a.dtype)
        let cp = c.pointer(Double.self), n = a.count
        if a.dtype == .float32 {
            let ap = a.pointer(Float.self), bp = b.pointer(Float.self), o = out.pointer(Float.self)
            for i in 0..<n { o[i] = cp[i] != 0 ? ap[i] : bp[i] }
        } else {
            let ap = a.pointer(Double.self), bp = b.pointer(Double.self), o = out.pointer(Double.self)
            for i in 0..<n { o[i] = cp[i] != 0 ? ap[i] : bp[i] }
        }
        return out
    }

    /// Replaces elements where `mask` is non-zero by `value` (the mask broadcasts).
    public func maskedFill(_ mask: Tensor, _ value: Double) -> Tensor {
        `where`(mask, Tensor(scalar: value, dtype: dtype), self)
    }
}
