/// Reductions over one axis of a tensor viewed as [outer, size, inner].
///
/// Each output element is reduced by one thread in a fixed order, so results do not depend on
/// the thread count (DESIGN.md §2). Contiguous sums (inner = 1) accumulate in 16 lanes first,
/// which is both faster and more accurate than one running sum.
enum AxisReduce {
    enum Kind { case sum, max, min }

    static func run<T: KexueFloat>(_ kind: Kind, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                   outer: Int, size: Int, inner: Int) {
        if inner == 1 {
            parallelChunks(outer, grain: max(1, 65536 / max(size, 1))) { range in
                for o in range { y[o] = reduceContiguous(kind, x + o * size, size) }
            }
            return
        }
        if size == 0 {
            y.update(repeating: kind == .sum ? 0 : (kind == .max ? -.infinity : .infinity), count: outer * inner)
            return
        }
        // Blocks of `width` adjacent outputs, accumulated row by row over `size`: contiguous loads
        // (walking one output's column at stride `inner` missed the cache on every element). Each
        // output still folds s = 0, 1, … in order, so the bits do not depend on blocks or threads.
        let width = 256
        let blocks = (inner + width - 1) / width
        parallelChunks(outer * blocks, grain: max(1, 65536 / (size * Swift.min(width, inner)))) { range in
            for item in range {
                let o = item / blocks, lo = (item % blocks) * width, n = Swift.min(width, inner - lo)
                let out = y + o * inner + lo
                let base = x + o * size * inner + lo
                out.update(from: base, count: n)
                for s in 1..<size {
                    let row = base + s * inner
                    switch kind {
                    case .sum: for i in 0..<n { out[i] += row[i] }
                    case .max: for i in 0..<n { let v = row[i]; if v > out[i] || v.isNaN { out[i] = v } }
                    case .min: for i in 0..<n { let v = row[i]; if v < out[i] || v.isNaN { out[i] = v } }
                    }
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
        case .max, .min:
            // 16 running extrema; a NaN anywhere makes the result NaN (as PyTorch's max).
            var lanes = SIMD16<T>(repeating: p[0])
            var nan = SIMDMask<SIMD16<T>.MaskStorage>(repeating: false)
            var i = 0
            while i + 16 <= n {
                let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<T>.self)
                nan .|= v .!= v
                lanes = kind == .max ? lanes.replacing(with: v, where: v .> lanes) : lanes.replacing(with: v, where: v .< lanes)
                i += 16
            }
            if any(nan) { return .nan }
            var acc = kind == .max ? lanes.max() : lanes.min()
            while i < n {
                let v = p[i]
                if v.isNaN { return .nan }
                if kind == .max ? v > acc : v < acc { acc = v }
                i += 1
            }
            return acc
        }
    }
}

/// Float32 row kernels for softmax-like loops, written without generics so the SIMD code is
/// what the compiler sees directly.
enum RowKernels {
    typealias V = SIMD16<Float>

    /// Maximum of a row; NaN if any element is NaN.
    @inline(__always)
    static func max(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = V(repeating: -.infinity)
        var nan = V(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
            nan += v - v   // 0, or NaN once a NaN (or inf − inf) is seen
            lanes = lanes.replacing(with: v, where: v .> lanes)
            i += 16
        }
        var acc = lanes.max()
        var bad = nan.sum()
        while i < n {
            let v = p[i]
            bad += v - v
            if v > acc { acc = v }
            i += 1
        }
        // v − v is NaN for ±inf too; only a real NaN input makes the result NaN.
        if bad.isNaN {
            for j in 0..<n where p[j].isNaN { return .nan }
        }
        return acc
    }

    /// y = e^(x − shift), returns Σ y.
    @inline(__always)
    static func expShiftSum(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
        var acc = V(repeating: 0)
        var i = 0
        while i + 16 <= n {
            let e = VectorMath.exp(UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - shift)
            UnsafeMutableRawPointer(y + i).storeBytes(of: e, as: V.self)
            acc += e
            i += 16
        }
        var s = acc.sum()
        if i < n {
            var v = V(repeating: -.infinity)
            for j in 0..<(n - i) { v[j] = x[i + j] - shift }
            let e = VectorMath.exp(v)
            for j in 0..<(n - i) { y[i + j] = e[j]; s += e[j] }
        }
        return s
    }
}
