/// An optimizer whose groups, learning rates, step count and state live in a `ParameterTable`:
/// the table supplies all of `Optimizer` except `step()`, so each optimizer file holds only its
/// update rule.
public protocol TableBackedOptimizer: Optimizer {
    var table: ParameterTable { get }
}

extension TableBackedOptimizer {
    public var parameterGroups: [ParameterGroup] {
        get { table.groups }
        set { table.setGroups(newValue) }
    }
    public var learningRate: Double {
        get { table.learningRate }
        set { table.learningRate = newValue }
    }
    public var learningRateMultiplier: Double {
        get { table.learningRateMultiplier }
        set { table.learningRateMultiplier = newValue }
    }
    public var weightDecay: Double {
        get { table.weightDecay }
        set { table.weightDecay = newValue }
    }
    public var stepCount: Int { table.stepCount }
    public func stateDict() -> [String: Tensor] { table.stateDict() }
    public func loadStateDict(_ state: [String: Tensor]) throws { try table.loadStateDict(state) }
}
