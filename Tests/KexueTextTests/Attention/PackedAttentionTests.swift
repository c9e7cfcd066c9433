import XCTest
@testable import Kexue
@testable import KexueText

/// Attention over packed projections ([B, T, H·D], heads read in place) equals the split-heads
/// path it replaced in BERT: values and gradients, with a padding mask and cross-attention
/// lengths (T ≠ S), in Float32 (the BLAS paths BERT runs) and Float64.
final class PackedAttentionTests: XCTestCase {
    func testPackedEqualsSplitHeadsForwardAndBackward() {
        var rng = RandomGenerator(seed: 21)
        let (b, t, s, h, d) = (2, 5, 7, 3, 4)
        for dtype in [DType.float32, .float64] {
            let q = Tensor.normal([b, t, h * d], dtype: dtype, using: &rng).requiringGrad()
            let k = Tensor.normal([b, s, h * d], dtype: dtype, using: &rng).requiringGrad()
            let v = Tensor.normal([b, s, h * d], dtype: dtype, using: &rng).requiringGrad()
            let keep = Tensor(doubles: (0..<(b * s)).map { $0 % s < s - 2 || $0 < s ? 1 : 0 }, shape: [b, s]).to(dtype)
            let bias = ((keep - 1) * 1e9).reshaped([b, 1, 1, s])
            let upstream = Tensor.normal([b, t, h * d], dtype: dtype, using: &rng)
            func split(_ x: Tensor) -> Tensor { x.reshaped([b, x.shape[1], h, d]).permuted(0, 2, 1, 3) }
            let reference = scaledDotProductAttention(query: split(q), key: split(k), value: split(v), bias: bias)
                .permuted(0, 2, 1, 3).reshaped([b, t, h * d])
            let packed = scaledDotProductAttention(packedQuery: q, key: k, value: v, heads: h, bias: bias)
            let tolerance = dtype == .float32 ? 1e-5 : 1e-12
            assertClose(packed.doubles, reference.doubles, tolerance, "\(dtype) forward")
            let gPacked = gradients(of: (packed * upstream).sum(), wrt: [q, k, v])
            let gReference = gradients(of: (reference * upstream).sum(), wrt: [q, k, v])
            for (name, (x, y)) in zip(["q", "k", "v"], zip(gPacked, gReference)) {
                assertClose(x.doubles, y.doubles, tolerance, "\(dtype) d\(name)")
            }
        }
    }

    func testOutputShapesIncludingTransposedWeights() {
        let q = Tensor.zeros([1, 2, 6]), k = Tensor.zeros([1, 3, 6])
        XCTAssertEqual(headScores(q, k, heads: 3).shape, [1, 3, 2, 3])
        XCTAssertEqual(headContext(Tensor.zeros([1, 3, 2, 3]), k, heads: 3).shape, [1, 2, 6])
        XCTAssertEqual(headContext(Tensor.zeros([1, 3, 3, 2]), k, heads: 3, transposeWeights: true).shape, [1, 2, 6])
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ tolerance: Double, _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        let worst = zip(a, b).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, what)
    }
}
