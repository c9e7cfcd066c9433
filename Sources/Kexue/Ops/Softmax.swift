/// Fused softmax and log-softmax over one axis, each with a hand-written backward
/// (checked against finite differences like every op).
extension Tensor {
    /// Runs a last-axis row kernel, moving `axis` last and back when needed.
    fileprivate func alongLastAxis(_ axis: Int, name: String, _ body: (Tensor) -> Tensor) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: name)
        if a == rank - 1 { return body(self) }
        return body(transposed(a, -1)).transposed(a, -1)
    }

    public func softmax(axis: Int = -1) -> Tensor {
        alongLastAxis(axis, name: "softmax") { $0.softmaxLastAxis() }
    }

    /// softmax(scale·x + bias) over the last axis in one pass: attention's scores, scaling and
    /// additive mask without the two intermediate [B, H, T, S] tensors. `bias` broadcasts to x
    /// (e.g. [B, 1, 1, S] key masks, [B, 1, T, S] UniLM masks) and is a constant: it gets no
    /// gradient (pass it through `softmax()` unfused if it must).
    public func softmax(scale: Double, bias: Tensor?) -> Tensor {
        precondition(dtype.isFloatingPoint && rank >= 1, "softmax(scale:bias:): needs a floating-point tensor, got \(dtype) \(shape)")
        if let bias {
            precondition(bias.dtype == dtype, "softmax(scale:bias:): bias \(bias.dtype) does not match scores \(dtype)")
            precondition(Shape.broadcast(shape, bias.shape, op: "softmax(scale:bias:)") == shape,
                         "softmax(scale:bias:): bias \(bias.shape) does not broadcast to scores \(shape)")
            precondition(!bias.requiresGrad, "softmax(scale:bias:): the bias is a constant mask; use (x * scale + bias).softmax() to differentiate it")
        }
        let n = shape[rank - 1], rows = count / Swift.max(n, 1)
        let y = Tensor(uninitializedShape: shape, dtype: dtype)
        if n > 0 {
            // The bias expanded to x's shape: the broadcast plan's coalesced inner run has one
            // stride (1, or 0 where the bias is broadcast), so row r starts at element r·n of it.
            let plan = bias.map { BroadcastPlan(shape, $0.shape, op: "softmax(scale:bias:)") }
            let biasStride = plan.map { $0.stridesB.last! } ?? 0
            let inner = plan?.innerCount ?? 1
            @inline(__always) func biasOffset(_ r: Int) -> Int {
                guard let plan else { return 0 }
                let e = r * n
                return plan.offsets(row: e / inner).1 + (e % inner) * biasStride
            }
            if dtype == .float32 {
                let x = pointer(Float.self), out = y.pointer(Float.self), b = bias?.pointer(Float.self)
                let sf = Float(scale)
                parallelChunks(rows, grain: Swift.max(1, 16384 / n)) { range in
                    for r in range {
                        kx_scaled_bias_softmax(x + r * n, b.map { $0 + biasOffset(r) }, biasStride, out + r * n, n, sf)
                    }
                }
            } else {
                let x = pointer(Double.self), out = y.pointer(Double.self), b = bias?.pointer(Double.self)
                for r in 0..<rows {
                    let o = biasOffset(r)
                    var m = -Double.infinity
                    for j in 0..<n { out[r * n + j] = scale * x[r * n + j] + (b.map { $0[o + j * biasStride] } ?? 0); m = Swift.max(m, out[r * n + j]) }
                    let shift = m.isFinite ? m : 0
                    var s = 0.0
                    for j in 0..<n { out[r * n + j] = Double.exp(out[r * n + j] - shift); s += out[r * n + j] }
                    for j in 0..<n { out[r * n + j] /= s }
                }
            }
        }
        return record(y, .scaledMaskedSoftmax, [self]) { [unowned y] g, _ in
            // dx = scale · y ⊙ (g − Σ g⊙y)
            let dx = Tensor(uninitializedShape: y.shape, dtype: y.dtype)
            let n = y.shape.last!, rows = y.count / Swift.max(n, 1)
            if y.dtype == .float32 {
                let yp = y.pointer(Float.self), gp = g.pointer(Float.self), d = dx.pointer(Float.self)
                let sf = Float(scale)
                parallelChunks(rows, grain: Swift.max(1, 16384 / Swift.max(n, 1))) { r in
                    kx_softmax_backward(yp + r.lowerBound * n, gp + r.lowerBound * n, d + r.lowerBound * n, r.count, n)
                    if sf != 1 { for i in (r.lowerBound * n)..<(r.upperBound * n) { d[i] *= sf } }
                }
            } else {
                let yp = y.pointer(Double.self), gp = g.pointer(Double.self), d = dx.pointer(Double.self)
                for i in 0..<rows {
                    var dot = 0.0
                    for j in 0..<n { dot += yp[i * n + j] * gp[i * n + j] }
                    for j in 0..<n { d[i * n + j] = scale * yp[i * n + j] * (gp[i * n + j] - dot) }
                }
            }
            return [dx]
        }
    }

    public func logSoftmax(axis: Int = -1) -> Tensor {
        alongLastAxis(axis, name: "logSoftmax") { $0.logSoftmaxLastAxis() }
    }

    fileprivate func rowLoop(_ name: String, _ f32: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                             _ f64: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void) -> Tensor {
        precondition(dtype.isFloatingPoint && rank >= 1, "\(name): needs a floating-point tensor of rank ≥ 1, got \(dtype) \(shape)")
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = shape[rank - 1], rows = count / Swift.max(n, 1)
        if n == 0 { return out }
        if dtype == .float32 {
            let x = pointer(Float.self), y = out.pointer(Float.self)
            parallelChunks(rows, grain: Swift.max(1, 16384 / n)) { r in for i in r { f32(x + i * n, y + i * n, n) } }
        } else {
            let x = pointer(Double.self), y = out.pointer(Double.self)
            for i in 0..<rows { f64(x + i * n, y + i * n, n) }
        }
        return out
    }

    fileprivate func softmaxLastAxis() -> Tensor {
        // A row of −inf (fully masked) gives NaN, as PyTorch does.
        let y = rowLoop("softmax", { x, y, n in kx_softmax_forward(x, y, 1, n) }, { x, y, n in
            let m = AxisReduce.reduceContiguous(.max, x, n)
            var s = 0.0
            for j in 0..<n { y[j] = Double.exp(x[j] - m); s += y[j] }
            for j in 0..<n { y[j] /= s }
        })
        return record(y, .softmax, [self]) { [unowned y] g, _ in
            // dx = y ⊙ (g − Σ g⊙y)
            let dx = Tensor(uninitializedShape: y.shape, dtype: y.dtype)
            let n = y.shape.last!, rows = y.count / n
            if y.dtype == .float32 {
                let yp = y.pointer(Float.self), gp = g.pointer(Float.self), d = dx.pointer(Float.self)
                parallelChunks(rows, grain: Swift.max(1, 16384 / n)) { r in
                    for i in r {
                        kx_softmax_backward(yp + i * n, gp + i * n, d + i * n, 1, n)
                    }
                }
            } else {
                let yp = y.pointer(Double.self), gp = g.pointer(Double.self), d = dx.pointer(Double.self)
                for i in 0..<rows {
                    var dot = 0.0
                    for j in 0..<n { dot += yp[i * n + j] * gp[i * n + j] }
                    for j in 0..<n { d[i * n + j] = yp[i * n + j] * (gp[i * n + j] - dot) }
                }
            }
            return [dx]
        }
    }

    fileprivate func logSoftmaxLastAxis() -> Tensor {
        let y = rowLoop("logSoftmax", { x, y, n in
            let m = RowKernels.max(x, n)
            let shift = m.isFinite ? m : 0
            let lse = shift + logf(RowKernels.expShiftSum(x, y, n, shift: shift))
            simdMap(x, y, n) { $0 - lse }
        }, { x, y, n in
            let m = AxisReduce.reduceContiguous(.max, x, n)
            var s = 0.0
            for j in 0..<n { s += Double.exp(x[j] - m) }
            let lse = m + Double.log(s)
            for j in 0..<n { y[j] = x[j] - lse }
        })
        return record(y, .logSoftmax, [self]) { [unowned y] g, _ in
            // dx = g − softmax ⊙ Σ g
            [g - y.exp() * g.sum(axes: [-1], keepDims: true)]
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import CKernels
