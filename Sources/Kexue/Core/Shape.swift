/// Shape arithmetic: validation, strides, broadcasting and axis normalisation.
///
/// Misuse is a programming error and stops with a message that names the op and both shapes,
/// as PyTorch's errors do.
public enum Shape {
    static func validate(_ shape: [Int]) {
        for d in shape where d < 0 {
            preconditionFailure("Tensor: negative dimension in shape \(shape)")
        }
    }

    /// Row-major strides in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var s = Array(repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    static func flatIndex(_ index: [Int], shape: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) has rank \(index.count), tensor shape \(shape)")
        var flat = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of range for shape \(shape)")
            flat = flat * d + i
        }
        return flat
    }

    /// NumPy broadcasting of two shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let n = max(a.count, b.count)
        var out = Array(repeating: 0, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da }
            else if da == 1 { out[i] = db }
            else { preconditionFailure("\(op): shapes \(a) and \(b) cannot be broadcast together") }
        }
        return out
    }

    /// A possibly negative axis as an index into `rank` dimensions.
    public static func axis(_ axis: Int, rank: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(op): axis \(axis) out of range for rank \(rank)")
        return a
    }

    /// Splits `shape` around `axis` into (outer, size, inner) element counts.
    static func around(_ shape: [Int], axis: Int) -> (outer: Int, size: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
