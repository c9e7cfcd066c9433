import CKernels

/// Direct depthwise convolution (groups == C == O, weight [C, 1, kh, kw]).
///
/// im2col would copy every pixel kh·kw times to feed a GEMM of inner size kh·kw — slow for the
/// 5×5 depthwise convs of NVAE's cells. Here each plane is copied once into a zero-padded buffer
/// and each output row is accumulated in SIMD registers across the width, one plane per task
/// (parallel over N·C). Every plane and every weight-gradient sum is computed by one thread in a
/// fixed order, so results do not depend on the thread count.
enum DepthwiseConv {
    /// dst[oh, ow] = bias + Σ_ij k[i, j]·src[oh·sh + i·dh, ow·sw + j·dw] over a padded plane
    /// with row stride `srcW` (every read in bounds).
    @inline(__always)
    static func correlate<T: KexueFloat>(_ src: UnsafePointer<T>, srcW: Int, _ k: UnsafePointer<T>, bias: T,
                                         _ dst: UnsafeMutablePointer<T>, _ g: Window2d) {
        if T.self == Float.self {   // the C kernel; the Swift loops below serve Float64 gradient checks
            var w = g.c
            kx_dw_correlate(UnsafeRawPointer(src).assumingMemoryBound(to: Float.self), srcW,
                            UnsafeRawPointer(k).assumingMemoryBound(to: Float.self), bias as! Float,
                            UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self), &w)
            return
        }
        for oh in 0..<g.ho {
            let row = dst + oh * g.wo
            let base = src + oh * g.sh * srcW
            var ow = 0
            if g.sw == 1 {
                while ow + 16 <= g.wo {
                    var acc = SIMD16<T>(repeating: bias)
                    for i in 0..<g.kh {
                        let r = base + i * g.dh * srcW + ow
                        for j in 0..<g.kw {
                            acc += SIMD16<T>(repeating: k[i * g.kw + j]) * UnsafeRawPointer(r + j * g.dw).loadUnaligned(as: SIMD16<T>.self)
                        }
                    }
                    UnsafeMutableRawPointer(row + ow).storeBytes(of: acc, as: SIMD16<T>.self)
                    ow += 16
                }
                while ow + 8 <= g.wo {
                    var acc = SIMD8<T>(repeating: bias)
                    for i in 0..<g.kh {
                        let r = base + i * g.dh * srcW + ow
                        for j in 0..<g.kw {
                            acc += SIMD8<T>(repeating: k[i * g.kw + j]) * UnsafeRawPointer(r + j * g.dw).loadUnaligned(as: SIMD8<T>.self)
                        }
                    }
                    UnsafeMutableRawPointer(row + ow).storeBytes(of: acc, as: SIMD8<T>.self)
                    ow += 8
                }
            }
            while ow < g.wo {
                var acc = bias
                for i in 0..<g.kh {
                    let r = base + i * g.dh * srcW + ow * g.sw
                    for j in 0..<g.kw { acc += k[i * g.kw + j] * r[j * g.dw] }
                }
                row[ow] = acc
                ow += 1
            }
        }
    }

    static func grain(_ g: Window2d) -> Int { Swift.max(1, 32768 / Swift.max(g.outputPlane * g.taps, 1)) }

    /// y [N, C, Ho, Wo] from x [N, C, H, W], w [C, kh·kw], b [C].
    static func forward<T: KexueFloat>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ b: UnsafePointer<T>?,
                                       _ y: UnsafeMutablePointer<T>, planes: Int, channels: Int, _ g: Window2d) {
        parallelChunks(planes, grain: grain(g)) { range in
            let pad = Scratch<T>(g.paddedH * g.paddedW, zeroed: true)
            withExtendedLifetime(pad) {
                for p in range {
                    let c = p % channels
                    g.pad(x + p * g.inputPlane, into: pad.pointer)
                    correlate(pad.pointer, srcW: g.paddedW, w + c * g.taps, bias: b?[c] ?? 0, y + p * g.outputPlane, g)
                }
            }
        }
    }

    /// dx [N, C, H, W] (overwritten) from gy [N, C, Ho, Wo].
    static func backwardInput<T: KexueFloat>(_ w: UnsafePointer<T>, _ gy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                             planes: Int, channels: Int, _ g: Window2d) {
        // Stride 1: dx is the correlation of gy, zero-padded by (k − 1)·d − p, with the flipped
        // kernel — the forward kernel again.
        let lh = (g.kh - 1) * g.dh - g.ph, lw = (g.kw - 1) * g.dw - g.pw
        if g.sh == 1 && g.sw == 1 && lh >= 0 && lw >= 0 {
            let flipped = Scratch<T>(channels * g.taps)
            for c in 0..<channels {
                for t in 0..<g.taps { flipped.pointer[c * g.taps + t] = w[c * g.taps + g.taps - 1 - t] }
            }
            let adj = Window2d(h: g.ho, w: g.wo, kernel: (g.kh, g.kw), stride: (1, 1), padding: (lh, lw),
                               dilation: (g.dh, g.dw), op: "depthwise conv2d backward")
            withExtendedLifetime(flipped) {
                forward(gy, flipped.pointer, nil, dx, planes: planes, channels: channels, adj)
            }
            return
        }
        // Other strides: scatter each output gradient over its window in a padded plane.
        parallelChunks(planes, grain: grain(g)) { range in
            let pad = Scratch<T>(g.paddedH * g.paddedW)
            withExtendedLifetime(pad) {
                let pw = g.paddedW
                for p in range {
                    let c = p % channels, k = w + c * g.taps, gp = gy + p * g.outputPlane
                    pad.pointer.update(repeating: 0, count: g.paddedH * pw)
                    for oh in 0..<g.ho {
                        for ow in 0..<g.wo {
                            let v = gp[oh * g.wo + ow]
                            let base = pad.pointer + oh * g.sh * pw + ow * g.sw
                            for i in 0..<g.kh {
                                for j in 0..<g.kw { base[i * g.dh * pw + j * g.dw] += k[i * g.kw + j] * v }
                            }
                        }
                    }
                    let dp = dx + p * g.inputPlane
                    for r in 0..<g.h { (dp + r * g.w).update(from: pad.pointer + (r + g.ph) * pw + g.pw, count: g.w) }
                }
            }
        }
    }

    /// dw [C, kh·kw] (overwritten): dw[c, i, j] = Σ_n Σ_{oh,ow} gy[n, c, oh, ow]·xpad[n, c, oh·sh + i·dh, ow·sw + j·dw],
    /// one channel per task, images in order.
    static func backwardWeight<T: KexueFloat>(_ x: UnsafePointer<T>, _ gy: UnsafePointer<T>, _ dw: UnsafeMutablePointer<T>,
                                              batch: Int, channels: Int, _ g: Window2d) {
        parallelChunks(channels, grain: 1) { range in
            let pad = Scratch<T>(g.paddedH * g.paddedW, zeroed: true)
            let pw = g.paddedW
            withExtendedLifetime(pad) {
                let lanes = Int(KX_DW_LANES)
                let partial = T.self == Float.self ? Scratch<Float>(g.taps * lanes) : nil
                for c in range {
                    let acc = dw + c * g.taps
                    acc.update(repeating: 0, count: g.taps)
                    partial?.pointer.update(repeating: 0, count: g.taps * lanes)
                    defer {
                        if let partial {
                            kx_dw_weight_grad_finish(partial.pointer, g.taps, UnsafeMutableRawPointer(acc).assumingMemoryBound(to: Float.self))
                        }
                    }
                    for img in 0..<batch {
                        let p = img * channels + c
                        g.pad(x + p * g.inputPlane, into: pad.pointer)
                        let gp = gy + p * g.outputPlane
                        if T.self == Float.self {
                            var w = g.c
                            kx_dw_weight_grad(UnsafeRawPointer(pad.pointer).assumingMemoryBound(to: Float.self), pw,
                                              UnsafeRawPointer(gp).assumingMemoryBound(to: Float.self), partial!.pointer, &w)
                            continue
                        }
                        for i in 0..<g.kh {
                            for j in 0..<g.kw {
                                var lanes = SIMD16<T>(repeating: 0), half = SIMD8<T>(repeating: 0)
                                var tail: T = 0
                                for oh in 0..<g.ho {
                                    let xr = pad.pointer + (oh * g.sh + i * g.dh) * pw + j * g.dw
                                    let gr = gp + oh * g.wo
                                    var ow = 0
                                    if g.sw == 1 {
                                        while ow + 16 <= g.wo {
                                            lanes += UnsafeRawPointer(gr + ow).loadUnaligned(as: SIMD16<T>.self)
                                                   * UnsafeRawPointer(xr + ow).loadUnaligned(as: SIMD16<T>.self)
                                            ow += 16
                                        }
                                        while ow + 8 <= g.wo {
                                            half += UnsafeRawPointer(gr + ow).loadUnaligned(as: SIMD8<T>.self)
                                                  * UnsafeRawPointer(xr + ow).loadUnaligned(as: SIMD8<T>.self)
                                            ow += 8
                                        }
                                    }
                                    while ow < g.wo { tail += gr[ow] * xr[ow * g.sw]; ow += 1 }
                                }
                                acc[i * g.kw + j] += lanes.sum() + half.sum() + tail
                            }
                        }
                    }
                }
            }
        }
    }
}
