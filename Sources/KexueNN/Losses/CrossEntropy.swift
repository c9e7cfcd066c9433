/// How per-example losses are combined.
public enum Reduction: Sendable {
    /// Per-example losses, shape of the targets (flooding per sample and iFlood need them).
    case none
    /// Mean over counted examples (those not ignored; weighted by `weights` when given).
    case mean
    case sum
}

/// Cross-entropy from logits [..., C] and int32 class targets [...], numerically stable
/// (log-softmax, never probabilities).
///
/// - `ignoreIndex`: targets equal to it contribute nothing and are not counted in the mean.
/// - `weights`: a per-position weight [...] (e.g. a seq2seq loss mask); the mean divides by Σ weights.
/// - `labelSmoothing` ε: the target distribution is (1 − ε)·onehot + ε/C (PyTorch's definition).
public func crossEntropy(logits: Tensor, targets: Tensor, ignoreIndex: Int? = nil, weights: Tensor? = nil,
                         labelSmoothing: Double = 0, reduction: Reduction = .mean) -> Tensor {
    precondition(targets.dtype == .int32, "crossEntropy: targets must be int32 class indices, got \(targets.dtype)")
    precondition(logits.rank >= 1 && Array(logits.shape.dropLast()) == targets.shape,
                 "crossEntropy: logits \(logits.shape) do not match targets \(targets.shape) (expected targets.shape + [classes])")
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: labelSmoothing \(labelSmoothing) outside [0, 1]")
    let classes = logits.shape.last!
    // Ignored positions get target 0 for the gather and weight 0 afterwards.
    var mask: Tensor? = nil
    var safeTargets = targets
    if let ignoreIndex {
        let t = targets.int32s
        let keep = t.map { Int($0) == ignoreIndex ? 0.0 : 1.0 }
        mask = Tensor(doubles: keep, shape: targets.shape).to(logits.dtype)
        safeTargets = Tensor(indices: t.map { Int($0) == ignoreIndex ? 0 : $0 }, shape: targets.shape)
    }
    for v in safeTargets.int32s where v < 0 || Int(v) >= classes {
        preconditionFailure("crossEntropy: target \(v) out of range [0, \(classes))")
    }
    if let weights {
        precondition(weights.shape == targets.shape, "crossEntropy: weights \(weights.shape) must match targets \(targets.shape)")
        mask = mask.map { $0 * weights } ?? weights
    }
    let logp = logits.logSoftmax(axis: -1)
    var loss = -logp.gather(axis: -1, indices: safeTargets.unsqueezed(-1)).squeezed(-1)
    if labelSmoothing > 0 {
        let uniform = -logp.mean(axis: -1)
        loss = (1 - labelSmoothing) * loss + labelSmoothing * uniform
    }
    if let mask { loss = loss * mask }
    switch reduction {
    case .none: return loss
    case .sum: return loss.sum()
    case .mean:
        let denominator = mask.map { $0.sum().item } ?? Double(targets.count)
        return loss.sum() / Swift.max(denominator, 1e-12)
    }
}
