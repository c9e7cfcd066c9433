/// Broadcast iteration: output index space split into an outer loop and a contiguous-or-constant
/// inner run per operand, after merging every pair of adjacent dimensions that can be merged.
struct BroadcastPlan {
    let outShape: [Int]
    /// Coalesced dimensions and per-operand element strides (0 where broadcast).
    let dims: [Int]
    let stridesA: [Int]
    let stridesB: [Int]

    init(_ a: [Int], _ b: [Int], op: String) {
        let out = Shape.broadcast(a, b, op: op)
        outShape = out
        let n = out.count
        func stridesFor(_ s: [Int]) -> [Int] {
            let padded = Array(repeating: 1, count: n - s.count) + s
            let st = Shape.strides(padded)
            return (0..<n).map { padded[$0] == 1 && out[$0] != 1 ? 0 : st[$0] }
        }
        var dims: [Int] = [], sa: [Int] = [], sb: [Int] = []
        let fa = stridesFor(a), fb = stridesFor(b)
        for i in 0..<n where out[i] != 1 {
            if let last = dims.last,
               sa.last! == fa[i] * out[i], sb.last! == fb[i] * out[i] {
                dims[dims.count - 1] = last * out[i]
                sa[sa.count - 1] = fa[i]
                sb[sb.count - 1] = fb[i]
            } else {
                dims.append(out[i]); sa.append(fa[i]); sb.append(fb[i])
            }
        }
        if dims.isEmpty { dims = [1]; sa = [0]; sb = [0] }
        self.dims = dims
        stridesA = sa
        stridesB = sb
    }

    var innerCount: Int { dims.last! }
    var outerCount: Int { dims.dropLast().reduce(1, *) }

    /// Element offsets of operand a and b at the start of outer row `row`.
    @inline(__always)
    func offsets(row: Int) -> (Int, Int) {
        var r = row, oa = 0, ob = 0
        var d = dims.count - 2
        while d >= 0 {
            let i = r % dims[d]
            r /= dims[d]
            oa += i * stridesA[d]
            ob += i * stridesB[d]
            d -= 1
        }
        return (oa, ob)
    }
}

enum BinaryOp {
    case add, sub, mul, div, maximum, minimum

    @inline(__always)
    func apply<T: KexueFloat>(_ a: T, _ b: T) -> T {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .maximum: return a >= b || b.isNaN ? (a.isNaN ? a : (a >= b ? a : b)) : b
        case .minimum: return a <= b || b.isNaN ? (a.isNaN ? a : (a <= b ? a : b)) : b
        }
    }
}

/// Float32 rows with the operation chosen outside the loop, so each loop vectorises.
@inline(__always)
func binaryRow(_ op: BinaryOp, _ pa: UnsafePointer<Float>, _ ia: Int, _ pb: UnsafePointer<Float>, _ ib: Int,
               _ po: UnsafeMutablePointer<Float>, _ n: Int) {
    switch (op, ia, ib) {
    case (.add, 1, 1): simdMap2(pa, pb, po, n, +)
    case (.sub, 1, 1): simdMap2(pa, pb, po, n, -)
    case (.mul, 1, 1): simdMap2(pa, pb, po, n, *)
    case (.div, 1, 1): simdMap2(pa, pb, po, n, /)
    case (.add, 1, 0): let s = pb[0]; simdMap(pa, po, n) { $0 + s }
    case (.sub, 1, 0): let s = pb[0]; simdMap(pa, po, n) { $0 - s }
    case (.mul, 1, 0): let s = pb[0]; simdMap(pa, po, n) { $0 * s }
    case (.div, 1, 0): let s = pb[0]; simdMap(pa, po, n) { $0 / s }
    case (.add, 0, 1): let s = pa[0]; simdMap(pb, po, n) { s + $0 }
    case (.sub, 0, 1): let s = pa[0]; simdMap(pb, po, n) { s - $0 }
    case (.mul, 0, 1): let s = pa[0]; simdMap(pb, po, n) { s * $0 }
    case (.div, 0, 1): let s = pa[0]; simdMap(pb, po, n) { s / $0 }
    default: for i in 0..<n { po[i] = op.apply(pa[i * ia], pb[i * ib]) }
    }
}

/// out = op(a, b) with broadcasting, Float32 (vectorised rows).
func broadcastBinary(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                     _ out: UnsafeMutablePointer<Float>, plan: BroadcastPlan) {
    let inner = plan.innerCount
    let ia = plan.stridesA.last!, ib = plan.stridesB.last!
    parallelChunks(plan.outerCount, grain: max(1, 32768 / max(inner, 1))) { rows in
        for row in rows {
            let (oa, ob) = plan.offsets(row: row)
            binaryRow(op, a + oa, ia, b + ob, ib, out + row * inner, inner)
        }
    }
}

/// out = op(a, b) with broadcasting, any float dtype.
func broadcastBinary<T: KexueFloat>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                    _ out: UnsafeMutablePointer<T>, plan: BroadcastPlan) {
    let inner = plan.innerCount
    let ia = plan.stridesA.last!, ib = plan.stridesB.last!
    parallelChunks(plan.outerCount, grain: max(1, 32768 / max(inner, 1))) { rows in
        for row in rows {
            let (oa, ob) = plan.offsets(row: row)
            let pa = a + oa, pb = b + ob, po = out + row * inner
            switch (ia, ib) {
            case (1, 1): for i in 0..<inner { po[i] = op.apply(pa[i], pb[i]) }
            case (1, 0): let s = pb[0]; for i in 0..<inner { po[i] = op.apply(pa[i], s) }
            case (0, 1): let s = pa[0]; for i in 0..<inner { po[i] = op.apply(s, pb[i]) }
            default: for i in 0..<inner { po[i] = op.apply(pa[i * ia], pb[i * ib]) }
            }
        }
    }
}
