/// Pooling over NCHW tensors, as PyTorch's `F.max_pool2d` / `F.avg_pool2d` (floor mode).
/// `stride` defaults to the kernel size.
public func maxPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
    let g = poolWindow(x, kernel: kernel, stride: stride, padding: padding, op: "maxPool2d")
    let planes = x.shape[0] * x.shape[1]
    let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1], g.ho, g.wo], dtype: x.dtype)
    let argmax = Tensor(uninitializedShape: out.shape, dtype: .int32)
    if x.dtype == .float32 {
        Pool2d.maxForward(x.pointer(Float.self), out.pointer(Float.self), argmax.pointer(Int32.self), planes: planes, g)
    } else {
        Pool2d.maxForward(x.pointer(Double.self), out.pointer(Double.self), argmax.pointer(Int32.self), planes: planes, g)
    }
    return record(out, .maxPool2d, [x]) { gy, _ in
        let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        if x.dtype == .float32 {
            Pool2d.maxBackward(gy.pointer(Float.self), argmax.pointer(Int32.self), dx.pointer(Float.self), planes: planes, g)
        } else {
            Pool2d.maxBackward(gy.pointer(Double.self), argmax.pointer(Int32.self), dx.pointer(Double.self), planes: planes, g)
        }
        return [dx]
    }
}

/// Average pooling; with `countIncludePad` (PyTorch's default) zero padding counts in the divisor.
public func avgPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      countIncludePad: Bool = true) -> Tensor {
    let g = poolWindow(x, kernel: kernel, stride: stride, padding: padding, op: "avgPool2d")
    let planes = x.shape[0] * x.shape[1]
    let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1], g.ho, g.wo], dtype: x.dtype)
    if x.dtype == .float32 {
        Pool2d.avgForward(x.pointer(Float.self), out.pointer(Float.self), planes: planes, g, countIncludePad: countIncludePad)
    } else {
        Pool2d.avgForward(x.pointer(Double.self), out.pointer(Double.self), planes: planes, g, countIncludePad: countIncludePad)
    }
    return record(out, .avgPool2d, [x]) { gy, _ in
        let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        if x.dtype == .float32 {
            Pool2d.avgBackward(gy.pointer(Float.self), dx.pointer(Float.self), planes: planes, g, countIncludePad: countIncludePad)
        } else {
            Pool2d.avgBackward(gy.pointer(Double.self), dx.pointer(Double.self), planes: planes, g, countIncludePad: countIncludePad)
        }
        return [dx]
    }
}

/// Mean over the spatial axes: [N, C, H, W] → [N, C, 1, 1] (or [N, C] without `keepDims`),
/// as `F.adaptive_avg_pool2d(x, 1)`. Composed from `mean`, so it needs no gradient rule.
public func globalAvgPool2d(_ x: Tensor, keepDims: Bool = true) -> Tensor {
    precondition(x.rank == 4, "globalAvgPool2d: input must be [N, C, H, W], got \(x.shape)")
    return x.mean(axes: [2, 3], keepDims: keepDims)
}

private func poolWindow(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int), op: String) -> Window2d {
    precondition(x.dtype.isFloatingPoint && x.rank == 4, "\(op): input must be a float [N, C, H, W] tensor, got \(x.dtype) \(x.shape)")
    precondition(padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1,
                 "\(op): padding \(padding) must be at most half the kernel \(kernel)")
    return Window2d(h: x.shape[2], w: x.shape[3], kernel: kernel, stride: stride ?? kernel, padding: padding, op: op)
}
