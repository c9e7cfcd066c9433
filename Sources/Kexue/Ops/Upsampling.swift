/// Up-sampling of NCHW tensors by an integer factor, as PyTorch's
/// `F.interpolate(x, scale_factor: s, mode: "nearest" | "bilinear", align_corners: …)`.
public func upsampleNearest2d(_ x: Tensor, scale: Int) -> Tensor {
    let (n, c, h, w) = upsampleShape(x, scale: scale, op: "upsampleNearest2d")
    let out = Tensor(uninitializedShape: [n, c, h * scale, w * scale], dtype: x.dtype)
    if x.dtype == .float32 {
        Upsample2d.nearestForward(x.pointer(Float.self), out.pointer(Float.self), planes: n * c, h: h, w: w, scale: scale)
    } else {
        Upsample2d.nearestForward(x.pointer(Double.self), out.pointer(Double.self), planes: n * c, h: h, w: w, scale: scale)
    }
    return record(out, .upsampleNearest2d, [x]) { g, _ in
        let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        if x.dtype == .float32 {
            Upsample2d.nearestBackward(g.pointer(Float.self), dx.pointer(Float.self), planes: n * c, h: h, w: w, scale: scale)
        } else {
            Upsample2d.nearestBackward(g.pointer(Double.self), dx.pointer(Double.self), planes: n * c, h: h, w: w, scale: scale)
        }
        return [dx]
    }
}

/// Bilinear up-sampling. With `alignCorners == false` (PyTorch's default) pixel centres are
/// aligned: src = (dst + ½)/scale − ½, clamped to the edge.
public func upsampleBilinear2d(_ x: Tensor, scale: Int, alignCorners: Bool = false) -> Tensor {
    let (n, c, h, w) = upsampleShape(x, scale: scale, op: "upsampleBilinear2d")
    let out = Tensor(uninitializedShape: [n, c, h * scale, w * scale], dtype: x.dtype)
    if x.dtype == .float32 {
        Upsample2d.bilinearForward(x.pointer(Float.self), out.pointer(Float.self), planes: n * c, h: h, w: w,
                                   scale: scale, alignCorners: alignCorners)
    } else {
        Upsample2d.bilinearForward(x.pointer(Double.self), out.pointer(Double.self), planes: n * c, h: h, w: w,
                                   scale: scale, alignCorners: alignCorners)
    }
    return record(out, .upsampleBilinear2d, [x]) { g, _ in
        let dx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        if x.dtype == .float32 {
            Upsample2d.bilinearBackward(g.pointer(Float.self), dx.pointer(Float.self), planes: n * c, h: h, w: w,
                                        scale: scale, alignCorners: alignCorners)
        } else {
            Upsample2d.bilinearBackward(g.pointer(Double.self), dx.pointer(Double.self), planes: n * c, h: h, w: w,
                                        scale: scale, alignCorners: alignCorners)
        }
        return [dx]
    }
}

private func upsampleShape(_ x: Tensor, scale: Int, op: String) -> (Int, Int, Int, Int) {
    precondition(x.dtype.isFloatingPoint && x.rank == 4, "\(op): input must be a float [N, C, H, W] tensor, got \(x.dtype) \(x.shape)")
    precondition(scale >= 1, "\(op): scale must be a positive integer, got \(scale)")
    return (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
}
