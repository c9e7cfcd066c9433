/// Finite-difference gradient checking in Float64, as PyTorch's gradcheck.
///
/// The function's output is projected on a fixed random tensor R (L = Σ f(x)⊙R), so one
/// scalar tests every output element's derivative. Analytic gradients come from the tape;
/// numeric ones from central differences (L(x + εe_i) − L(x − εe_i)) / 2ε.
public struct GradCheckResult: CustomStringConvertible {
    /// Largest |analytic − numeric| − rtol·|numeric| over all elements (≤ atol passes).
    public var worstExcess: Double
    public var worstInput: Int
    public var worstIndex: Int
    public var analytic: Double
    public var numeric: Double
    /// Primitives recorded on the tape while evaluating f (for the coverage test).
    public var ops: Set<Op>
    public var passed: Bool

    public var description: String {
        passed ? "gradcheck passed (ops: \(ops.map(\.rawValue).sorted()))"
               : "gradcheck failed at input \(worstInput), element \(worstIndex): analytic \(analytic), numeric \(numeric)"
    }
}

public func gradCheck(_ inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-4,
                      seed: UInt64 = 0, _ f: ([Tensor]) -> Tensor) -> GradCheckResult {
    for x in inputs { precondition(x.dtype == .float64, "gradCheck: inputs must be float64, got \(x.dtype) \(x.shape)") }
    let vars = inputs.map { Tensor(doubles: $0.doubles, shape: $0.shape).requiringGrad() }
    let y = f(vars)
    var rng = RandomGenerator(seed: seed)
    let projection = Tensor.normal(y.shape, dtype: .float64, using: &rng)
    let loss = (y * projection).sum()
    let ops = loss.recordedOps()
    let analytic = gradients(of: loss, wrt: vars)

    func evaluate(_ values: [[Double]]) -> Double {
        withoutGrad {
            let xs = zip(values, inputs).map { Tensor(doubles: $0, shape: $1.shape) }
            return (f(xs) * projection).sum().item
        }
    }
    var result = GradCheckResult(worstExcess: -.infinity, worstInput: -1, worstIndex: -1,
                                 analytic: 0, numeric: 0, ops: ops, passed: true)
    var values = inputs.map(\.doubles)
    for (k, x) in inputs.enumerated() {
        let a = analytic[k].doubles
        for i in 0..<x.count {
            let original = values[k][i]
            values[k][i] = original + eps
            let up = evaluate(values)
            values[k][i] = original - eps
            let down = evaluate(values)
            values[k][i] = original
            let numeric = (up - down) / (2 * eps)
            let excess = Swift.abs(a[i] - numeric) - rtol * Swift.abs(numeric)
            if excess > result.worstExcess || excess.isNaN {
                result.worstExcess = excess
                result.worstInput = k
                result.worstIndex = i
                result.analytic = a[i]
                result.numeric = numeric
            }
        }
    }
    result.passed = !(result.worstExcess > atol) && !result.worstExcess.isNaN
    return result
}

extension Tensor {
    /// The primitive ops on the tape below this tensor.
    public func recordedOps() -> Set<Op> {
        var seen = Set<ObjectIdentifier>(), ops = Set<Op>()
        var stack = [self]
        while let t = stack.popLast() {
            guard let node = t.node, seen.insert(ObjectIdentifier(t)).inserted else { continue }
            ops.insert(node.op)
            stack.append(contentsOf: node.inputs)
        }
        return ops
    }
}
