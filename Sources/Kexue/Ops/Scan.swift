/// Cumulative sum along an axis. Its derivative is the reversed cumulative sum of the gradient.
extension Tensor {
    public func cumsum(axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "cumsum")
        let out = scan(axis: a, reverse: false)
        return record(out, .cumsum, [self]) { g, _ in [g.scan(axis: a, reverse: true)] }
    }

    fileprivate func scan(axis a: Int, reverse: Bool) -> Tensor {
        precondition(dtype.isFloatingPoint, "cumsum: needs a floating-point tensor, got \(dtype)")
        let (outer, size, inner) = Shape.around(shape, axis: a)
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        func run<T: KexueFloat>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>) {
            for o in 0..<outer {
                for i in 0..<inner {
                    var acc: T = 0
                    for step in 0..<size {
                        let s = reverse ? size - 1 - step : step
                        let j = (o * size + s) * inner + i
                        acc += x[j]
                        y[j] = acc
                    }
                }
            }
        }
        if dtype == .float32 { run(pointer(Float.self), out.pointer(Float.self)) }
        else { run(pointer(Double.self), out.pointer(Double.self)) }
        return out
    }
}
