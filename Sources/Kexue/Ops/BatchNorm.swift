/// Batch normalisation over axis 1 of [N, C] or [N, C, *] tensors, fused, with a hand-written
/// backward — as PyTorch's `F.batch_norm`.
///
/// Training normalises with the batch mean and biased variance, and updates the running
/// statistics in place with the *unbiased* variance:
/// running ← (1 − momentum)·running + momentum·batch. Evaluation normalises with the running
/// statistics. Running statistics are state, not variables: they must not require grad.
public func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                      training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) -> Tensor {
    precondition(x.dtype.isFloatingPoint && x.rank >= 2, "batchNorm: input must be a float [N, C, …] tensor, got \(x.dtype) \(x.shape)")
    let (n, c) = (x.shape[0], x.shape[1])
    let s = x.shape.dropFirst(2).reduce(1, *)
    for (name, p) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVar", runningVar)] {
        if let p { precondition(p.shape == [c] && p.dtype == x.dtype, "batchNorm: \(name) must be [\(c)] \(x.dtype), got \(p.dtype) \(p.shape)") }
    }
    precondition((runningMean == nil) == (runningVar == nil), "batchNorm: pass both running statistics or neither")
    precondition(!(runningMean?.requiresGrad ?? false) && !(runningVar?.requiresGrad ?? false),
                 "batchNorm: running statistics must not require grad")
    precondition(training || runningMean != nil, "batchNorm: evaluation mode needs running statistics")
    precondition(!training || n * s > 1, "batchNorm: training needs more than one value per channel, got input \(x.shape)")

    let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    let mean = Tensor(uninitializedShape: [c], dtype: x.dtype)
    let invstd = Tensor(uninitializedShape: [c], dtype: x.dtype)
    if x.dtype == .float32 {
        batchNormForward(Float.self, x, out, mean, invstd, runningMean, runningVar, weight, bias, training, momentum, eps, n, c, s)
    } else {
        batchNormForward(Double.self, x, out, mean, invstd, runningMean, runningVar, weight, bias, training, momentum, eps, n, c, s)
    }
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    return record(out, .batchNorm, inputs) { g, needs in
        let dx = needs[0] ? Tensor(uninitializedShape: x.shape, dtype: x.dtype) : nil
        let dw = weight.map { Tensor(uninitializedShape: $0.shape, dtype: $0.dtype) }
        let db = bias.map { Tensor(uninitializedShape: $0.shape, dtype: $0.dtype) }
        if x.dtype == .float32 {
            BatchNormKernel.backward(x.pointer(Float.self), g.pointer(Float.self), mean: mean.pointer(Float.self),
                                     invstd: invstd.pointer(Float.self), weight?.pointer(Float.self), batchStatistics: training,
                                     dx: dx?.pointer(Float.self), dw: dw?.pointer(Float.self), db: db?.pointer(Float.self), n: n, c: c, s: s)
        } else {
            BatchNormKernel.backward(x.pointer(Double.self), g.pointer(Double.self), mean: mean.pointer(Double.self),
                                     invstd: invstd.pointer(Double.self), weight?.pointer(Double.self), batchStatistics: training,
                                     dx: dx?.pointer(Double.self), dw: dw?.pointer(Double.self), db: db?.pointer(Double.self), n: n, c: c, s: s)
        }
        var grads: [Tensor?] = [dx]
        if weight != nil { grads.append(dw) }
        if bias != nil { grads.append(db) }
        return grads
    }
}

/// Fills `mean` and `invstd` (from the batch or the running statistics), updates the running
/// statistics in training, and writes the normalised output.
private func batchNormForward<T: KexueFloat>(_: T.Type, _ x: Tensor, _ out: Tensor, _ mean: Tensor, _ invstd: Tensor,
                                             _ runningMean: Tensor?, _ runningVar: Tensor?, _ weight: Tensor?, _ bias: Tensor?,
                                             _ training: Bool, _ momentum: Double, _ eps: Double, _ n: Int, _ c: Int, _ s: Int) {
    let mu = mean.pointer(T.self), rs = invstd.pointer(T.self)
    if training {
        let variance = Scratch<T>(c)
        BatchNormKernel.statistics(x.pointer(T.self), mean: mu, variance: variance.pointer, n: n, c: c, s: s)
        let v = variance.pointer
        if let runningMean, let runningVar {
            let rm = runningMean.pointer(T.self), rv = runningVar.pointer(T.self)
            let mom = T(momentum), unbias = T(n * s) / T(n * s - 1)
            for ch in 0..<c {
                rm[ch] = (1 - mom) * rm[ch] + mom * mu[ch]
                rv[ch] = (1 - mom) * rv[ch] + mom * v[ch] * unbias
            }
        }
        for ch in 0..<c { rs[ch] = 1 / (v[ch] + T(eps)).squareRoot() }
        withExtendedLifetime(variance) {}
    } else {
        let rm = runningMean!.pointer(T.self), rv = runningVar!.pointer(T.self)
        for ch in 0..<c { mu[ch] = rm[ch]; rs[ch] = 1 / (rv[ch] + T(eps)).squareRoot() }
    }
    BatchNormKernel.normalize(x.pointer(T.self), out.pointer(T.self), mean: mu, invstd: rs,
                              weight?.pointer(T.self), bias?.pointer(T.self), n: n, c: c, s: s)
}
