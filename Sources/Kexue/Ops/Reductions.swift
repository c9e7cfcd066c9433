/// Sums, means, variances, extrema and log-sum-exp over axes.
extension Tensor {
    fileprivate func reduceAxis(_ kind: AxisReduce.Kind, _ axis: Int, name: String) -> Tensor {
        precondition(dtype.isFloatingPoint, "\(name): needs a floating-point tensor, got \(dtype)")
        let a = Shape.axis(axis, rank: rank, op: name)
        let (outer, size, inner) = Shape.around(shape, axis: a)
        var outShape = shape
        outShape[a] = 1
        let out = Tensor(uninitializedShape: outShape, dtype: dtype)
        if dtype == .float32 {
            AxisReduce.run(kind, pointer(Float.self), out.pointer(Float.self), outer: outer, size: size, inner: inner)
        } else {
            AxisReduce.run(kind, pointer(Double.self), out.pointer(Double.self), outer: outer, size: size, inner: inner)
        }
        return out
    }

    fileprivate func normalisedAxes(_ axes: [Int]?, _ name: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let a = axes.map { Shape.axis($0, rank: rank, op: name) }
        precondition(Set(a).count == a.count, "\(name): repeated axis in \(axes)")
        return a.sorted()
    }

    fileprivate func dropping(_ axes: [Int], from kept: Tensor, keepDims: Bool) -> Tensor {
        if keepDims { return kept }
        return kept.reshaped(shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
    }

    /// Sum over `axes` (all when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = normalisedAxes(axes, "sum")
        var r = self.detached()
        for a in ax { r = r.reduceAxis(.sum, a, name: "sum") }
        let out = dropping(ax, from: r, keepDims: keepDims)
        let shape = self.shape
        return record(Tensor(shape: out.shape, dtype: out.dtype, storage: out.storage), .sum, [self]) { g, _ in
            var kept = shape
            for a in ax { kept[a] = 1 }
            return [g.reshaped(kept).broadcast(to: shape)]
        }
    }

    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let ax = normalisedAxes(axes, "mean")
        let n = ax.map { shape[$0] }.reduce(1, *)
        return sum(axes: ax, keepDims: keepDims) / Double(Swift.max(n, 1))
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Variance over `axes`; `unbiased` divides by n − 1 (PyTorch's default is unbiased; BatchNorm
    /// and LayerNorm use the biased form).
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, unbiased: Bool = false) -> Tensor {
        let ax = normalisedAxes(axes, "variance")
        let n = ax.map { shape[$0] }.reduce(1, *)
        let centred = self - mean(axes: ax, keepDims: true)
        return (centred * centred).sum(axes: ax, keepDims: keepDims) / Double(Swift.max(unbiased ? n - 1 : n, 1))
    }

    fileprivate func extremum(_ kind: AxisReduce.Kind, _ axis: Int, keepDims: Bool, op: Op, name: String) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: name)
        let kept = reduceAxis(kind, a, name: name)
        let out = dropping([a], from: kept, keepDims: keepDims)
        // The gradient goes to the first position attaining the extremum (as PyTorch's max(dim)).
        let idx = argExtremum(kind, a)
        return record(out, op, [self]) { g, _ in
            [Tensor.zeros(self.shape, dtype: self.dtype).scatterAdd(axis: a, indices: idx, source: g.reshaped(kept.shape))]
        }
    }

    public func max(axis: Int, keepDims: Bool = false) -> Tensor { extremum(.max, axis, keepDims: keepDims, op: .max, name: "max") }
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { extremum(.min, axis, keepDims: keepDims, op: .min, name: "min") }

    /// Index of the first maximum along `axis`, as Int32 (NaN counts as the maximum).
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "argmax")
        let idx = argExtremum(.max, a)
        return keepDims ? idx : idx.reshaped(shape.enumerated().filter { $0.offset != a }.map(\.element))
    }

    public func argmin(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "argmin")
        let idx = argExtremum(.min, a)
        return keepDims ? idx : idx.reshaped(shape.enumerated().filter { $0.offset != a }.map(\.element))
    }

    /// Int32 indices along axis `a` with shape keeping `a` as 1.
    fileprivate func argExtremum(_ kind: AxisReduce.Kind, _ a: Int) -> Tensor {
        precondition(shape[a] > 0, "argmax/argmin: empty axis \(a) in shape \(shape)")
        let (outer, size, inner) = Shape.around(shape, axis: a)
        var outShape = shape
        outShape[a] = 1
        let out = Tensor(uninitializedShape: outShape, dtype: .int32)
        let v = doubles
        let o32 = out.pointer(Int32.self)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = 0
                var bv = v[o * size * inner + i]
                if !bv.isNaN {
                    for s in 1..<size {
                        let x = v[(o * size + s) * inner + i]
                        if x.isNaN || (kind == .max ? x > bv : x < bv) {
                            best = s; bv = x
                            if x.isNaN { break }
                        }
                    }
                }
                o32[o * inner + i] = Int32(best)
            }
        }
        return out
    }

    /// log Σ exp over `axis`, stable (shifted by the maximum).
    public func logsumexp(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "logsumexp")
        let m = withoutGrad { reduceAxis(.max, a, name: "logsumexp") }
        let safeM = withoutGrad { m.pointwise("logsumexp", f32: { x, y, n in for i in 0..<n { y[i] = x[i].isFinite ? x[i] : 0 } },
                                                f64: { $0.isFinite ? $0 : 0 }) }
        let lse = (self - safeM).exp().sum(axes: [a], keepDims: true).log() + safeM
        return keepDims ? lse : lse.reshaped(shape.enumerated().filter { $0.offset != a }.map(\.element))
    }
}
