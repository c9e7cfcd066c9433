/// Binary cross-entropy from logits: softplus(x) − x·y, stable for any x (softplus is computed
/// as max(x, 0) + log(1 + e^{−|x|})).
public func binaryCrossEntropy(logits: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(logits.shape == targets.shape && logits.dtype == targets.dtype,
                 "binaryCrossEntropy: logits \(logits.dtype) \(logits.shape) and targets \(targets.dtype) \(targets.shape) must match")
    return reduce(logits.softplus() - logits * targets, reduction)
}

/// Mean squared error.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(prediction.shape == target.shape, "meanSquaredError: shapes \(prediction.shape) and \(target.shape) differ")
    let d = prediction - target
    return reduce(d * d, reduction)
}

func reduce(_ loss: Tensor, _ reduction: Reduction) -> Tensor {
    switch reduction {
    case .none: return loss
    case .mean: return loss.mean()
    case .sum: return loss.sum()
    }
}
