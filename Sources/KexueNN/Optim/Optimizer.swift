/// Something that updates parameters in place from their accumulated `grad`.
///
/// The loop is PyTorch's: `backward()` accumulates into each parameter's `grad`, `step()` applies
/// one update to every parameter whose `grad` is set (a parameter with `grad == nil` is skipped:
/// neither it nor its state moves), `zeroGrad()` clears the gradients for the next batch.
///
/// Learning rate of a group at a step = `(group.learningRate ?? learningRate) · learningRateMultiplier`.
/// A schedule that returns multipliers (HF's `LambdaLR` style) sets `learningRateMultiplier`, which
/// scales every group alike; a schedule that returns absolute values sets `learningRate`, which moves
/// the groups that have no learning rate of their own.
///
/// State (`stateDict()`) is a flat `[String: Tensor]` ready for safetensors:
/// `<param name>.<slot>` (e.g. `encoder.weight.exp_avg`, same shape and dtype as the parameter;
/// `<param name>.step` is a per-parameter 0-d Float64 count, as PyTorch keeps one per parameter) and
/// `step`, the optimizer's own 0-d Float64 step count. Hyper-parameters are not state: they come from
/// the code and config that build the optimizer. A parameter that has not been updated yet has no
/// entries, exactly like PyTorch's lazily created state.
public protocol Optimizer: AnyObject {
    /// The groups being optimised. Hyper-parameters may be edited; the parameters themselves are
    /// fixed when the optimizer is made (assigning groups with other parameters is a programming error).
    var parameterGroups: [ParameterGroup] { get set }
    /// Default learning rate, for groups whose `learningRate` is nil.
    var learningRate: Double { get set }
    /// Factor applied to every group's learning rate (1 unless a multiplier schedule sets it).
    var learningRateMultiplier: Double { get set }
    /// Default weight decay, for groups whose `weightDecay` is nil.
    var weightDecay: Double { get set }
    /// Number of `step()` calls so far (restored by `loadStateDict`).
    var stepCount: Int { get }

    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Clears every parameter's gradient (`grad = nil`, PyTorch's `set_to_none=True`).
    func zeroGrad()
    /// A copy of the optimizer's state, keyed as described above.
    func stateDict() -> [String: Tensor]
    /// Replaces the state with `state` (values are copied). Strict: every problem — unknown keys,
    /// wrong shapes, a parameter with some slots but not all, a missing `step` — is reported in one
    /// `OptimizerStateError`, and on error the current state is left untouched.
    func loadStateDict(_ state: [String: Tensor]) throws
}

extension Optimizer {
    public func zeroGrad() {
        for group in parameterGroups {
            for p in group.parameters { p.tensor.grad = nil }
        }
    }

    /// Every parameter of every group, in group order.
    public var namedParameters: [NamedParameter] { parameterGroups.flatMap(\.parameters) }

    /// The learning rate `step()` will use for group `index` now.
    public func effectiveLearningRate(group index: Int) -> Double {
        (parameterGroups[index].learningRate ?? learningRate) * learningRateMultiplier
    }
}

/// What was wrong with a state dictionary handed to `loadStateDict`, all problems at once.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String {
        "optimizer state does not fit this optimizer (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  - " + $0 }.joined(separator: "\n")
    }
}
