/// Stochastic gradient descent with momentum, as `torch.optim.SGD`:
///
///     g ← g + wd·p                                  (coupled weight decay, if wd ≠ 0)
///     b ← g                      at a parameter's first update,
///     b ← μ·b + (1 − dampening)·g  afterwards        (if μ ≠ 0)
///     g ← g + μ·b  (Nesterov)   or   g ← b
///     p ← p − lr·g
///
/// State slot: `momentum_buffer` (only when momentum ≠ 0).
public final class SGD: TableBackedOptimizer {
    public let momentum: Double
    public let dampening: Double
    public let nesterov: Bool
    public let table: ParameterTable

    public init(_ groups: [ParameterGroup], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(momentum >= 0, "SGD: momentum must be ≥ 0, got \(momentum)")
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "SGD: Nesterov momentum requires momentum > 0 and zero dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        table = ParameterTable(groups: groups, learningRate: learningRate, weightDecay: weightDecay,
                               slotNames: momentum == 0 ? [] : ["momentum_buffer"], countsSteps: false,
                               optimizer: "SGD")
    }

    public convenience init(_ parameters: [NamedParameter], learningRate: Double, momentum: Double = 0,
                            dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.init([ParameterGroup(parameters: parameters)], learningRate: learningRate, momentum: momentum,
                  dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    public func step() {
        table.step { u in
            switch u.parameter.dtype {
            case .float32: applyElementwise(rule(Float.self, u), parameter: u.parameter, gradient: u.gradient, slots: u.slots)
            case .float64: applyElementwise(rule(Double.self, u), parameter: u.parameter, gradient: u.gradient, slots: u.slots)
            case .int32: preconditionFailure("SGD: integer parameter")
            }
        }
    }

    private func rule<T: KexueFloat>(_: T.Type, _ u: ParameterTable.Update) -> SGDRule<T> {
        SGDRule(learningRate: T(u.learningRate), weightDecay: T(u.weightDecay), momentum: T(momentum),
                oneMinusDampening: T(1 - dampening), nesterov: nesterov, firstUpdate: u.isFirst)
    }
}

/// `a` is the momentum buffer; `b` is unused.
struct SGDRule<Scalar: KexueFloat>: ElementwiseRule {
    let learningRate, weightDecay, momentum, oneMinusDampening: Scalar
    let nesterov, firstUpdate: Bool

    @inline(__always)
    func apply<L: UpdateLanes>(_ p: inout L, _ g: L, _ a: inout L, _ b: inout L) where L.Scalar == Scalar {
        var g = g
        if weightDecay != 0 { g = g + weightDecay * p }
        if momentum != 0 {
            a = firstUpdate ? g : momentum * a + oneMinusDampening * g
            g = nesterov ? g + momentum * a : a
        }
        p = p - learningRate * g
    }
}
