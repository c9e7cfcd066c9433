/// Splitting parameters into a weight-decay group and a no-decay group, as BERT and most
/// transformer recipes do (HF's `no_decay = ["bias", "LayerNorm.weight"]`, generalised).
extension ParameterGroup {
    /// The default rule for parameters exempt from weight decay. A parameter is exempt when any of:
    ///
    /// 1. its tensor has rank ≤ 1 — biases, and the gains/shifts of every normalisation layer
    ///    (LayerNorm, BatchNorm, GroupNorm), which are vectors whatever they are called;
    /// 2. its name ends in `bias` (`attention.output.dense.bias`, `conv.bias`);
    /// 3. a component of its dotted name, lower-cased, contains `norm` (`LayerNorm`, `layer_norm`,
    ///    `norm1`, `batchnorm`) or is `bn` alone or followed by digits or `_…` (`bn`, `bn1`, `bn_2`).
    ///
    /// Rule 1 already covers every standard normalisation parameter; rules 2–3 catch the unusual
    /// ones (a rank-2 bias, a normalisation layer with matrix-shaped state). Names are matched per
    /// dotted component, not as raw substrings, so `subnet.weight` is not caught by `bn`; but a
    /// component such as `normalizer_proj` does contain `norm` — pass your own rule if that is
    /// wrong for your model. Everything else (matrices, convolution kernels, embeddings) decays.
    public static func isExemptFromDecay(_ parameter: NamedParameter) -> Bool {
        if parameter.tensor.rank <= 1 { return true }
        if parameter.name.hasSuffix("bias") { return true }
        for component in parameter.name.split(separator: ".") {
            let c = component.lowercased()
            if c.contains("norm") { return true }
            if c.hasPrefix("bn") {
                let rest = c.dropFirst(2)
                if rest.isEmpty || rest.hasPrefix("_") || rest.allSatisfy(\.isNumber) { return true }
            }
        }
        return false
    }

    /// Two groups: `[decay, noDecay]`, in that order and always both (either may be empty). The
    /// decay group gets `weightDecay`, the other `0`; both share `learningRate` (nil = optimizer
    /// default). Parameters keep their input order within each group.
    public static func decayGroups(
        _ parameters: [NamedParameter],
        weightDecay: Double,
        learningRate: Double? = nil,
        isExempt: (NamedParameter) -> Bool = ParameterGroup.isExemptFromDecay
    ) -> [ParameterGroup] {
        var decay: [NamedParameter] = [], noDecay: [NamedParameter] = []
        for p in parameters {
            if isExempt(p) { noDecay.append(p) } else { decay.append(p) }
        }
        return [
            ParameterGroup(parameters: decay, learningRate: learningRate, weightDecay: weightDecay),
            ParameterGroup(parameters: noDecay, learningRate: learningRate, weightDecay: 0),
        ]
    }
}
