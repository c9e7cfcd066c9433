/// Adam with decoupled weight decay, as `torch.optim.AdamW` (Loshchilov & Hutter):
///
///     p ← p − lr·wd·p                               (before the Adam step, if wd ≠ 0)
///     then the `Adam` update with no decay in the gradient.
///
/// The default weight decay is PyTorch's 0.01. Use `ParameterGroup.decayGroups` to exempt biases
/// and normalisation weights. State slots: `exp_avg`, `exp_avg_sq`, `step`.
public final class AdamW: TableBackedOptimizer {
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let table: ParameterTable

    public init(_ groups: [ParameterGroup], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        AdamRule<Float>.validate(betas: betas, epsilon: epsilon, optimizer: "AdamW")
        (beta1, beta2) = betas
        self.epsilon = epsilon
        table = ParameterTable(groups: groups, learningRate: learningRate, weightDecay: weightDecay,
                               slotNames: ["exp_avg", "exp_avg_sq"], countsSteps: true, optimizer: "AdamW")
    }

    public convenience init(_ parameters: [NamedParameter], learningRate: Double = 1e-3,
                            betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8, weightDecay: Double = 0.01) {
        self.init([ParameterGroup(parameters: parameters)], learningRate: learningRate, betas: betas,
                  epsilon: epsilon, weightDecay: weightDecay)
    }

    public func step() {
        table.step { AdamRule<Float>.update($0, beta1: beta1, beta2: beta2, epsilon: epsilon, decoupled: true) }
    }
}
