import CKernels

/// Layer normalisation over the last axis, fused, with a hand-written backward.
/// Float32 runs the C kernels (per-instruction-set clones); Float64 the generic Swift ones.
///
/// y = (x − μ)/√(σ² + eps) · weight + bias, μ and σ² (biased) per row — as PyTorch's layer_norm.
public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Double = 1e-5) -> Tensor {
    let n = x.shape.last ?? 0
    precondition(x.dtype.isFloatingPoint && n > 0, "layerNorm: needs a float tensor with a non-empty last axis, got \(x.dtype) \(x.shape)")
    for (name, p) in [("weight", weight), ("bias", bias)] {
        if let p { precondition(p.shape == [n] && p.dtype == x.dtype, "layerNorm: \(name) of shape \(p.shape) for input \(x.shape)") }
    }
    let rows = x.count / n
    let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    let mean = Tensor(uninitializedShape: [rows], dtype: x.dtype)
    let rstd = Tensor(uninitializedShape: [rows], dtype: x.dtype)
    if x.dtype == .float32 {
        let (xp, wp, bp) = (x.pointer(Float.self), weight?.pointer(Float.self), bias?.pointer(Float.self))
        let (yp, mp, rp) = (out.pointer(Float.self), mean.pointer(Float.self), rstd.pointer(Float.self))
        parallelChunks(rows, grain: Swift.max(1, 8192 / n)) { r in
            kx_layernorm_forward(xp + r.lowerBound * n, wp, bp, yp + r.lowerBound * n, mp + r.lowerBound,
                                 rp + r.lowerBound, r.count, n, Float(eps))
        }
    } else {
        LayerNormKernel.forward(x.pointer(Double.self), weight?.pointer(Double.self), bias?.pointer(Double.self),
                                out.pointer(Double.self), mean.pointer(Double.self), rstd.pointer(Double.self),
                                rows: rows, n: n, eps: eps)
    }
    var inputs = [x]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    return record(out, .layerNorm, inputs) { g, needs in
        let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let dw = weight.map { Tensor(uninitializedShape: $0.shape, dtype: $0.dtype) }
        let db = bias.map { Tensor(uninitializedShape: $0.shape, dtype: $0.dtype) }
        if x.dtype == .float32 {
            let (xp, gp, wp) = (x.pointer(Float.self), g.pointer(Float.self), weight?.pointer(Float.self))
            let (mp, rp, dxp) = (mean.pointer(Float.self), rstd.pointer(Float.self), dx.pointer(Float.self))
            let (dwp, dbp) = (dw?.pointer(Float.self), db?.pointer(Float.self))
            // Blocks of a fixed number of rows: each block writes its dx rows and, while they are
            // in cache, adds its rows' parameter gradients to its own partial sums; the partials
            // are then added in block order. Fixed blocks keep the bits independent of threads.
            let block = 32, blocks = (rows + block - 1) / block
            let wantParams = dwp != nil || dbp != nil
            let partialDW = wantParams && dwp != nil ? Tensor.zeros([blocks, n]) : nil
            let partialDB = wantParams && dbp != nil ? Tensor.zeros([blocks, n]) : nil
            let (pw, pb) = (partialDW?.pointer(Float.self), partialDB?.pointer(Float.self))
            parallelChunks(blocks, grain: Swift.max(1, 8192 / (n * block))) { range in
                for k in range {
                    let lo = k * block, count = Swift.min(block, rows - lo)
                    kx_layernorm_backward_input(xp + lo * n, gp + lo * n, wp, mp + lo, rp + lo, dxp + lo * n, count, n)
                    if wantParams {
                        kx_layernorm_backward_params_rows(xp + lo * n, gp + lo * n, mp + lo, rp + lo,
                                                          pw.map { $0 + k * n }, pb.map { $0 + k * n }, count, n)
                    }
                }
            }
            if wantParams && blocks == 0 {   // no rows: the parameter gradients are zero
                dwp?.update(repeating: 0, count: n); dbp?.update(repeating: 0, count: n)
            } else if wantParams {
                parallelChunks(n, grain: 256) { c in
                    for (partial, out) in [(pw, dwp), (pb, dbp)] {
                        guard let partial, let out else { continue }
                        for j in c { out[j] = partial[j] }
                        for k in 1..<Swift.max(blocks, 1) { for j in c { out[j] += partial[k * n + j] } }
                    }
                }
            }
        } else {
            LayerNormKernel.backward(x.pointer(Double.self), g.pointer(Double.self), weight?.pointer(Double.self),
                                     mean.pointer(Double.self), rstd.pointer(Double.self), dx.pointer(Double.self),
                                     dw?.pointer(Double.self), db?.pointer(Double.self), rows: rows, n: n)
        }
        var grads: [Tensor?] = [dx]
        if weight != nil { grads.append(dw) }
        if bias != nil { grads.append(db) }
        return grads
    }
}

enum LayerNormKernel {
    static func forward<T: KexueFloat>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>?, _ b: UnsafePointer<T>?,
                                       _ y: UnsafeMutablePointer<T>, _ mean: UnsafeMutablePointer<T>,
                                       _ rstd: UnsafeMutablePointer<T>, rows: Int, n: Int, eps: T) {
        parallelChunks(rows, grain: Swift.max(1, 8192 / n)) { range in
            for r in range {
                let xr = x + r * n, yr = y + r * n
                let mu = AxisReduce.reduceContiguous(.sum, xr, n) / T(n)
                var lanes = SIMD16<T>(repeating: 0)
                var j = 0
                while j + 16 <= n {
                    let d = UnsafeRawPointer(xr + j).loadUnaligned(as: SIMD16<T>.self) - mu
                    lanes += d * d
                    j += 16
                }
                var v = lanes.sum()
                while j < n { let d = xr[j] - mu; v += d * d; j += 1 }
                let rs = 1 / (v / T(n) + eps).squareRoot()
                mean[r] = mu
                rstd[r] = rs
                // One loop per parameter case, so none tests an optional per element.
                switch (w, b) {
                case let (w?, b?): for j in 0..<n { yr[j] = (xr[j] - mu) * rs * w[j] + b[j] }
                case let (w?, nil): for j in 0..<n { yr[j] = (xr[j] - mu) * rs * w[j] }
                case let (nil, b?): for j in 0..<n { yr[j] = (xr[j] - mu) * rs + b[j] }
                case (nil, nil): for j in 0..<n { yr[j] = (xr[j] - mu) * rs }
                }
            }
        }
    }

    static func backward<T: KexueFloat>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ w: UnsafePointer<T>?,
                                        _ mean: UnsafePointer<T>, _ rstd: UnsafePointer<T>,
                                        _ dx: UnsafeMutablePointer<T>, _ dw: UnsafeMutablePointer<T>?,
                                        _ db: UnsafeMutablePointer<T>?, rows: Int, n: Int) {
        typealias V = SIMD16<T>
        // dx = rstd · (ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)), ĝ = g⊙w, x̂ = (x − μ)·rstd.
        parallelChunks(rows, grain: Swift.max(1, 8192 / n)) { range in
            let gh = UnsafeMutablePointer<T>.allocate(capacity: n)
            defer { gh.deallocate() }
            for r in range {
                let xr = x + r * n, gr = g + r * n, dr = dx + r * n
                let mu = mean[r], rs = rstd[r]
                if let w { for j in 0..<n { gh[j] = gr[j] * w[j] } } else { gh.update(from: gr, count: n) }
                var sG = V(repeating: 0), sGX = V(repeating: 0)
                var j = 0
                while j + 16 <= n {
                    let gv = UnsafeRawPointer(gh + j).loadUnaligned(as: V.self)
                    let xv = UnsafeRawPointer(xr + j).loadUnaligned(as: V.self)
                    sG += gv
                    sGX += gv * (xv - mu)
                    j += 16
                }
                var sumG = sG.sum(), sumGX = sGX.sum()
                while j < n { sumG += gh[j]; sumGX += gh[j] * (xr[j] - mu); j += 1 }
                let mG = sumG / T(n), mGX = sumGX * rs / T(n)
                let k = rs * rs * mGX
                for j in 0..<n { dr[j] = rs * (gh[j] - mG) - (xr[j] - mu) * k }
            }
        }
        // Parameter gradients: each thread owns a range of columns and walks rows in order,
        // so the sums are the same whatever the thread count.
        guard dw != nil || db != nil else { return }
        parallelChunks(n, grain: 64) { cols in
            let lo = cols.lowerBound, width = cols.count
            let accW = UnsafeMutablePointer<T>.allocate(capacity: width), accB = UnsafeMutablePointer<T>.allocate(capacity: width)
            defer { accW.deallocate(); accB.deallocate() }
            accW.initialize(repeating: 0, count: width)
            accB.initialize(repeating: 0, count: width)
            for r in 0..<rows {
                let xr = x + r * n + lo, gr = g + r * n + lo
                let mu = mean[r], rs = rstd[r]
                for j in 0..<width {
                    accW[j] += gr[j] * ((xr[j] - mu) * rs)
                    accB[j] += gr[j]
                }
            }
            if let dw { (dw + lo).update(from: accW, count: width) }
            if let db { (db + lo).update(from: accB, count: width) }
        }
    }
}
