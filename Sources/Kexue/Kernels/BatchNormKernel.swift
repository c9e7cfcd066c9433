/// Fused batch normalisation over axis 1 of x viewed as [N, C, S], one channel per task: every
/// per-channel sum walks the images in order, so results do not depend on the thread count.
enum BatchNormKernel {
    static func grain(_ m: Int) -> Int { Swift.max(1, 32768 / Swift.max(m, 1)) }

    /// Batch statistics: mean and biased variance per channel (two passes, for accuracy).
    static func statistics<T: KexueFloat>(_ x: UnsafePointer<T>, mean: UnsafeMutablePointer<T>, variance: UnsafeMutablePointer<T>,
                                          n: Int, c: Int, s: Int) {
        let m = T(n * s)
        parallelChunks(c, grain: grain(n * s)) { range in
            for ch in range {
                var sum: T = 0
                for i in 0..<n { sum += AxisReduce.reduceContiguous(.sum, x + (i * c + ch) * s, s) }
                let mu = sum / m
                var sq: T = 0
                for i in 0..<n {
                    let row = x + (i * c + ch) * s
                    var lanes = SIMD16<T>(repeating: 0)
                    var j = 0
                    while j + 16 <= s {
                        let d = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<T>.self) - mu
                        lanes += d * d
                        j += 16
                    }
                    var tail: T = 0
                    while j < s { let d = row[j] - mu; tail += d * d; j += 1 }
                    sq += lanes.sum() + tail
                }
                mean[ch] = mu
                variance[ch] = sq / m
            }
        }
    }

    /// y = (x − mean)·invstd·w + b.
    static func normalize<T: KexueFloat>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, mean: UnsafePointer<T>,
                                         invstd: UnsafePointer<T>, _ w: UnsafePointer<T>?, _ b: UnsafePointer<T>?,
                                         n: Int, c: Int, s: Int) {
        parallelChunks(n * c, grain: grain(s)) { range in
            for r in range {
                let ch = r % c
                let scale = invstd[ch] * (w?[ch] ?? 1), mu = mean[ch], shift = b?[ch] ?? 0
                let xr = x + r * s, yr = y + r * s
                for j in 0..<s { yr[j] = (xr[j] - mu) * scale + shift }
            }
        }
    }

    /// Gradients. With batch statistics (training) the mean and variance depend on x:
    /// dx = w·invstd·(g − mean(g) − x̂·mean(g·x̂)); with running statistics dx = w·invstd·g.
    /// dw = Σ g·x̂, db = Σ g.
    static func backward<T: KexueFloat>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, mean: UnsafePointer<T>, invstd: UnsafePointer<T>,
                                        _ w: UnsafePointer<T>?, batchStatistics: Bool,
                                        dx: UnsafeMutablePointer<T>?, dw: UnsafeMutablePointer<T>?, db: UnsafeMutablePointer<T>?,
                                        n: Int, c: Int, s: Int) {
        let m = T(n * s)
        parallelChunks(c, grain: grain(n * s)) { range in
            for ch in range {
                let mu = mean[ch], rs = invstd[ch]
                var sumG: T = 0, sumGX: T = 0
                for i in 0..<n {
                    let xr = x + (i * c + ch) * s, gr = g + (i * c + ch) * s
                    var lg = SIMD16<T>(repeating: 0), lgx = SIMD16<T>(repeating: 0)
                    var j = 0
                    while j + 16 <= s {
                        let gv = UnsafeRawPointer(gr + j).loadUnaligned(as: SIMD16<T>.self)
                        let xv = UnsafeRawPointer(xr + j).loadUnaligned(as: SIMD16<T>.self)
                        lg += gv
                        lgx += gv * (xv - mu)
                        j += 16
                    }
                    var tg: T = 0, tgx: T = 0
                    while j < s { tg += gr[j]; tgx += gr[j] * (xr[j] - mu); j += 1 }
                    sumG += lg.sum() + tg
                    sumGX += lgx.sum() + tgx
                }
                sumGX *= rs   // Σ g·x̂
                dw?[ch] = sumGX
                db?[ch] = sumG
                guard let dx else { continue }
                let k = rs * (w?[ch] ?? 1)
                let meanG = batchStatistics ? sumG / m : 0
                let meanGX = batchStatistics ? sumGX / m : 0
                for i in 0..<n {
                    let xr = x + (i * c + ch) * s, gr = g + (i * c + ch) * s, dr = dx + (i * c + ch) * s
                    for j in 0..<s { dr[j] = k * (gr[j] - meanG - (xr[j] - mu) * rs * meanGX) }
                }
            }
        }
    }
}
