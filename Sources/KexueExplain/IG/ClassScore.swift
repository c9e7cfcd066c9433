import Kexue

/// Which scalar of a classifier is explained (METHODS.md §7(a)): a target class's logit or probability.
public enum ClassOutput: String, Sendable {
    case logit, probability

    /// Turns a model mapping [K, ...] → logits [K, C] into the scalar function [K, ...] → [K] that IG needs.
    /// Throws when the target is outside 0..<C (checked on each call, so a wrong target fails at the first pass).
    public func scalarFunction(target: Int, model: @escaping (Tensor) throws -> Tensor) -> (Tensor) throws -> Tensor {
        { batch in
            let logits = try model(batch)  // [K, C]
            guard logits.rank == 2, logits.shape[0] == batch.shape[0] else {
                throw IntegratedGradientsError.badOutputShape(expected: "[\(batch.shape[0]), classes]", got: logits.shape)
            }
            let classes = logits.shape[1]
            guard target >= 0, target < classes else {
                throw IntegratedGradientsError.targetOutOfRange(target: target, classes: classes)
            }
            let scores = self == .probability ? logits.softmax(axis: -1) : logits
            return scores.sliced(axis: 1, target, target + 1).reshaped([batch.shape[0]])
        }
    }
}
