import XCTest
@testable import Kexue
@testable import KexueText

/// METHODS.md §3 invariants: scan = quadratic (causal), associative = quadratic (non-causal), scan
/// gradients = autodiff of the quadratic reference and finite differences, padding invariance, errors.
final class LinearAttentionTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64, dtype: DType = .float32) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.normal(shape, dtype: dtype, using: &rng)
    }

    func assertClose(_ a: Tensor, _ b: Tensor, atol: Double = 1e-4, rtol: Double = 1e-4, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        let x = a.doubles, y = b.doubles
        var worst = 0.0
        for i in 0..<x.count { worst = max(worst, abs(x[i] - y[i]) - rtol * abs(y[i])) }
        XCTAssertLessThanOrEqual(worst, atol, "\(what): excess over atol + rtol·|ref| is \(worst)", file: file, line: line)
    }

    /// [1, 1, N, N] with 1 where j ≤ i.
    func lowerTriangle(_ n: Int, dtype: DType) -> Tensor {
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { v[i * n + j] = 1 } }
        return Tensor(doubles: v, shape: [1, 1, n, n]).to(dtype)
    }

    func testCausalScanEqualsQuadraticReference() throws {
        for fm in [EluPlusOne(), ReLUFeatures()] as [FeatureMap] {
            let q = random([2, 3, 37, 8], seed: 1), k = random([2, 3, 37, 8], seed: 2), v = random([2, 3, 37, 6], seed: 3)
            let scan = try linearAttention(query: q, key: k, value: v, mask: .causal(keyMask: nil), featureMap: fm)
            let ref = quadraticLinearAttentionReference(query: q, key: k, value: v, allowed: lowerTriangle(37, dtype: .float32), featureMap: fm)
            assertClose(scan, ref, "causal scan vs quadratic (\(type(of: fm)))")
        }
    }

    func testNonCausalAssociativeEqualsQuadraticReference() throws {
        let q = random([2, 2, 11, 8], seed: 4), k = random([2, 2, 19, 8], seed: 5), v = random([2, 2, 19, 5], seed: 6)
        let out = try linearAttention(query: q, key: k, value: v, mask: .padding(keyMask: nil))
        let ref = quadraticLinearAttentionReference(query: q, key: k, value: v, allowed: nil)
        assertClose(out, ref, "associative vs quadratic")
    }

    func testScanGradientsEqualAutodiffOfQuadraticReference() throws {
        let n = 13
        let q = random([1, 2, n, 4], seed: 7, dtype: .float64).requiringGrad()
        let k = random([1, 2, n, 4], seed: 8, dtype: .float64).requiringGrad()
        let v = random([1, 2, n, 3], seed: 9, dtype: .float64).requiringGrad()
        let r = random([1, 2, n, 3], seed: 10, dtype: .float64)
        let scan = try linearAttention(query: q, key: k, value: v, mask: .causal(keyMask: nil))
        XCTAssertTrue(scan.recordedOps().contains(.causalLinearAttention), "the scan op must be on the tape")
        let gScan = gradients(of: (scan * r).sum(), wrt: [q, k, v])
        let ref = quadraticLinearAttentionReference(query: q, key: k, value: v, allowed: lowerTriangle(n, dtype: .float64))
        let gRef = gradients(of: (ref * r).sum(), wrt: [q, k, v])
        for (name, a, b) in zip3(["q", "k", "v"], gScan, gRef) {
            assertClose(a, b, atol: 1e-10, rtol: 1e-10, "∂L/∂\(name)")
        }
    }

    /// N = 150 spans three chunks of the GEMM scan (64, 64, 22): outputs and all three gradients
    /// equal the quadratic reference in Float64.
    func testChunkedScanAcrossChunkBoundaries() throws {
        let n = 150
        let q = random([2, 2, n, 5], seed: 41, dtype: .float64).requiringGrad()
        let k = random([2, 2, n, 5], seed: 42, dtype: .float64).requiringGrad()
        let v = random([2, 2, n, 3], seed: 43, dtype: .float64).requiringGrad()
        let r = random([2, 2, n, 3], seed: 44, dtype: .float64)
        let scan = try linearAttention(query: q, key: k, value: v, mask: .causal(keyMask: nil))
        let ref = quadraticLinearAttentionReference(query: q, key: k, value: v, allowed: lowerTriangle(n, dtype: .float64))
        assertClose(scan, ref, atol: 1e-10, rtol: 1e-10, "chunked scan vs quadratic at N = \(n)")
        let gScan = gradients(of: (scan * r).sum(), wrt: [q, k, v])
        let gRef = gradients(of: (ref * r).sum(), wrt: [q, k, v])
        for (name, a, b) in zip3(["q", "k", "v"], gScan, gRef) {
            assertClose(a, b, atol: 1e-9, rtol: 1e-9, "∂L/∂\(name) at N = \(n)")
        }
    }

    func testCausalLinearAttentionFiniteDifferences() {
        let inputs = [random([1, 2, 6, 3], seed: 11, dtype: .float64), random([1, 2, 6, 3], seed: 12, dtype: .float64),
                      random([1, 2, 6, 2], seed: 13, dtype: .float64)]
        let mask = Tensor(doubles: [1, 1, 1, 1, 0, 1], shape: [1, 6])
        let result = gradCheck(inputs) { x in
            try! linearAttention(query: x[0], key: x[1], value: x[2], mask: .causal(keyMask: mask))
        }
        XCTAssertTrue(result.passed, "\(result)")
    }

    func testPaddedKeysDoNotChangeRealOutputs() throws {
        let q = random([2, 2, 9, 8], seed: 14), k = random([2, 2, 9, 8], seed: 15), v = random([2, 2, 9, 4], seed: 16)
        // Batch row 0 has 6 real tokens, row 1 all 9; the padded keys carry random garbage.
        var m = [Float](repeating: 1, count: 18)
        for j in 6..<9 { m[j] = 0 }
        let mask = Tensor(m, shape: [2, 9])
        let real = { (t: Tensor) in t.sliced(axis: 0, 0, 1).sliced(axis: 2, 0, 6) }
        for causal in [false, true] {
            let padded = try linearAttention(query: q, key: k, value: v,
                                             mask: causal ? .causal(keyMask: mask) : .padding(keyMask: mask))
            let trimmed = try linearAttention(query: real(q), key: real(k), value: real(v),
                                              mask: causal ? .causal(keyMask: nil) : .padding(keyMask: nil))
            assertClose(real(padded), trimmed, "padding invariance (causal: \(causal))")
        }
    }

    func testBadInputsThrowClearErrors() {
        let q = random([1, 2, 5, 4], seed: 17), k = random([1, 2, 5, 4], seed: 18), v = random([1, 2, 5, 3], seed: 19)
        func error(_ body: () throws -> Tensor) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error { try linearAttention(query: q, key: random([1, 2, 5, 3], seed: 20), value: v, mask: .padding(keyMask: nil)) }
            .contains("head size"))
        XCTAssertTrue(error { try linearAttention(query: q, key: k, value: random([1, 2, 4, 3], seed: 21), mask: .padding(keyMask: nil)) }
            .contains("length"))
        XCTAssertTrue(error { try linearAttention(query: q, key: k, value: v, mask: .padding(keyMask: Tensor([1, 1, 1], shape: [1, 3]))) }
            .contains("key mask"))
        XCTAssertTrue(error { try linearAttention(query: q, key: k, value: v, mask: .additive(Tensor.zeros([1, 1, 5, 5]))) }
            .contains("per-query"))
        XCTAssertTrue(error { try linearAttention(query: random([1, 2, 4, 4], seed: 22), key: k, value: v, mask: .causal(keyMask: nil)) }
            .contains("as many queries as keys"))
    }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    (0..<min(a.count, b.count, c.count)).map { (a[$0], b[$0], c[$0]) }
}

extension LinearAttentionTests {
    func testUniLMLinearEqualsMaskedQuadratic() throws {
        // Row 0: source 4, target 3, 2 pads; row 1: source 3, target 6; row 2: all source.
        let seg: [Int32] = [0, 0, 0, 0, 1, 1, 1, 0, 0,
                            0, 0, 0, 1, 1, 1, 1, 1, 1,
                            0, 0, 0, 0, 0, 0, 0, 0, 0]
        var keep = [Float](repeating: 1, count: 27)
        keep[7] = 0; keep[8] = 0
        let segments = Tensor(indices: seg, shape: [3, 9]), keyMask = Tensor(keep, shape: [3, 9])
        let q = random([3, 2, 9, 8], seed: 30), k = random([3, 2, 9, 8], seed: 31), v = random([3, 2, 9, 5], seed: 32)
        let out = try linearAttention(query: q, key: k, value: v, mask: .unilm(segments: segments, keyMask: keyMask))
        // Brute-force rule: i sees j iff idx_j ≤ idx_i and j is real, idx = cumsum(segments).
        var allowed = [Double](repeating: 0, count: 3 * 81)
        for b in 0..<3 {
            var idx = [Int32](repeating: 0, count: 9), acc: Int32 = 0
            for j in 0..<9 { acc += seg[b * 9 + j]; idx[j] = acc }
            for i in 0..<9 { for j in 0..<9 where idx[j] <= idx[i] && keep[b * 9 + j] == 1 { allowed[b * 81 + i * 9 + j] = 1 } }
        }
        let ref = quadraticLinearAttentionReference(query: q, key: k, value: v,
                                                    allowed: Tensor(doubles: allowed, shape: [3, 1, 9, 9]).to(.float32))
        // Compare real query rows (padded rows are discarded downstream).
        for b in 0..<3 {
            let real = keep[(b * 9)..<(b * 9 + 9)].filter { $0 == 1 }.count
            assertClose(out.sliced(axis: 0, b, b + 1).sliced(axis: 2, 0, real),
                          ref.sliced(axis: 0, b, b + 1).sliced(axis: 2, 0, real), "UniLM row \(b)")
        }
    }

    func testUniLMSegmentsTheScanCannotExpressThrow() {
        let q = random([1, 1, 5, 4], seed: 33)
        let segments = Tensor(indices: [0, 0, 1, 0, 1], shape: [1, 5])
        do {
            _ = try linearAttention(query: q, key: q, value: q, mask: .unilm(segments: segments, keyMask: nil))
            XCTFail("a segment-0 token after the target must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("per-query key set"), "\(error)")
        }
    }
}
