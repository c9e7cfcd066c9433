/// 2-D convolution over NCHW tensors (cross-correlation, as PyTorch's `F.conv2d`).
///
/// x [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] → [N, O, Ho, Wo].
/// Three kernels, one result: a direct SIMD kernel for depthwise convs (groups == C == O),
/// a plain GEMM per image for 1×1 stride-1 unpadded convs, and im2col + GEMM otherwise.
/// The backward is hand-written: dX through GEMM + col2im, dW through GEMM summed per image in
/// image order, dB as per-channel sums — none depends on the thread count.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    precondition(x.dtype.isFloatingPoint && x.rank == 4, "conv2d: input must be a float [N, C, H, W] tensor, got \(x.dtype) \(x.shape)")
    precondition(weight.rank == 4 && weight.dtype == x.dtype,
                 "conv2d: weight must be [O, C/groups, kh, kw] of dtype \(x.dtype), got \(weight.dtype) \(weight.shape)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let o = weight.shape[0]
    precondition(groups > 0 && c % groups == 0 && o % groups == 0,
                 "conv2d: groups \(groups) must divide input channels \(c) and output channels \(o)")
    precondition(weight.shape[1] == c / groups,
                 "conv2d: weight \(weight.shape) expects \(weight.shape[1] * groups) input channels with groups \(groups), input has \(c)")
    if let bias { precondition(bias.shape == [o] && bias.dtype == x.dtype, "conv2d: bias must be [\(o)] \(x.dtype), got \(bias.dtype) \(bias.shape)") }
    let win = Window2d(h: h, w: w, kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding,
                       dilation: dilation, op: "conv2d")
    let out = Tensor(uninitializedShape: [n, o, win.ho, win.wo], dtype: x.dtype)
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }

    if groups == c && o == c {
        if x.dtype == .float32 {
            DepthwiseConv.forward(x.pointer(Float.self), weight.pointer(Float.self), bias?.pointer(Float.self),
                                  out.pointer(Float.self), planes: n * c, channels: c, win)
        } else {
            DepthwiseConv.forward(x.pointer(Double.self), weight.pointer(Double.self), bias?.pointer(Double.self),
                                  out.pointer(Double.self), planes: n * c, channels: c, win)
        }
        return record(out, .depthwiseConv2d, inputs) { g, needs in
            let dx = needs[0] ? Tensor(uninitializedShape: x.shape, dtype: x.dtype) : nil
            let dw = needs[1] ? Tensor(uninitializedShape: weight.shape, dtype: x.dtype) : nil
            if x.dtype == .float32 {
                if let dx { DepthwiseConv.backwardInput(weight.pointer(Float.self), g.pointer(Float.self), dx.pointer(Float.self), planes: n * c, channels: c, win) }
                if let dw { DepthwiseConv.backwardWeight(x.pointer(Float.self), g.pointer(Float.self), dw.pointer(Float.self), batch: n, channels: c, win) }
            } else {
                if let dx { DepthwiseConv.backwardInput(weight.pointer(Double.self), g.pointer(Double.self), dx.pointer(Double.self), planes: n * c, channels: c, win) }
                if let dw { DepthwiseConv.backwardWeight(x.pointer(Double.self), g.pointer(Double.self), dw.pointer(Double.self), batch: n, channels: c, win) }
            }
            return [dx, dw] + (bias == nil ? [] : [needs[2] ? convBiasGrad(g) : nil])
        }
    }

    let conv = ConvGEMM(n: n, c: c, o: o, groups: groups, win: win)
    if x.dtype == .float32 {
        conv.forward(x.pointer(Float.self), weight.pointer(Float.self), bias?.pointer(Float.self), out.pointer(Float.self))
    } else {
        conv.forward(x.pointer(Double.self), weight.pointer(Double.self), bias?.pointer(Double.self), out.pointer(Double.self))
    }
    return record(out, .conv2d, inputs) { g, needs in
        let dx = needs[0] ? Tensor(uninitializedShape: x.shape, dtype: x.dtype) : nil
        let dw = needs[1] ? Tensor(uninitializedShape: weight.shape, dtype: x.dtype) : nil
        if dx != nil || dw != nil {
            if x.dtype == .float32 {
                conv.backward(x.pointer(Float.self), weight.pointer(Float.self), g.pointer(Float.self),
                              dx: dx?.pointer(Float.self), dw: dw?.pointer(Float.self))
            } else {
                conv.backward(x.pointer(Double.self), weight.pointer(Double.self), g.pointer(Double.self),
                              dx: dx?.pointer(Double.self), dw: dw?.pointer(Double.self))
            }
        }
        return [dx, dw] + (bias == nil ? [] : [needs[2] ? convBiasGrad(g) : nil])
    }
}

/// dB[o] = Σ_{n, oh, ow} g[n, o, oh, ow].
private func convBiasGrad(_ g: Tensor) -> Tensor {
    let (n, o, s) = (g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
    let db = Tensor(uninitializedShape: [o], dtype: g.dtype)
    if g.dtype == .float32 {
        ChannelSum.run(g.pointer(Float.self), db.pointer(Float.self), n: n, c: o, s: s)
    } else {
        ChannelSum.run(g.pointer(Double.self), db.pointer(Double.self), n: n, c: o, s: s)
    }
    return db
}
