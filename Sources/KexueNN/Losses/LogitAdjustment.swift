import Foundation

/// Logit adjustment for long-tailed classes (Menon et al., ICLR 2021; Su's mutual-information view;
/// METHODS.md §2). Logits are read as pointwise mutual information: p(y|x) ∝ π_y·e^{f_y}, so the
/// training prior π explains what it can and the network learns only the x–y association.
public struct ClassPrior: Sendable, Equatable {
    /// log(π_k + 1e-8), π from the training labels actually used (Su's constant keeps an empty class finite).
    public let logPrior: [Double]
    public let counts: [Int]

    /// From per-class counts. A class with no examples is an error unless `allowEmptyClasses`
    /// (then its log-prior is log 1e-8 instead of −∞).
    public init(counts: [Int], allowEmptyClasses: Bool = false) throws {
        guard counts.count >= 2 else { throw LogitAdjustmentError("a prior needs at least 2 classes, got \(counts.count)") }
        if let k = counts.firstIndex(where: { $0 < 0 }) { throw LogitAdjustmentError("class \(k) has a negative count \(counts[k])") }
        if !allowEmptyClasses, let k = counts.firstIndex(of: 0) {
            throw LogitAdjustmentError("class \(k) has no training examples: its prior would be 0 (log −∞); pass allowEmptyClasses to use log(1e-8)")
        }
        let total = Double(counts.reduce(0, +))
        guard total > 0 else { throw LogitAdjustmentError("all class counts are 0") }
        self.counts = counts
        logPrior = counts.map { Foundation.log(Double($0) / total + 1e-8) }
    }

    /// From int32 labels in [0, classes).
    public init(labels: [Int32], classes: Int, allowEmptyClasses: Bool = false) throws {
        var c = [Int](repeating: 0, count: classes)
        for (i, l) in labels.enumerated() {
            guard l >= 0 && Int(l) < classes else { throw LogitAdjustmentError("label \(l) at position \(i) outside [0, \(classes))") }
            c[Int(l)] += 1
        }
        try self.init(counts: c, allowEmptyClasses: allowEmptyClasses)
    }

    public var classes: Int { logPrior.count }

    /// τ·log π as a [K] tensor of `dtype` (broadcasts over batch and leading axes).
    public func offset(tau: Double, dtype: DType = .float32) -> Tensor {
        Tensor(doubles: logPrior.map { tau * $0 }, shape: [classes]).to(dtype)
    }
}

public struct LogitAdjustmentError: Error, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Logit-adjusted cross-entropy: −log softmax(f + τ·log π)_y, i.e. CE on shifted logits.
/// Its gradient is softmax(f + τ·log π) − onehot(y). τ = 0 or a uniform prior gives plain CE.
public func logitAdjustedCrossEntropy(logits: Tensor, targets: Tensor, prior: ClassPrior, tau: Double = 1,
                                      reduction: Reduction = .mean) throws -> Tensor {
    try checkTau(tau)
    guard logits.shape.last == prior.classes else {
        throw LogitAdjustmentError("logits have \(logits.shape.last ?? 0) classes, the prior \(prior.classes)")
    }
    return crossEntropy(logits: logits + prior.offset(tau: tau, dtype: logits.dtype), targets: targets, reduction: reduction)
}

/// Which distribution predictions are for (name the mode whenever reporting accuracy).
public enum PredictionMode: String, Sendable {
    /// Balanced error: every class equally likely a priori (the default).
    case balanced
    /// Plain accuracy under the training distribution.
    case trainDistribution
}

/// How a model was trained, which decides the correction at prediction time (METHODS.md §2 table).
public enum TrainedWith: Sendable { case logitAdjustedLoss(tau: Double), plainCrossEntropy }

/// Scores whose argmax is the prediction for `mode`: an LA-loss model is already balanced
/// (add τ·log π for the training distribution); a plain-CE model is corrected post hoc
/// (subtract τ·log π for balanced error). Never adjust twice.
public func adjustedScores(_ logits: Tensor, prior: ClassPrior, trainedWith: TrainedWith, mode: PredictionMode,
                           posthocTau: Double = 1) throws -> Tensor {
    switch (trainedWith, mode) {
    case (.logitAdjustedLoss, .balanced), (.plainCrossEntropy, .trainDistribution):
        return logits
    case (.logitAdjustedLoss(let tau), .trainDistribution):
        try checkTau(tau)
        return logits + prior.offset(tau: tau, dtype: logits.dtype)
    case (.plainCrossEntropy, .balanced):
        try checkTau(posthocTau)
        return logits - prior.offset(tau: posthocTau, dtype: logits.dtype)
    }
}

/// Class weights 1/(K·π_y) for the weighted-CE baseline.
public func balancedClassWeights(_ prior: ClassPrior) -> [Double] {
    let total = Double(prior.counts.reduce(0, +)), k = Double(prior.classes)
    return prior.counts.map { $0 > 0 ? total / (k * Double($0)) : 0 }
}

func checkTau(_ tau: Double) throws {
    guard tau.isFinite && tau >= 0 else { throw LogitAdjustmentError("τ must be a finite number ≥ 0, got \(tau)") }
}
