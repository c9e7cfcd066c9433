import XCTest
import Foundation
@testable import Kexue

/// Forward values of the core ops against direct formulas, in Float32 against Float64 libm.
final class OpValueTests: XCTestCase {
    func assertClose(_ a: [Double], _ b: [Double], atol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let worst = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, atol, "\(what): max |Δ| = \(worst)", file: file, line: line)
    }

    func testVectorMathMatchesLibm() {
        let xs = stride(from: -30.0, through: 30.0, by: 0.01).map { Float($0) }
        let t = Tensor(xs)
        let e = t.exp().floats, er = t.erf().floats, th = t.tanh().floats, sg = t.sigmoid().floats
        for (i, x) in xs.enumerated() {
            let ref = Foundation.exp(Double(x))
            XCTAssertLessThanOrEqual(Swift.abs(Double(e[i]) - ref) / ref, 3e-7, "exp(\(x))")
            XCTAssertLessThanOrEqual(Swift.abs(Double(er[i]) - Foundation.erf(Double(x))), 3e-7, "erf(\(x))")
            XCTAssertLessThanOrEqual(Swift.abs(Double(th[i]) - Foundation.tanh(Double(x))), 3e-7, "tanh(\(x))")
            XCTAssertLessThanOrEqual(Swift.abs(Double(sg[i]) - 1 / (1 + Foundation.exp(-Double(x)))), 3e-7, "sigmoid(\(x))")
        }
        XCTAssertEqual(Tensor([-1000, -Float.infinity, 1000, Float.infinity]).exp().floats, [0, 0, .infinity, .infinity])
        XCTAssertTrue(Tensor([Float.nan]).exp().floats[0].isNaN)
        XCTAssertEqual(Double(Tensor([88.7]).exp().floats[0]), Foundation.exp(Double(Float(88.7))), accuracy: 1e32)
    }

    func testGELUFloat32MatchesFloat64() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.normal([4096], std: 3, dtype: .float64, using: &rng)
        // Inputs reach |x| ≈ 10, where one Float32 ulp is 1e-6.
        assertClose(x.to(.float32).gelu().doubles, x.gelu().doubles, atol: 2e-6, "gelu erf")
        assertClose(x.to(.float32).gelu(approximate: .tanh).doubles, x.gelu(approximate: .tanh).doubles, atol: 2e-6, "gelu tanh")
    }

    func testMatmulMatchesNaiveProduct() {
        var rng = RandomGenerator(seed: 4)
        let a = Tensor.normal([2, 5, 7], dtype: .float64, using: &rng), b = Tensor.normal([2, 7, 3], dtype: .float64, using: &rng)
        let c = matmul(a, b).doubles
        let av = a.doubles, bv = b.doubles
        var ref: [Double] = []
        for n in 0..<2 { for i in 0..<5 { for j in 0..<3 {
            ref.append((0..<7).reduce(0.0) { $0 + av[n * 35 + i * 7 + $1] * bv[n * 21 + $1 * 3 + j] })
        } } }
        assertClose(c, ref, atol: 1e-12, "batched matmul")
        assertClose(matmul(a, b.transposed(), transposeB: true).doubles, ref, atol: 1e-12, "transposeB flag")
        assertClose(matmul(a.transposed(), b, transposeA: true).doubles, ref, atol: 1e-12, "transposeA flag")
    }

    func testSoftmaxAndLayerNormValues() {
        let x = Tensor([1, 2, 3, -1, 0, 1000], shape: [2, 3])
        let s = x.softmax().doubles
        let e = [Foundation.exp(-2.0), Foundation.exp(-1.0), 1.0]
        let z = e.reduce(0, +)
        assertClose(Array(s[0..<3]), e.map { $0 / z }, atol: 1e-7, "softmax row")
        assertClose(Array(s[3..<6]), [0, 0, 1], atol: 1e-7, "softmax with a huge logit")
        assertClose(x.logSoftmax().doubles.prefix(3).map { $0 }, e.map { Foundation.log($0 / z) }, atol: 1e-6, "logSoftmax")
        let y = layerNorm(Tensor([1, 2, 3, 4], shape: [1, 4]), weight: Tensor([1, 1, 2, 2]), bias: Tensor([0, 0, 0, 1]), eps: 0).doubles
        let sd = (1.25).squareRoot()
        assertClose(y, [-1.5 / sd, -0.5 / sd, 2 * 0.5 / sd, 2 * 1.5 / sd + 1], atol: 1e-6, "layerNorm")
    }

    func testReductionsAndBroadcasting() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(x.sum(axis: 0).floats, [5, 7, 9])
        XCTAssertEqual(x.sum(axis: 1, keepDims: true).shape, [2, 1])
        XCTAssertEqual(x.max(axis: 1).floats, [3, 6])
        XCTAssertEqual(x.argmax(axis: 0).int32s, [1, 1, 1])
        XCTAssertEqual(x.mean().item, 3.5)
        XCTAssertEqual((x + Tensor([10, 20, 30])).floats, [11, 22, 33, 14, 25, 36])
        XCTAssertEqual((x * Tensor([2, 3], shape: [2, 1])).floats, [2, 4, 6, 12, 15, 18])
        XCTAssertEqual(x.variance(axes: [1]).floats, [2.0 / 3, 2.0 / 3].map { Float($0) })
        XCTAssertEqual(x.logsumexp(axis: 1).doubles[0], Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)), accuracy: 1e-6)
        XCTAssertEqual(Tensor([-Float.infinity, -Float.infinity]).logsumexp(axis: 0).item, -.infinity)
    }

    func testShapeAndIndexOps() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(x.transposed().floats, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(x.sliced(axis: 1, 1, 3).floats, [2, 3, 5, 6])
        XCTAssertEqual(x.padded(axis: 0, before: 1, after: 0, value: -1).floats, [-1, -1, -1, 1, 2, 3, 4, 5, 6])
        XCTAssertEqual(concat([x, x], axis: 0).shape, [4, 3])
        XCTAssertEqual(stack([x, x], axis: 2).shape, [2, 3, 2])
        XCTAssertEqual(x.cumsum(axis: 1).floats, [1, 3, 6, 4, 9, 15])
        let (v, i) = Tensor([3, 1, 4, 1, 5, 9, 2, 6]).topk(3)
        XCTAssertEqual(v.floats, [9, 6, 5])
        XCTAssertEqual(i.int32s, [5, 7, 4])
        XCTAssertEqual(Tensor([2, Float.nan, 1]).sorted().values.floats.prefix(2).map { $0 }, [1, 2])
        XCTAssertEqual(x.rows(Tensor(indices: [1, 1, 0])).floats, [4, 5, 6, 4, 5, 6, 1, 2, 3])
        XCTAssertEqual(Tensor.oneHot(Tensor(indices: [2, 0]), classes: 3).floats, [0, 0, 1, 1, 0, 0])
        XCTAssertEqual(x.maskedFill(Tensor([1, 0, 0], shape: [3]), -Double.infinity).floats[0], -.infinity)
        XCTAssertEqual(x.reshaped([3, -1]).shape, [3, 2])
    }

    func testIEEEResultsForInvalidInputs() {
        let y = Tensor([-1, 0, 4]).log().floats
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(y[1], -.infinity)
        XCTAssertTrue(Tensor([-4]).sqrt().floats[0].isNaN)
    }

    /// The Float32 C kernels (relu, 2×2 max pooling, im2col/col2im) against the Float64 Swift
    /// loops, including NaN, ties and odd plane sizes.
    func testFloat32KernelsMatchFloat64Paths() {
        var rng = RandomGenerator(seed: 11)
        let r = Tensor.normal([2, 3, 7, 9], using: &rng)
        var values = r.floats
        values[5] = .nan; values[40] = values[41]   // a NaN and a tie
        let x32 = Tensor(values, shape: r.shape).requiringGrad()
        let x64 = Tensor(doubles: values.map(Double.init), shape: r.shape).requiringGrad()
        // relu: a NaN passes through (PyTorch); the gradient is g where x > 0.
        let relu32 = x32.relu(), relu64 = x64.relu()
        XCTAssertTrue(relu32.floats[5].isNaN && relu64.doubles[5].isNaN)
        let g = Tensor.normal(r.shape, using: &rng)
        let gd = Tensor(doubles: g.floats.map(Double.init), shape: g.shape)
        assertClose(gradients(of: (relu32 * g).sum(), wrt: [x32])[0].doubles,
                    gradients(of: (relu64 * gd).sum(), wrt: [x64])[0].doubles, atol: 0, "relu backward")
        // SiLU (swish) forward and fused backward.
        let clean32 = Tensor(values.map { $0.isNaN ? 0 : $0 }, shape: r.shape).requiringGrad()
        let clean64 = Tensor(doubles: clean32.doubles, shape: r.shape).requiringGrad()
        assertClose(clean32.silu().doubles, clean64.silu().doubles, atol: 1e-6, "silu forward")
        assertClose(gradients(of: (clean32.silu() * g).sum(), wrt: [clean32])[0].doubles,
                    gradients(of: (clean64.silu() * gd).sum(), wrt: [clean64])[0].doubles, atol: 1e-5, "silu backward")
        // 2×2 max pooling on a 7×9 plane (floor: 3×4), values and argmax routing.
        let p32 = maxPool2d(x32, kernel: (2, 2)), p64 = maxPool2d(x64, kernel: (2, 2))
        XCTAssertEqual(p32.shape, [2, 3, 3, 4])
        XCTAssertEqual(p32.floats.map { $0.isNaN }, p64.doubles.map { $0.isNaN })
        let pg = Tensor.normal(p32.shape, using: &rng)
        let pgd = Tensor(doubles: pg.floats.map(Double.init), shape: pg.shape)
        let d32 = gradients(of: (p32 * pg).sum(), wrt: [x32])[0].doubles
        let d64 = gradients(of: (p64 * pgd).sum(), wrt: [x64])[0].doubles
        assertClose(d32.map { $0.isNaN ? 0 : $0 }, d64.map { $0.isNaN ? 0 : $0 }, atol: 1e-6, "max pool backward")
        // Convolution with stride, padding and dilation: im2col forward, col2im backward.
        let clean = clean32
        let w = Tensor.normal([4, 3, 3, 2], using: &rng)
        let w64 = Tensor(doubles: w.doubles, shape: w.shape)
        let c32 = conv2d(clean, weight: w, stride: (2, 1), padding: (1, 2), dilation: (2, 1))
        let c64 = conv2d(clean64, weight: w64, stride: (2, 1), padding: (1, 2), dilation: (2, 1))
        assertClose(c32.doubles, c64.doubles, atol: 1e-4, "conv forward")
        let cg = Tensor.normal(c32.shape, using: &rng)
        let cgd = Tensor(doubles: cg.doubles, shape: cg.shape)
        assertClose(gradients(of: (c32 * cg).sum(), wrt: [clean])[0].doubles,
                    gradients(of: (c64 * cgd).sum(), wrt: [clean64])[0].doubles, atol: 1e-4, "conv backward (col2im)")
    }

    /// The fused softmax(scale·x + bias) in Float32 equals the unfused ops for every bias layout
    /// attention uses, and its gradient equals theirs.
    func testFusedScaledMaskedSoftmaxMatchesUnfused() {
        var rng = RandomGenerator(seed: 12)
        let x = Tensor.normal([2, 3, 4, 6], using: &rng)
        for biasShape in [[2, 1, 1, 6], [2, 1, 4, 6], [2, 3, 4, 1], [6], [2, 3, 4, 6]] {
            var b = Tensor.normal(biasShape, using: &rng).floats
            if biasShape == [2, 1, 1, 6] { b[2] = -1e9 }   // a masked key
            let bias = Tensor(b, shape: biasShape)
            let xs = Tensor(x.floats, shape: x.shape).requiringGrad(), xu = Tensor(x.floats, shape: x.shape).requiringGrad()
            let fused = xs.softmax(scale: 0.35, bias: bias), unfused = (xu * 0.35 + bias).softmax()
            assertClose(fused.doubles, unfused.doubles, atol: 1e-6, "forward, bias \(biasShape)")
            let g = Tensor.normal(x.shape, using: &rng)
            assertClose(gradients(of: (fused * g).sum(), wrt: [xs])[0].doubles,
                        gradients(of: (unfused * g).sum(), wrt: [xu])[0].doubles, atol: 1e-6, "backward, bias \(biasShape)")
        }
    }

    /// Reductions over a non-last axis (row-by-row blocks of outputs) equal the in-order fold of
    /// each column bit for bit, across block edges (inner 300 > 256), with NaN propagating in max/min.
    func testMiddleAxisReductionsEqualTheInOrderFold() {
        var rng = RandomGenerator(seed: 31)
        let (outer, size, inner) = (3, 7, 300)
        for dtype in [DType.float32, .float64] {
            let x = Tensor.normal([outer, size, inner], dtype: dtype, using: &rng)
            var values = x.doubles
            values[(1 * size + 4) * inner + 299] = .nan   // one NaN in outer 1, column 299
            let t = Tensor(doubles: values, shape: [outer, size, inner]).to(dtype)
            let v = t.doubles
            for (name, op, fold) in [("sum", { (a: Tensor) in a.sum(axis: 1) }, { (a: Double, b: Double) in a + b }),
                                     ("max", { (a: Tensor) in a.max(axis: 1) }, { (a: Double, b: Double) in b > a || b.isNaN ? b : a }),
                                     ("min", { (a: Tensor) in a.min(axis: 1) }, { (a: Double, b: Double) in b < a || b.isNaN ? b : a })] {
                let got = op(t).doubles
                for o in 0..<outer {
                    for i in 0..<inner {
                        var acc = v[o * size * inner + i]
                        for s in 1..<size {
                            let b = v[(o * size + s) * inner + i]
                            acc = dtype == .float32 ? Double(Float(fold(acc, b))) : fold(acc, b)
                        }
                        let g = got[o * inner + i]
                        XCTAssertTrue(g == acc || (g.isNaN && acc.isNaN), "\(name) \(dtype) [\(o), :, \(i)]: \(g) vs \(acc)")
                    }
                }
            }
        }
    }

    /// The Float32 layer-norm backward (C kernels, row blocks with partial parameter sums) equals
    /// the Float64 path to rounding, gives identical bits at 1 and 2 threads, and handles zero rows.
    func testLayerNormFloat32BackwardMatchesFloat64AndThreads() {
        var rng = RandomGenerator(seed: 41)
        let x64 = Tensor.normal([100, 37], dtype: .float64, using: &rng), g64 = Tensor.normal([100, 37], dtype: .float64, using: &rng)
        let w64 = Tensor.normal([37], dtype: .float64, using: &rng), b64 = Tensor.normal([37], dtype: .float64, using: &rng)
        func grads(_ dtype: DType) -> [[Double]] {
            let (x, w, b) = (x64.to(dtype).detached().requiringGrad(), w64.to(dtype).detached().requiringGrad(), b64.to(dtype).detached().requiringGrad())
            return gradients(of: (layerNorm(x, weight: w, bias: b) * g64.to(dtype)).sum(), wrt: [x, w, b]).map(\.doubles)
        }
        let reference = grads(.float64)
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        Runtime.threads = 1
        let one = grads(.float32)
        Runtime.threads = 2
        let two = grads(.float32)
        XCTAssertEqual(one, two, "layer-norm backward differs between 1 and 2 threads")
        for (name, (a, r)) in zip(["dx", "dw", "db"], zip(two, reference)) {
            let worst = zip(a, r).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4, name)
        }
        let empty = Tensor.zeros([0, 5]).requiringGrad(), w = Tensor.ones([5]).requiringGrad()
        let dw = gradients(of: layerNorm(empty, weight: w, bias: nil).sum(), wrt: [w])[0]
        XCTAssertEqual(dw.floats, [0, 0, 0, 0, 0])
    }

    /// The Float32 layer-norm forward (one pass over x − x₀ for both moments, the two-pass formula
    /// when x₀ is an outlier) agrees with Float64 on rows that defeat a naive E[x²] − μ²: a mean
    /// 1,000σ from zero, an outlier first element, a constant row, and ordinary rows.
    func testLayerNormFloat32ForwardIsAccurateOnOffsetAndOutlierRows() {
        var rng = RandomGenerator(seed: 43)
        let n = 1536
        var rows: [[Double]] = []
        let base = Tensor.normal([6, n], dtype: .float64, using: &rng).doubles
        for r in 0..<6 { rows.append(Array(base[(r * n)..<((r + 1) * n)])) }
        rows[1] = rows[1].map { $0 + 1000 }            // |μ| ≫ σ
        rows[2][0] = 60                                 // an outlier feature in the first place
        rows[3][0] = -3.9                               // just inside the one-pass range
        rows[4] = [Double](repeating: 7, count: n)      // σ = 0: y = 0 (eps)
        rows[5] = rows[5].map { $0 * 1e-3 + 0.5 }       // small σ, offset mean
        let x64 = Tensor(doubles: rows.flatMap { $0 }, shape: [rows.count, n])
        let reference = layerNorm(x64, weight: nil, bias: nil, eps: 1e-12).doubles
        let got = layerNorm(x64.to(.float32), weight: nil, bias: nil, eps: 1e-12).doubles
        for r in 0..<rows.count {
            let worst = (0..<n).map { Swift.abs(got[r * n + $0] - reference[r * n + $0]) }.max()!
            XCTAssertLessThan(worst, r == 1 ? 2e-3 : 2e-4, "row \(r): worst |Float32 − Float64| = \(worst)")
        }
    }

    func testRandomIsReproducibleAndThreadIndependent() {
        var r1 = RandomGenerator(seed: 42), r2 = RandomGenerator(seed: 42)
        XCTAssertEqual(Tensor.normal([100], using: &r1).floats, Tensor.normal([100], using: &r2).floats)
        var rng = RandomGenerator(seed: 7)
        let x = Tensor.normal([64, 3000], using: &rng)
        let saved = Runtime.threads
        Runtime.threads = 1
        let one = (x.sum(axis: 1).floats, x.softmax().floats, x.gelu().floats, layerNorm(x, weight: nil, bias: nil).floats, x.sum().floats)
        Runtime.threads = 2
        let two = (x.sum(axis: 1).floats, x.softmax().floats, x.gelu().floats, layerNorm(x, weight: nil, bias: nil).floats, x.sum().floats)
        Runtime.threads = saved
        XCTAssertEqual(one.0, two.0); XCTAssertEqual(one.1, two.1); XCTAssertEqual(one.2, two.2)
        XCTAssertEqual(one.3, two.3); XCTAssertEqual(one.4, two.4)
        let n = Tensor.normal([200_000], dtype: .float64, using: &rng).doubles
        let mean = n.reduce(0, +) / Double(n.count)
        let variance = n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n.count)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.01)
    }
}
