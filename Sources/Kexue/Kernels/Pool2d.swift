import CKernels

/// Max and average pooling over the planes of an NCHW tensor, one plane per task (parallel
/// over N·C); each plane's gradient is accumulated by one thread in a fixed order.
enum Pool2d {
    static func grain(_ g: Window2d) -> Int { Swift.max(1, 16384 / Swift.max(g.outputPlane * g.taps, 1)) }

    /// y = max over each window (padding counts as −∞); `argmax` keeps the flat in-plane index of
    /// the first maximum (a NaN wins, as in PyTorch).
    static func maxForward<T: KexueFloat>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ argmax: UnsafeMutablePointer<Int32>,
                                          planes: Int, _ g: Window2d) {
        // The window's numbers as locals: read through the captured struct inside the loops they
        // were reloaded on every pixel, and this loop was 17 % of an MNIST CNN training step.
        let h = g.h, w = g.w, kh = g.kh, kw = g.kw, sh = g.sh, sw = g.sw, ph = g.ph, pw = g.pw
        let ho = g.ho, wo = g.wo, inPlane = g.inputPlane, outPlane = g.outputPlane
        let plain2x2 = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0
        parallelChunks(planes, grain: grain(g)) { range in
            for p in range {
                let xp = x + p * inPlane, yp = y + p * outPlane, ap = argmax + p * outPlane
                if plain2x2, T.self == Float.self {
                    kx_maxpool2x2_forward(UnsafeRawPointer(xp).assumingMemoryBound(to: Float.self),
                                          UnsafeMutableRawPointer(yp).assumingMemoryBound(to: Float.self), ap, 1, h, w)
                    continue
                }
                if plain2x2 {
                    // The common 2×2, stride-2 window: four loads, no bounds arithmetic.
                    for oh in 0..<ho {
                        let r0 = 2 * oh * w, r1 = r0 + w, o = oh * wo
                        for ow in 0..<wo {
                            let c0 = r0 + 2 * ow, c2 = r1 + 2 * ow
                            var at = c0, best = xp[c0]
                            if xp[c0 + 1] > best || xp[c0 + 1].isNaN { best = xp[c0 + 1]; at = c0 + 1 }
                            if xp[c2] > best || xp[c2].isNaN { best = xp[c2]; at = c2 }
                            if xp[c2 + 1] > best || xp[c2 + 1].isNaN { best = xp[c2 + 1]; at = c2 + 1 }
                            yp[o + ow] = best
                            ap[o + ow] = Int32(truncatingIfNeeded: at)
                        }
                    }
                    continue
                }
                for oh in 0..<ho {
                    let h0 = Swift.max(oh * sh - ph, 0), h1 = Swift.min(oh * sh - ph + kh, h)
                    for ow in 0..<wo {
                        let w0 = Swift.max(ow * sw - pw, 0), w1 = Swift.min(ow * sw - pw + kw, w)
                        var best = -T.infinity, at = h0 * w + w0
                        for ih in h0..<h1 {
                            for iw in w0..<w1 {
                                let v = xp[ih * w + iw]
                                if v > best || v.isNaN { best = v; at = ih * w + iw }
                            }
                        }
                        yp[oh * wo + ow] = best
                        ap[oh * wo + ow] = Int32(truncatingIfNeeded: at)
                    }
                }
            }
        }
    }

    static func maxBackward<T: KexueFloat>(_ gy: UnsafePointer<T>, _ argmax: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<T>,
                                           planes: Int, _ g: Window2d) {
        parallelChunks(planes, grain: grain(g)) { range in
            for p in range {
                let dp = dx + p * g.inputPlane, gp = gy + p * g.outputPlane, ap = argmax + p * g.outputPlane
                dp.update(repeating: 0, count: g.inputPlane)
                for k in 0..<g.outputPlane { dp[Int(ap[k])] += gp[k] }
            }
        }
    }

    /// The window's rows [h0, h1), columns [w0, w1) inside the input, and its divisor: the
    /// window size clipped to the padded input (PyTorch's count_include_pad = true), or the
    /// number of real pixels.
    @inline(__always)
    static func averageWindow(_ g: Window2d, _ oh: Int, _ ow: Int, countIncludePad: Bool) -> (Int, Int, Int, Int, Int) {
        var h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw
        var h1 = Swift.min(h0 + g.kh, g.h + g.ph), w1 = Swift.min(w0 + g.kw, g.w + g.pw)
        let padded = (h1 - h0) * (w1 - w0)
        h0 = Swift.max(h0, 0); w0 = Swift.max(w0, 0)
        h1 = Swift.min(h1, g.h); w1 = Swift.min(w1, g.w)
        return (h0, h1, w0, w1, countIncludePad ? padded : (h1 - h0) * (w1 - w0))
    }

    static func avgForward<T: KexueFloat>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, planes: Int,
                                          _ g: Window2d, countIncludePad: Bool) {
        parallelChunks(planes, grain: grain(g)) { range in
            for p in range {
                let xp = x + p * g.inputPlane, yp = y + p * g.outputPlane
                for oh in 0..<g.ho {
                    for ow in 0..<g.wo {
                        let (h0, h1, w0, w1, div) = averageWindow(g, oh, ow, countIncludePad: countIncludePad)
                        var s: T = 0
                        for ih in h0..<h1 { for iw in w0..<w1 { s += xp[ih * g.w + iw] } }
                        yp[oh * g.wo + ow] = s / T(div)
                    }
                }
            }
        }
    }

    static func avgBackward<T: KexueFloat>(_ gy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, planes: Int,
                                           _ g: Window2d, countIncludePad: Bool) {
        parallelChunks(planes, grain: grain(g)) { range in
            for p in range {
                let dp = dx + p * g.inputPlane, gp = gy + p * g.outputPlane
                dp.update(repeating: 0, count: g.inputPlane)
                for oh in 0..<g.ho {
                    for ow in 0..<g.wo {
                        let (h0, h1, w0, w1, div) = averageWindow(g, oh, ow, countIncludePad: countIncludePad)
                        let v = gp[oh * g.wo + ow] / T(div)
                        for ih in h0..<h1 { for iw in w0..<w1 { dp[ih * g.w + iw] += v } }
                    }
                }
            }
        }
    }
}
