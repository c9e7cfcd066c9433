#if canImport(Glibc)
import Glibc
#endif

/// Adamax (Adam with an infinity norm), as `torch.optim.Adamax` — which is also the update NVAE
/// trains with (its `thirdparty/adamax.py`, coupled weight decay, ε = 1e-3 there). With t the
/// parameter's own step count:
///
///     g ← g + wd·p                        (coupled weight decay, if wd ≠ 0)
///     m ← m + (1 − β1)·(g − m)
///     u ← max(β2·u, |g| + ε)              (ε inside the max, not added to the denominator)
///     p ← p − lr/(1 − β1^t) · m / u
///
/// State slots: `exp_avg` (m), `exp_inf` (u), `step` (t).
public final class Adamax: TableBackedOptimizer {
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let table: ParameterTable

    public init(_ groups: [ParameterGroup], learningRate: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0) {
        AdamRule<Float>.validate(betas: betas, epsilon: epsilon, optimizer: "Adamax")
        (beta1, beta2) = betas
        self.epsilon = epsilon
        table = ParameterTable(groups: groups, learningRate: learningRate, weightDecay: weightDecay,
                               slotNames: ["exp_avg", "exp_inf"], countsSteps: true, optimizer: "Adamax")
    }

    public convenience init(_ parameters: [NamedParameter], learningRate: Double = 2e-3,
                            betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.init([ParameterGroup(parameters: parameters)], learningRate: learningRate, betas: betas,
                  epsilon: epsilon, weightDecay: weightDecay)
    }

    public func step() {
        table.step { u in
            switch u.parameter.dtype {
            case .float32: applyElementwise(rule(Float.self, u), parameter: u.parameter, gradient: u.gradient, slots: u.slots)
            case .float64: applyElementwise(rule(Double.self, u), parameter: u.parameter, gradient: u.gradient, slots: u.slots)
            case .int32: preconditionFailure("Adamax: integer parameter")
            }
        }
    }

    private func rule<T: KexueFloat>(_: T.Type, _ u: ParameterTable.Update) -> AdamaxRule<T> {
        AdamaxRule(weightDecay: T(u.weightDecay), oneMinusBeta1: T(1 - beta1), beta2: T(beta2),
                   epsilon: T(epsilon), stepSize: T(u.learningRate / (1 - pow(beta1, Double(u.step)))))
    }
}

/// `a` is the first moment m, `b` the exponentially weighted infinity norm u.
struct AdamaxRule<Scalar: KexueFloat>: ElementwiseRule {
    let weightDecay, oneMinusBeta1, beta2, epsilon: Scalar
    /// lr / (1 − β1^t)
    let stepSize: Scalar

    @inline(__always)
    func apply<L: UpdateLanes>(_ p: inout L, _ g: L, _ a: inout L, _ b: inout L) where L.Scalar == Scalar {
        var g = g
        if weightDecay != 0 { g = g + weightDecay * p }
        a = a + oneMinusBeta1 * (g - a)
        b = (beta2 * b).nanPropagatingMax(g.absoluteValue + epsilon)
        p = p - stepSize * (a / b)
    }
}
