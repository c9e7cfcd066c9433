/// Rescales gradients so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`, and returns the norm before clipping.
///
///     total = √(Σ over all parameters, all elements of g²)     (parameters with grad == nil ignored)
///     g ← g · min(1, maxNorm / (total + 1e-6))                 (every gradient, in place)
///
/// The 1e-6 keeps the division finite for all-zero gradients, and means a norm just above
/// `maxNorm` is scaled to slightly *below* it, exactly as PyTorch does.
///
/// A non-finite norm (an inf or NaN anywhere in a gradient) is returned as is, and the gradients
/// are left untouched: PyTorch would multiply them by 0 or NaN, hiding where the problem came from.
/// Check `norm.isFinite` and skip the step (or stop) — the caller decides, nothing is hidden.
///
/// Squares are summed in fixed 4096-element blocks (Float32 lanes), blocks are added in order in
/// Double, so the result does not depend on the thread count.
@discardableResult
public func clipGradNorm(_ parameters: [NamedParameter], maxNorm: Double) -> Double {
    clipGradNorm(parameters.map(\.tensor), maxNorm: maxNorm)
}

/// `clipGradNorm` over bare tensors (their `grad`s).
@discardableResult
public func clipGradNorm(_ tensors: [Tensor], maxNorm: Double) -> Double {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm must be ≥ 0, got \(maxNorm)")
    let grads = tensors.compactMap(\.grad)
    let total = grads.reduce(0.0) { $0 + sumOfSquares($1) }.squareRoot()
    guard total.isFinite else { return total }
    let coefficient = min(1, maxNorm / (total + 1e-6))
    if coefficient < 1 {
        for g in grads { scale(g, by: coefficient) }
    }
    return total
}

extension Optimizer {
    /// `clipGradNorm` over every parameter this optimizer updates.
    @discardableResult
    public func clipGradNorm(maxNorm: Double) -> Double {
        KexueNN.clipGradNorm(namedParameters, maxNorm: maxNorm)
    }
}

private let sumBlock = 4096

/// Σ x², in Double across blocks.
private func sumOfSquares(_ t: Tensor) -> Double {
    let n = t.count
    let blocks = (n + sumBlock - 1) / sumBlock
    var partial = [Double](repeating: 0, count: blocks)
    partial.withUnsafeMutableBufferPointer { out in
        let out = out.baseAddress!
        switch t.dtype {
        case .float32:
            let x = t.pointer(Float.self)
            parallelChunks(blocks, grain: 16) { range in
                for block in range {
                    let lo = block * sumBlock, hi = min(n, lo + sumBlock)
                    var acc = SIMD16<Float>.zero
                    var i = lo
                    while i + 16 <= hi {
                        let v = x.load16(i)
                        acc += v * v
                        i += 16
                    }
                    var s = Double(acc.sum())
                    while i < hi { s += Double(x[i] * x[i]); i += 1 }
                    out[block] = s
                }
            }
        case .float64:
            let x = t.pointer(Double.self)
            parallelChunks(blocks, grain: 16) { range in
                for block in range {
                    var s = 0.0
                    for i in (block * sumBlock)..<min(n, (block + 1) * sumBlock) { s += x[i] * x[i] }
                    out[block] = s
                }
            }
        case .int32:
            preconditionFailure("clipGradNorm: integer gradient")
        }
    }
    return partial.reduce(0, +)
}

/// x ← x · c in place. The coefficient is rounded to the gradient's precision once, as PyTorch does.
private func scale(_ t: Tensor, by coefficient: Double) {
    let n = t.count
    switch t.dtype {
    case .float32:
        let x = t.pointer(Float.self), c = Float(coefficient)
        let blocks = n / 16
        parallelChunks(blocks, grain: 4096) { range in
            for block in range { x.store16(c * x.load16(block &* 16), block &* 16) }
        }
        for i in (blocks * 16)..<n { x[i] *= c }
    case .float64:
        let x = t.pointer(Double.self)
        parallelChunks(n, grain: 65536) { range in
            for i in range { x[i] *= coefficient }
        }
    case .int32:
        preconditionFailure("clipGradNorm: integer gradient")
    }
}
