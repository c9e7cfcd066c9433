/// The training loss of a classifier as one value: the base loss (plain, logit-adjusted or
/// class-weighted cross-entropy) and optional flooding on top (METHODS.md §1–2).
///
/// `loss(logits:targets:step:)` returns the tensor to differentiate and the raw mean data loss,
/// which is what gets logged beside it (tensorfork #9: a flooded loss alone hides collapse).
public struct ClassificationObjective: Sendable {
    public enum Base: Sendable {
        case crossEntropy
        /// −log softmax(f + τ·log π)_y; predictions are then balanced as they are.
        case logitAdjusted(prior: ClassPrior, tau: Double)
        /// Cross-entropy weighted per class (w_y = 1/(K·π_y) for the usual baseline), mean over Σw.
        case weighted([Double])
    }

    public let base: Base
    public let flood: Flooding?

    public init(_ base: Base = .crossEntropy, flood: Flooding? = nil) throws {
        switch base {
        case .crossEntropy: break
        case .logitAdjusted(_, let tau): try checkTau(tau)
        case .weighted(let w):
            guard w.allSatisfy({ $0.isFinite && $0 >= 0 }), w.contains(where: { $0 > 0 }) else {
                throw LogitAdjustmentError("class weights must be finite, ≥ 0 and not all 0, got \(w)")
            }
            if flood != nil {
                // Flooding acts on the unweighted per-example mean; mixing it with class weights has no reference.
                throw LogitAdjustmentError("flooding is not defined here for class-weighted cross-entropy")
            }
        }
        self.base = base
        self.flood = flood
    }

    /// How the trained logits are read at prediction time (METHODS.md §2 table).
    public var trainedWith: TrainedWith {
        if case .logitAdjusted(_, let tau) = base { return .logitAdjustedLoss(tau: tau) }
        return .plainCrossEntropy
    }

    /// logits [B, K], targets [B] (int32) → (loss to differentiate, raw mean data loss).
    public func loss(logits: Tensor, targets: Tensor, step: Int = .max) throws -> (loss: Tensor, raw: Double) {
        let classes = logits.shape.last ?? 0
        let perExample: Tensor
        switch base {
        case .crossEntropy:
            perExample = crossEntropy(logits: logits, targets: targets, reduction: .none)
        case .logitAdjusted(let prior, let tau):
            perExample = try logitAdjustedCrossEntropy(logits: logits, targets: targets, prior: prior, tau: tau, reduction: .none)
        case .weighted(let w):
            guard w.count == classes else {
                throw LogitAdjustmentError("\(w.count) class weights for logits with \(classes) classes")
            }
            let l = crossEntropy(logits: logits, targets: targets,
                                 weights: Tensor(doubles: targets.int32s.map { w[Int($0)] }, shape: targets.shape).to(logits.dtype))
            return (l, l.item)
        }
        let raw = perExample.mean()
        let value = flood?.apply(perExample, step: step) ?? raw
        return (value, raw.item)
    }
}
