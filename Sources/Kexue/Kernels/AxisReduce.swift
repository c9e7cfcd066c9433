/// Reductions over one axis of a tensor viewed as [outer, size, inner].
///
/// Each output element is reduced by one thread in a fixed order, so results do not depend on
/// the thread count (DESIGN.md §2). Contiguous sums (inner = 1) accumulate in 16 lanes first,
/// which is both faster and more accurate than one running sum.
enum AxisReduce {
    enum Kind { case sum, max, min }

    static func run<T: KexueFloat>(_ kind: Kind, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                   outer: Int, size: Int, inner: Int) {
        parallelChunks(outer * inner, grain: max(1, 65536 / max(size, 1))) { range in
            if inner == 1 {
                for o in range { y[o] = reduceContiguous(kind, x + o * size, size) }
            } else {
                // Rows of `inner` outputs; walk each output's column over `size`.
                for idx in range {
                    let o = idx / inner, i = idx % inner
                    let base = x + o * size * inner + i
                    var acc = base[0]
                    for s in 1..<max(size, 1) {
                        let v = base[s * inner]
                        switch kind {
                        case .sum: acc += v
                        case .max: if v > acc || v.isNaN { acc = v }
                        case .min: if v < acc || v.isNaN { acc = v }
                        }
                    }
                    if size == 0 { acc = kind == .sum ? 0 : (kind == .max ? -.infinity : .infinity) }
                    y[idx] = acc
                }
            }
        }
    }

    @inline(__always)
    static func reduceContiguous<T: KexueFloat>(_ kind: Kind, _ p: UnsafePointer<T>, _ n: Int) -> T {
        if n == 0 { return kind == .sum ? 0 : (kind == .max ? -.infinity : .infinity) }
        switch kind {
        case .sum:
            var lanes = SIMD16<T>(repeating: 0)
            var i = 0
            while i + 16 <= n {
                lanes += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<T>.self)
                i += 16
            }
            var acc = lanes.sum()
            while i < n { acc += p[i]; i += 1 }
            return acc
        case .max:
            var acc = p[0]
            for i in 1..<n where p[i] > acc || p[i].isNaN { acc = p[i]; if acc.isNaN { break } }
            return acc
        case .min:
            var acc = p[0]
            for i in 1..<n where p[i] < acc || p[i].isNaN { acc = p[i]; if acc.isNaN { break } }
            return acc
        }
    }
}
