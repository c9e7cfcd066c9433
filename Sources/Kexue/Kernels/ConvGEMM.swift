/// Convolution as GEMM: per image and group, im2col then one BLAS product (DESIGN.md §3).
///
/// Shapes: x [N, C, H, W], w [O, C/groups, kh, kw], y [N, O, Ho, Wo]. For group g of image n,
/// `y[n, g] [Og, Ho·Wo] = W_g [Og, Cg·kh·kw] · col(x[n, g]) [Cg·kh·kw, Ho·Wo]`. A 1×1 stride-1
/// unpadded convolution skips im2col: the image itself is the col matrix.
struct ConvGEMM {
    let n: Int, c: Int, o: Int, groups: Int
    let win: Window2d

    var cg: Int { c / groups }
    var og: Int { o / groups }
    /// Rows of one group's col matrix (= columns of its weight matrix).
    var kk: Int { cg * win.taps }
    var cols: Int { win.outputPlane }
    var pointwise: Bool {
        win.kh == 1 && win.kw == 1 && win.sh == 1 && win.sw == 1 && win.ph == 0 && win.pw == 0
    }

    /// Runs `body` over the images, several at once (BLAS is single-threaded; see `Runtime`).
    /// Each image is computed by the same calls either way, so results do not depend on the
    /// thread count.
    static func overImages(_ count: Int, _ body: (Range<Int>) -> Void) {
        parallelChunks(count, grain: 1, body)
    }

    func forward<T: KexueFloat>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ b: UnsafePointer<T>?,
                                _ y: UnsafeMutablePointer<T>) {
        Self.overImages(n) { images in
            let scratch = pointwise ? nil : Scratch<T>(kk * cols)   // col [kk, Ho·Wo]
            withExtendedLifetime(scratch) {
                for img in images {
                    for g in 0..<groups {
                        let xg = x + (img * c + g * cg) * win.inputPlane
                        var src = xg
                        if let col = scratch?.pointer {
                            Im2Col.pack(xg, col, win, channels: 0..<cg)
                            src = UnsafePointer(col)
                        }
                        let yg = y + (img * o + g * og) * cols   // [Og, Ho·Wo]
                        if let b {
                            for r in 0..<og { (yg + r * cols).update(repeating: b[g * og + r], count: cols) }
                        }
                        GEMM.run(T.dtype, transA: false, transB: false, m: og, n: cols, k: kk,
                                 a: w + g * og * kk, b: src, c: yg, accumulate: b != nil)
                    }
                }
            }
        }
    }

    /// dx (overwritten) and dw (overwritten); db comes from `ChannelSum`.
    /// dW sums per-image products p_n = gy_n · col_nᵀ in image order (dW = ((p_0 + p_1) + p_2) …),
    /// computed in waves of images so the partial products fit a memory budget.
    func backward<T: KexueFloat>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ gy: UnsafePointer<T>,
                                 dx: UnsafeMutablePointer<T>?, dw: UnsafeMutablePointer<T>?) {
        let wsize = o * kk
        let wave = dw == nil ? n : Swift.max(1, Swift.min(n, Swift.max(Runtime.threads, (8 << 20) / Swift.max(wsize, 1))))
        let partial = dw.map { _ in Scratch<T>(wave * wsize) }   // [wave, O, kk]
        if let dw { dw.update(repeating: 0, count: wsize) }
        if let dx, !pointwise { dx.update(repeating: 0, count: n * c * win.inputPlane) }
        var start = 0
        while start < n {
            let count = Swift.min(wave, n - start)
            Self.overImages(count) { range in
                let col = (pointwise || dw == nil) ? nil : Scratch<T>(kk * cols)    // [kk, Ho·Wo]
                let dcol = (pointwise || dx == nil) ? nil : Scratch<T>(kk * cols)   // [kk, Ho·Wo]
                withExtendedLifetime((col, dcol)) {
                    for k in range {
                        let img = start + k
                        for g in 0..<groups {
                            let xg = x + (img * c + g * cg) * win.inputPlane
                            let gyg = gy + (img * o + g * og) * cols   // [Og, Ho·Wo]
                            let wg = w + g * og * kk                   // [Og, kk]
                            if let p = partial?.pointer {
                                var src = xg
                                if let col = col?.pointer {
                                    Im2Col.pack(xg, col, win, channels: 0..<cg)
                                    src = UnsafePointer(col)
                                }
                                GEMM.run(T.dtype, transA: false, transB: true, m: og, n: kk, k: cols,
                                         a: gyg, b: src, c: p + k * wsize + g * og * kk)
                            }
                            if let dx {
                                let dxg = dx + (img * c + g * cg) * win.inputPlane
                                if let dcol = dcol?.pointer {
                                    GEMM.run(T.dtype, transA: true, transB: false, m: kk, n: cols, k: og,
                                             a: wg, b: gyg, c: dcol)
                                    Im2Col.unpackAdd(dcol, dxg, win, channels: 0..<cg)
                                } else {
                                    GEMM.run(T.dtype, transA: true, transB: false, m: kk, n: cols, k: og,
                                             a: wg, b: gyg, c: dxg)
                                }
                            }
                        }
                    }
                }
            }
            if let dw, let p = partial?.pointer {
                parallelChunks(wsize, grain: 4096) { elems in
                    for k in 0..<count {
                        let pk = p + k * wsize
                        for e in elems { dw[e] += pk[e] }
                    }
                }
            }
            start += count
        }
        withExtendedLifetime(partial) {}
    }
}
