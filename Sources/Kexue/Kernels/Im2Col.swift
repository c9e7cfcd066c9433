import CKernels

/// im2col and its adjoint col2im: the unrolling that turns a convolution into one GEMM.
///
/// For one image, `col[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·sh − ph + i·dh, ow·sw − pw + j·dw]`
/// (zero in the padding), so `y[O, Ho·Wo] = W[O, C·kh·kw] · col`.
enum Im2Col {
    /// col [C·kh·kw, Ho·Wo] ← x [C, H, W], for the channels in `channels`.
    static func pack<T: KexueFloat>(_ x: UnsafePointer<T>, _ col: UnsafeMutablePointer<T>, _ g: Window2d, channels: Range<Int>) {
        if T.self == Float.self {   // the C kernel (the Swift loop below serves Float64 gradient checks)
            var w = g.c
            kx_im2col(UnsafeRawPointer(x + channels.lowerBound * g.inputPlane).assumingMemoryBound(to: Float.self),
                      UnsafeMutableRawPointer(col + channels.lowerBound * g.taps * g.outputPlane).assumingMemoryBound(to: Float.self),
                      &w, channels.count)
            return
        }
        let cols = g.outputPlane
        for c in channels {
            let xc = x + c * g.inputPlane
            for i in 0..<g.kh {
                for j in 0..<g.kw {
                    let row = col + ((c * g.kh + i) * g.kw + j) * cols
                    let off = j * g.dw - g.pw
                    let (lo, hi) = Window2d.validRange(offset: off, stride: g.sw, size: g.w, count: g.wo)
                    for oh in 0..<g.ho {
                        let d = row + oh * g.wo
                        let ih = oh * g.sh - g.ph + i * g.dh
                        guard ih >= 0 && ih < g.h else { d.update(repeating: 0, count: g.wo); continue }
                        let s = xc + ih * g.w
                        if lo > 0 { d.update(repeating: 0, count: lo) }
                        if g.sw == 1 {
                            (d + lo).update(from: s + (lo + off), count: hi - lo)
                        } else {
                            for ow in lo..<hi { d[ow] = s[ow * g.sw + off] }
                        }
                        if hi < g.wo { (d + hi).update(repeating: 0, count: g.wo - hi) }
                    }
                }
            }
        }
    }

    /// dx [C, H, W] += col2im(dcol [C·kh·kw, Ho·Wo]), for the channels in `channels`.
    /// Each channel is accumulated by one thread in a fixed order.
    static func unpackAdd<T: KexueFloat>(_ col: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, _ g: Window2d, channels: Range<Int>) {
        if T.self == Float.self {
            var w = g.c
            kx_col2im_add(UnsafeRawPointer(col + channels.lowerBound * g.taps * g.outputPlane).assumingMemoryBound(to: Float.self),
                          UnsafeMutableRawPointer(dx + channels.lowerBound * g.inputPlane).assumingMemoryBound(to: Float.self),
                          &w, channels.count)
            return
        }
        let cols = g.outputPlane
        for c in channels {
            let dc = dx + c * g.inputPlane
            for i in 0..<g.kh {
                for j in 0..<g.kw {
                    let row = col + ((c * g.kh + i) * g.kw + j) * cols
                    let off = j * g.dw - g.pw
                    let (lo, hi) = Window2d.validRange(offset: off, stride: g.sw, size: g.w, count: g.wo)
                    for oh in 0..<g.ho {
                        let ih = oh * g.sh - g.ph + i * g.dh
                        guard ih >= 0 && ih < g.h else { continue }
                        let d = dc + ih * g.w + off, s = row + oh * g.wo
                        if g.sw == 1 {
                            for ow in lo..<hi { d[ow] += s[ow] }
                        } else {
                            for ow in lo..<hi { d[ow * g.sw] += s[ow] }
                        }
                    }
                }
            }
        }
    }
}
