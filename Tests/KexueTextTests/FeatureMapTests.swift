import XCTest
@testable import Kexue
@testable import KexueText

/// The feature maps of METHODS.md §3 beyond elu+1: Efficient Attention, 1 + cos, Performer random
/// features, and the attention kind a config names.
final class FeatureMapTests: XCTestCase {
    func random(_ shape: [Int], seed: UInt64, std: Double = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.normal(shape, std: std, using: &rng)
    }

    func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Double {
        XCTAssertEqual(a.shape, b.shape)
        return zip(a.doubles, b.doubles).map { abs($0 - $1) }.max() ?? 0
    }

    func testNewMapsKeepAssociativeEqualQuadraticAndCausalEqualScan() throws {
        var rng = RandomGenerator(seed: 3)
        let maps: [FeatureMap] = [OnePlusCosine(), RandomFeatures(features: 32, headDim: 8, using: &rng)]
        let q = random([2, 2, 9, 8], seed: 1), k = random([2, 2, 9, 8], seed: 2), v = random([2, 2, 9, 5], seed: 4)
        var tri = [Double](repeating: 0, count: 81)
        for i in 0..<9 { for j in 0...i { tri[i * 9 + j] = 1 } }
        let lower = Tensor(doubles: tri, shape: [1, 1, 9, 9]).to(.float32)
        for fm in maps {
            let assoc = try linearAttention(query: q, key: k, value: v, mask: .padding(keyMask: nil), featureMap: fm)
            let ref = quadraticLinearAttentionReference(query: q, key: k, value: v, allowed: nil, featureMap: fm)
            XCTAssertLessThan(maxAbsDiff(assoc, ref), 1e-4, "associative vs quadratic, \(type(of: fm))")
            let scan = try linearAttention(query: q, key: k, value: v, mask: .causal(keyMask: nil), featureMap: fm)
            let causalRef = quadraticLinearAttentionReference(query: q, key: k, value: v, allowed: lower, featureMap: fm)
            XCTAssertLessThan(maxAbsDiff(scan, causalRef), 1e-4, "scan vs quadratic, \(type(of: fm))")
        }
    }

    func testOnePlusCosineSimilarityIsOnePlusCosine() {
        let q = random([1, 1, 4, 6], seed: 5), k = random([1, 1, 4, 6], seed: 6)
        let fm = OnePlusCosine()
        let sim = matmul(fm.queries(q), fm.keys(k), transposeB: true).floats  // [1, 1, 4, 4]
        let qv = q.floats, kv = k.floats
        for i in 0..<4 {
            for j in 0..<4 {
                let a = Array(qv[(i * 6)..<(i * 6 + 6)]), b = Array(kv[(j * 6)..<(j * 6 + 6)])
                let dot = zip(a, b).map { Double($0 * $1) }.reduce(0, +)
                let na = a.map { Double($0 * $0) }.reduce(0, +).squareRoot(), nb = b.map { Double($0 * $0) }.reduce(0, +).squareRoot()
                XCTAssertEqual(Double(sim[i * 4 + j]), 1 + dot / (na * nb), accuracy: 1e-5)
                XCTAssertGreaterThanOrEqual(sim[i * 4 + j], -1e-6)
            }
        }
    }

    /// E[φ(q)ᵀφ(k)] = exp(qᵀk/√D): with many features the estimate is close, and orthogonal rows
    /// make it closer than the variance of one feature would suggest.
    func testRandomFeaturesEstimateTheSoftmaxKernel() {
        let d = 8
        var rng = RandomGenerator(seed: 11)
        let fm = RandomFeatures(features: 4096, headDim: d, using: &rng)
        let q = random([1, 1, 5, d], seed: 12, std: 0.5), k = random([1, 1, 5, d], seed: 13, std: 0.5)
        let est = matmul(fm.keys(q), fm.keys(k), transposeB: true).floats
        let exact = matmul(q, k, transposeB: true).floats.map { Foundation.exp(Double($0) / Double(d).squareRoot()) }
        for (e, x) in zip(est, exact) { XCTAssertEqual(Double(e) / x, 1, accuracy: 0.1, "estimate \(e) vs exp(qᵀk/√D) \(x)") }
    }

    func testRandomFeaturesResampleAndReplayFromTheSeed() {
        var a = RandomGenerator(seed: 21), b = RandomGenerator(seed: 21)
        var fm = RandomFeatures(features: 16, headDim: 8, using: &a)
        let same = RandomFeatures(features: 16, headDim: 8, using: &b)
        XCTAssertEqual(fm.projection.floats, same.projection.floats, "the same seed gives the same W")
        let before = fm.projection.floats
        fm.resample(using: &a)
        XCTAssertNotEqual(fm.projection.floats, before, "resample draws a new W")
        // Rows of one block are orthogonal.
        let w = fm.projection.doubles
        let dot = (0..<8).map { w[$0] * w[8 + $0] }.reduce(0, +)
        XCTAssertEqual(dot, 0, accuracy: 1e-4)
    }

    func testEfficientAttentionRowsSumToOneIgnorePaddingAndRefuseCausal() throws {
        let q = random([2, 2, 5, 4], seed: 31), k = random([2, 2, 7, 4], seed: 32)
        let ones = Tensor.ones([2, 2, 7, 1])
        // With v = 1 every output is the implied attention row's sum.
        let out = try linearAttention(query: q, key: k, value: ones, mask: .padding(keyMask: nil), featureMap: SoftmaxPerSide())
        for x in out.floats { XCTAssertEqual(x, 1, accuracy: 1e-5) }
        // Changing padded keys/values leaves the output unchanged.
        let mask = Tensor([1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1], shape: [2, 7])
        let v = random([2, 2, 7, 3], seed: 33)
        let a = try linearAttention(query: q, key: k, value: v, mask: .padding(keyMask: mask), featureMap: SoftmaxPerSide())
        let k2 = concat([k.sliced(axis: 2, 0, 5), random([2, 2, 2, 4], seed: 34) * 50], axis: 2)
        let v2 = concat([v.sliced(axis: 2, 0, 5), random([2, 2, 2, 3], seed: 35) * 50], axis: 2)
        let b = try linearAttention(query: q, key: k2, value: v2, mask: .padding(keyMask: mask), featureMap: SoftmaxPerSide())
        XCTAssertLessThan(maxAbsDiff(a.sliced(axis: 0, 0, 1), b.sliced(axis: 0, 0, 1)), 1e-5)
        XCTAssertThrowsError(try linearAttention(query: k, key: k, value: v, mask: .causal(keyMask: nil), featureMap: SoftmaxPerSide())) {
            XCTAssertTrue("\($0)".contains("no causal"), "\($0)")
        }
    }

    func testAttentionKindParsesAndTravelsThroughConfigJSON() throws {
        for text in ["softmax", "linear", "linear:relu", "linear:efficient", "linear:1+cos", "linear:random-features:64:7"] {
            XCTAssertEqual(try AttentionKind(parsing: text).description, text)
        }
        XCTAssertThrowsError(try AttentionKind(parsing: "linear:cosh")) { XCTAssertTrue("\($0)".contains("unknown feature map")) }
        XCTAssertThrowsError(try AttentionKind(parsing: "sparse"))
        var config = BertConfig(vocabSize: 10, hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 16)
        config.attention = .linear(.randomFeatures(features: 16, seed: 3))
        let data = try JSONEncoder().encode(config)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"kexue_attention\":\"linear:random-features:16:3\""))
        XCTAssertEqual(try JSONDecoder().decode(BertConfig.self, from: data), config)
        config.attention = .softmax
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(config), as: UTF8.self).contains("kexue_attention"),
                       "softmax configs stay plain HF configs")
    }
}
