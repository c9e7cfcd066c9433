/// Broadcasting arithmetic. Each derivative rule reduces the upstream gradient back to the
/// input's shape with `sumTo`.
extension Tensor {
    fileprivate static func binary(_ op: BinaryOp, _ name: String, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.dtype == b.dtype, "\(name): dtypes \(a.dtype) and \(b.dtype) differ")
        precondition(a.dtype.isFloatingPoint, "\(name): needs floating-point tensors, got \(a.dtype)")
        let plan = BroadcastPlan(a.shape, b.shape, op: name)
        let out = Tensor(uninitializedShape: plan.outShape, dtype: a.dtype)
        if a.dtype == .float32 {
            broadcastBinary(op, a.pointer(Float.self), b.pointer(Float.self), out.pointer(Float.self), plan: plan)
        } else {
            broadcastBinary(op, a.pointer(Double.self), b.pointer(Double.self), out.pointer(Double.self), plan: plan)
        }
        return out
    }

    /// A scalar as a 0-d tensor of this tensor's dtype.
    func scalarLike(_ v: Double) -> Tensor { Tensor(scalar: v, dtype: dtype) }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(.add, "add", a, b)
        return record(out, .add, [a, b]) { g, _ in [g.sumTo(a.shape), g.sumTo(b.shape)] }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(.sub, "sub", a, b)
        return record(out, .sub, [a, b]) { g, needs in [g.sumTo(a.shape), needs[1] ? (-g).sumTo(b.shape) : nil] }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(.mul, "mul", a, b)
        return record(out, .mul, [a, b]) { g, needs in
            [needs[0] ? (g * b).sumTo(a.shape) : nil, needs[1] ? (g * a).sumTo(b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = binary(.div, "div", a, b)
        return record(out, .div, [a, b]) { [unowned out] g, needs in
            [needs[0] ? (g / b).sumTo(a.shape) : nil,
             needs[1] ? (-(g * out) / b).sumTo(b.shape) : nil]
        }
    }

    /// Elementwise maximum; the gradient goes to `a` where a ≥ b (ties to a), else to b.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = binary(.maximum, "maximum", a, b)
        return record(out, .maximum, [a, b]) { [unowned out] g, needs in
            let takeA = (a.broadcast(to: out.shape) .>= b.broadcast(to: out.shape))
            return [needs[0] ? (g * takeA).sumTo(a.shape) : nil,
                    needs[1] ? (g * (1 - takeA)).sumTo(b.shape) : nil]
        }
    }

    /// Elementwise minimum; the gradient goes to `a` where a ≤ b (ties to a), else to b.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = binary(.minimum, "minimum", a, b)
        return record(out, .minimum, [a, b]) { [unowned out] g, needs in
            let takeA = (a.broadcast(to: out.shape) .<= b.broadcast(to: out.shape))
            return [needs[0] ? (g * takeA).sumTo(a.shape) : nil,
                    needs[1] ? (g * (1 - takeA)).sumTo(b.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor { x * x.scalarLike(-1) }

    public static func + (a: Tensor, b: Double) -> Tensor { a + a.scalarLike(b) }
    public static func + (a: Double, b: Tensor) -> Tensor { b.scalarLike(a) + b }
    public static func - (a: Tensor, b: Double) -> Tensor { a - a.scalarLike(b) }
    public static func - (a: Double, b: Tensor) -> Tensor { b.scalarLike(a) - b }
    public static func * (a: Tensor, b: Double) -> Tensor { a * a.scalarLike(b) }
    public static func * (a: Double, b: Tensor) -> Tensor { b.scalarLike(a) * b }
    public static func / (a: Tensor, b: Double) -> Tensor { a * a.scalarLike(1 / b) }
    public static func / (a: Double, b: Tensor) -> Tensor { b.scalarLike(a) / b }

    /// Sums a broadcast gradient back to `shape` (the inverse of broadcasting).
    public func sumTo(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = shape.count - target.count
        precondition(lead >= 0, "sumTo: cannot reduce \(shape) to \(target)")
        var axes: [Int] = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        let reduced = axes.isEmpty ? self : sum(axes: axes, keepDims: true)
        return reduced.reshaped(target)
    }

    /// Materialises broadcasting to `shape` (used by derivative rules and masks).
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        return self + Tensor.zeros(target, dtype: dtype)
    }
}

/// Comparisons give 0/1 tensors of the left operand's dtype (no gradient).
infix operator .>= : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .== : ComparisonPrecedence

extension Tensor {
    fileprivate static func compare(_ a: Tensor, _ b: Tensor, _ name: String, _ f: (Double, Double) -> Bool) -> Tensor {
        // Float32 against a tensor of the same shape or a scalar (masks such as x > 0): one pass
        // without widening both operands to [Double] first.
        if a.dtype == .float32 && b.dtype == .float32 && (b.shape == a.shape || (b.count == 1 && b.shape.count <= a.shape.count)) {
            let out = Tensor(uninitializedShape: a.shape, dtype: .float32)
            let x = a.pointer(Float.self), y = b.pointer(Float.self), o = out.pointer(Float.self)
            let scalar = b.shape != a.shape
            parallelChunks(a.count, grain: 32768) { r in
                for i in r { o[i] = f(Double(x[i]), Double(scalar ? y[0] : y[i])) ? 1 : 0 }
            }
            return out
        }
        let ad = a.doubles, bd = b.doubles
        let plan = BroadcastPlan(a.shape, b.shape, op: name)
        let out = Tensor(uninitializedShape: plan.outShape, dtype: a.dtype == .int32 ? .float32 : a.dtype)
        let inner = plan.innerCount
        let ia = plan.stridesA.last!, ib = plan.stridesB.last!
        var values = [Double](repeating: 0, count: out.count)
        for row in 0..<plan.outerCount {
            let (oa, ob) = plan.offsets(row: row)
            for i in 0..<inner { values[row * inner + i] = f(ad[oa + i * ia], bd[ob + i * ib]) ? 1 : 0 }
        }
        if out.dtype == .float32 { for i in 0..<values.count { out.pointer(Float.self)[i] = Float(values[i]) } }
        else { for i in 0..<values.count { out.pointer(Double.self)[i] = values[i] } }
        return out
    }

    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ">=") { $0 >= $1 } }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "<=") { $0 <= $1 } }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(a, b, ">") { $0 > $1 } }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "<") { $0 < $1 } }
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "==") { $0 == $1 } }
    public static func .>= (a: Tensor, b: Double) -> Tensor { a .>= a.scalarLike(b) }
    public static func .<= (a: Tensor, b: Double) -> Tensor { a .<= a.scalarLike(b) }
    public static func .> (a: Tensor, b: Double) -> Tensor { a .> a.scalarLike(b) }
    public static func .< (a: Tensor, b: Double) -> Tensor { a .< a.scalarLike(b) }
    public static func .== (a: Tensor, b: Double) -> Tensor { a .== a.scalarLike(b) }
}
