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
