import CKernels

/// Geometry of a 2-D sliding window over the [H, W] planes of an NCHW tensor — shared by
/// convolution and pooling. Output size follows PyTorch (floor mode):
/// Ho = ⌊(H + 2·ph − dh·(kh − 1) − 1)/sh⌋ + 1.
struct Window2d: Sendable {
    let h: Int, w: Int       // input plane
    let kh: Int, kw: Int     // kernel
    let sh: Int, sw: Int     // stride
    let ph: Int, pw: Int     // zero padding on each side
    let dh: Int, dw: Int     // dilation
    let ho: Int, wo: Int     // output plane

    init(h: Int, w: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
         dilation: (Int, Int) = (1, 1), op: String) {
        precondition(kernel.0 > 0 && kernel.1 > 0 && stride.0 > 0 && stride.1 > 0 && dilation.0 > 0 && dilation.1 > 0
                     && padding.0 >= 0 && padding.1 >= 0,
                     "\(op): kernel \(kernel), stride \(stride), dilation \(dilation) must be positive and padding \(padding) non-negative")
        self.h = h; self.w = w
        (kh, kw) = kernel; (sh, sw) = stride; (ph, pw) = padding; (dh, dw) = dilation
        ho = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1
        wo = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1
        precondition(h + 2 * ph >= dh * (kh - 1) + 1 && w + 2 * pw >= dw * (kw - 1) + 1,
                     "\(op): a \(kh)×\(kw) window (dilation \(dilation), padding \(padding)) does not fit a \(h)×\(w) input")
    }

    /// The same numbers for the C kernels.
    var c: kx_window { kx_window(h: h, w: w, kh: kh, kw: kw, sh: sh, sw: sw, ph: ph, pw: pw, dh: dh, dw: dw, ho: ho, wo: wo) }

    var inputPlane: Int { h * w }
    var outputPlane: Int { ho * wo }
    var taps: Int { kh * kw }
    /// Height and width of the input with its zero padding.
    var paddedH: Int { h + 2 * ph }
    var paddedW: Int { w + 2 * pw }

    /// Output indices [lo, hi) whose input index `o·stride + offset` falls inside 0..<size.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, size: Int, count: Int) -> (Int, Int) {
        let lo = offset >= 0 ? 0 : Swift.min(count, (-offset + stride - 1) / stride)
        let last = size - 1 - offset
        let hi = last < 0 ? 0 : Swift.min(count, last / stride + 1)
        return (lo, Swift.max(lo, hi))
    }

    /// Copies one [H, W] plane into the interior of a [paddedH, paddedW] buffer whose border
    /// the caller has zeroed once.
    @inline(__always)
    func pad<T>(_ src: UnsafePointer<T>, into dst: UnsafeMutablePointer<T>) {
        let pwid = paddedW
        for r in 0..<h { (dst + (r + ph) * pwid + pw).update(from: src + r * w, count: w) }
    }
}

/// Scratch memory for one thread of a kernel, from the buffer pool.
struct Scratch<T> {
    let storage: Storage
    let pointer: UnsafeMutablePointer<T>
    init(_ count: Int, zeroed: Bool = false) {
        storage = Storage(byteCount: Swift.max(count, 1) * MemoryLayout<T>.stride)
        pointer = storage.data.bindMemory(to: T.self, capacity: Swift.max(count, 1))
        if zeroed { storage.data.initializeMemory(as: UInt8.self, repeating: 0, count: storage.byteCount) }
    }
}

/// Per-channel sums of a tensor viewed as [N, C, S] (bias gradients), one channel per thread
/// at a time in a fixed order, so the sums do not depend on the thread count.
enum ChannelSum {
    static func run<T: KexueFloat>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, n: Int, c: Int, s: Int) {
        parallelChunks(c, grain: Swift.max(1, 32768 / Swift.max(n * s, 1))) { range in
            for ch in range {
                var acc: T = 0
                for i in 0..<n { acc += AxisReduce.reduceContiguous(.sum, x + (i * c + ch) * s, s) }
                out[ch] = acc
            }
        }
    }
}
