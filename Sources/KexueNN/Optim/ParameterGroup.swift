/// A parameter as optimizers see it: a dotted path (`encoder.layer.0.attention.self.query.weight`)
/// and the tensor itself. Optimizers update `tensor` in place, so the model sees the change.
///
/// Names are the keys of optimizer state (`<name>.<slot>`), which is why optimizers take named
/// parameters rather than bare tensors: a checkpoint stays readable and survives reordering.
public typealias NamedParameter = (name: String, tensor: Tensor)

/// Parameters that share hyper-parameters (PyTorch's `param_groups`).
///
/// `nil` hyper-parameters follow the optimizer's defaults, so changing `optimizer.learningRate`
/// (e.g. from a schedule) moves every group that did not set its own.
public struct ParameterGroup {
    public var parameters: [NamedParameter]
    /// This group's learning rate; `nil` uses the optimizer's `learningRate`.
    public var learningRate: Double?
    /// This group's weight decay; `nil` uses the optimizer's `weightDecay`.
    public var weightDecay: Double?

    public init(parameters: [NamedParameter], learningRate: Double? = nil, weightDecay: Double? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}
