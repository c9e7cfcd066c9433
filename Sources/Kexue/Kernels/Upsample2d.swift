/// Nearest and bilinear up-sampling of NCHW planes, one plane per task (parallel over N·C).
/// Backward passes scatter into the task's own input plane, so sums never race.
enum Upsample2d {
    static func nearestForward<T: KexueFloat>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                              planes: Int, h: Int, w: Int, scale s: Int) {
        let wo = w * s
        parallelChunks(planes, grain: Swift.max(1, 16384 / Swift.max(h * w * s * s, 1))) { range in
            for p in range {
                let xp = x + p * h * w, yp = y + p * h * w * s * s
                for ih in 0..<h {
                    let row = yp + ih * s * wo
                    for iw in 0..<w { (row + iw * s).update(repeating: xp[ih * w + iw], count: s) }
                    for r in 1..<s { (row + r * wo).update(from: row, count: wo) }
                }
            }
        }
    }

    static func nearestBackward<T: KexueFloat>(_ gy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                               planes: Int, h: Int, w: Int, scale s: Int) {
        let wo = w * s
        parallelChunks(planes, grain: Swift.max(1, 16384 / Swift.max(h * w * s * s, 1))) { range in
            for p in range {
                let dp = dx + p * h * w, gp = gy + p * h * w * s * s
                for ih in 0..<h {
                    for iw in 0..<w {
                        var acc: T = 0
                        for a in 0..<s { for b in 0..<s { acc += gp[(ih * s + a) * wo + iw * s + b] } }
                        dp[ih * w + iw] = acc
                    }
                }
            }
        }
    }

    /// Source indices and weights along one axis, as PyTorch's `compute_indices_weights_linear`:
    /// src = (dst + ½)·(1/scale) − ½ clamped at 0 (or dst·(in − 1)/(out − 1) with align corners);
    /// i0 = ⌊src⌋, i1 = i0 + 1 except at the last row, λ = src − i0.
    static func linearTaps<T: KexueFloat>(input: Int, output: Int, scale: Int, alignCorners: Bool) -> [(Int, Int, T, T)] {
        let ratio: T = alignCorners ? (output > 1 ? T(input - 1) / T(output - 1) : 0) : T(1) / T(scale)
        return (0..<output).map { dst in
            var src = alignCorners ? ratio * T(dst) : ratio * (T(dst) + 0.5) - 0.5
            if src < 0 { src = 0 }
            let i0 = Swift.min(Int(src.rounded(.down)), input - 1)
            let lambda = Swift.min(Swift.max(src - T(i0), 0), 1)
            return (i0, i0 < input - 1 ? i0 + 1 : i0, 1 - lambda, lambda)
        }
    }

    static func bilinearForward<T: KexueFloat>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, planes: Int,
                                               h: Int, w: Int, scale: Int, alignCorners: Bool) {
        let ho = h * scale, wo = w * scale
        let th: [(Int, Int, T, T)] = linearTaps(input: h, output: ho, scale: scale, alignCorners: alignCorners)
        let tw: [(Int, Int, T, T)] = linearTaps(input: w, output: wo, scale: scale, alignCorners: alignCorners)
        th.withUnsafeBufferPointer { th in
            tw.withUnsafeBufferPointer { tw in
                parallelChunks(planes, grain: Swift.max(1, 8192 / Swift.max(ho * wo, 1))) { range in
                    for p in range {
                        let xp = x + p * h * w, yp = y + p * ho * wo
                        for oh in 0..<ho {
                            let (h0, h1, a0, a1) = th[oh]
                            let r0 = xp + h0 * w, r1 = xp + h1 * w, row = yp + oh * wo
                            for ow in 0..<wo {
                                let (w0, w1, b0, b1) = tw[ow]
                                row[ow] = a0 * (b0 * r0[w0] + b1 * r0[w1]) + a1 * (b0 * r1[w0] + b1 * r1[w1])
                            }
                        }
                    }
                }
            }
        }
    }

    static func bilinearBackward<T: KexueFloat>(_ gy: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, planes: Int,
                                                h: Int, w: Int, scale: Int, alignCorners: Bool) {
        let ho = h * scale, wo = w * scale
        let th: [(Int, Int, T, T)] = linearTaps(input: h, output: ho, scale: scale, alignCorners: alignCorners)
        let tw: [(Int, Int, T, T)] = linearTaps(input: w, output: wo, scale: scale, alignCorners: alignCorners)
        th.withUnsafeBufferPointer { th in
            tw.withUnsafeBufferPointer { tw in
                parallelChunks(planes, grain: Swift.max(1, 8192 / Swift.max(ho * wo, 1))) { range in
                    for p in range {
                        let dp = dx + p * h * w, gp = gy + p * ho * wo
                        dp.update(repeating: 0, count: h * w)
                        for oh in 0..<ho {
                            let (h0, h1, a0, a1) = th[oh]
                            let r0 = dp + h0 * w, r1 = dp + h1 * w, row = gp + oh * wo
                            for ow in 0..<wo {
                                let (w0, w1, b0, b1) = tw[ow]
                                let v = row[ow]
                                r0[w0] += a0 * b0 * v; r0[w1] += a0 * b1 * v
                                r1[w0] += a1 * b0 * v; r1[w1] += a1 * b1 * v
                            }
                        }
                    }
                }
            }
        }
    }
}
