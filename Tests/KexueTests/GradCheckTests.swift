import XCTest
@testable import Kexue

/// Finite-difference checks of every differentiable primitive, in Float64, including broadcasting
/// cases; `testEveryOpIsChecked` fails when an `Op` case is missing from the table.
final class GradCheckTests: XCTestCase {
    static func rand(_ shape: [Int], seed: UInt64, low: Double = -2, high: Double = 2, awayFromZero: Bool = false) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let n = shape.reduce(1, *)
        let v = (0..<n).map { _ -> Double in
            var x = low + (high - low) * rng.nextUniform()
            if awayFromZero && Swift.abs(x) < 0.2 { x += x < 0 ? -0.3 : 0.3 }
            return x
        }
        return Tensor(doubles: v, shape: shape)
    }

    static func makeChecks() -> [(String, [Tensor], ([Tensor]) -> Tensor)] {
        func r(_ shape: [Int], _ seed: UInt64, low: Double = -2, high: Double = 2, awayFromZero: Bool = false) -> Tensor {
            rand(shape, seed: seed, low: low, high: high, awayFromZero: awayFromZero)
        }
        var c: [(String, [Tensor], ([Tensor]) -> Tensor)] = []
        c.append(("add broadcast", [r([2, 3, 4], 1), r([3, 1], 2)], { $0[0] + $0[1] }))
        c.append(("sub broadcast", [r([4], 3), r([2, 4], 4)], { $0[0] - $0[1] }))
        c.append(("mul broadcast", [r([2, 1, 4], 5), r([3, 1], 6)], { $0[0] * $0[1] }))
        c.append(("div", [r([2, 3], 7), r([2, 3], 8, low: 0.5, high: 2)], { $0[0] / $0[1] }))
        c.append(("div broadcast scalar", [r([3], 9), r([], 10, low: 1, high: 2)], { $0[0] / $0[1] }))
        c.append(("maximum", [r([3, 4], 11), r([4], 12)], { Tensor.maximum($0[0], $0[1]) }))
        c.append(("minimum", [r([3, 4], 13), r([3, 1], 14)], { Tensor.minimum($0[0], $0[1]) }))
        c.append(("exp", [r([5], 15)], { $0[0].exp() }))
        c.append(("log", [r([5], 16, low: 0.2, high: 3)], { $0[0].log() }))
        c.append(("sqrt", [r([5], 17, low: 0.2, high: 3)], { $0[0].sqrt() }))
        c.append(("pow", [r([5], 18, low: 0.2, high: 3)], { $0[0].pow(1.7) }))
        c.append(("abs", [r([6], 19, awayFromZero: true)], { $0[0].abs() }))
        c.append(("sign", [r([6], 20, awayFromZero: true)], { $0[0].sign() * $0[0] }))
        c.append(("clamp", [r([8], 21, awayFromZero: true)], { $0[0].clamp(min: -1.05, max: 0.95) }))
        c.append(("erf", [r([6], 22)], { $0[0].erf() }))
        c.append(("tanh", [r([6], 23)], { $0[0].tanh() }))
        c.append(("sigmoid", [r([6], 24)], { $0[0].sigmoid() }))
        c.append(("relu", [r([6], 25, awayFromZero: true)], { $0[0].relu() }))
        c.append(("elu", [r([6], 26, awayFromZero: true)], { $0[0].elu(alpha: 1.3) }))
        c.append(("silu", [r([6], 27)], { $0[0].silu() }))
        c.append(("softplus", [r([6], 28)], { $0[0].softplus() }))
        c.append(("gelu erf", [r([7], 29)], { $0[0].gelu() }))
        c.append(("gelu tanh", [r([7], 30)], { $0[0].gelu(approximate: .tanh) }))
        c.append(("sum axes", [r([2, 3, 4], 31)], { $0[0].sum(axes: [0, 2]) }))
        c.append(("sum all", [r([2, 3], 32)], { $0[0].sum() }))
        c.append(("mean keepDims", [r([2, 3, 4], 33)], { $0[0].mean(axis: 1, keepDims: true) }))
        c.append(("variance", [r([3, 5], 34)], { $0[0].variance(axes: [1], unbiased: true) }))
        c.append(("max axis", [r([3, 5], 35)], { $0[0].max(axis: 1) }))
        c.append(("min axis 0", [r([3, 5], 36)], { $0[0].min(axis: 0) }))
        c.append(("logsumexp", [r([3, 5], 37)], { $0[0].logsumexp(axis: -1) }))
        c.append(("matmul", [r([3, 4], 38), r([4, 5], 39)], { matmul($0[0], $0[1]) }))
        c.append(("matmul transB", [r([3, 4], 40), r([5, 4], 41)], { matmul($0[0], $0[1], transposeB: true) }))
        c.append(("matmul transA", [r([4, 3], 42), r([4, 5], 43)], { matmul($0[0], $0[1], transposeA: true) }))
        c.append(("matmul both", [r([4, 3], 44), r([5, 4], 45)], { matmul($0[0], $0[1], transposeA: true, transposeB: true) }))
        c.append(("matmul batched", [r([2, 3, 4], 46), r([2, 4, 2], 47)], { matmul($0[0], $0[1]) }))
        c.append(("matmul shared weight", [r([2, 3, 4], 48), r([5, 4], 49)], { matmul($0[0], $0[1], transposeB: true) }))
        c.append(("linear", [r([2, 3, 4], 76), r([5, 4], 77), r([5], 78)], { linear($0[0], weight: $0[1], bias: $0[2]) }))
        c.append(("softmax", [r([3, 5], 50)], { $0[0].softmax() }))
        c.append(("softmax axis 0", [r([3, 5], 51)], { $0[0].softmax(axis: 0) }))
        // Heads read in place from packed [B, ·, H·D] operands (2 heads of width 2, X ≠ Y).
        c.append(("head scores", [r([2, 3, 4], 140), r([2, 5, 4], 141)], { headScores($0[0], $0[1], heads: 2) }))
        c.append(("head context", [r([2, 2, 3, 5], 142), r([2, 5, 4], 143)], { headContext($0[0], $0[1], heads: 2) }))
        c.append(("head context, transposed weights", [r([2, 2, 3, 5], 144), r([2, 3, 4], 145)],
                  { headContext($0[0], $0[1], heads: 2, transposeWeights: true) }))
        c.append(("scaled masked softmax, key-mask bias", [r([2, 3, 4, 5], 52)],
                  { $0[0].softmax(scale: 0.7, bias: Tensor(doubles: [0, 0, -1e9, 0, 0, 0, 0, 0, 0, -3], shape: [2, 1, 1, 5])) }))
        c.append(("scaled masked softmax, row bias", [r([2, 3, 4], 53)],
                  { $0[0].softmax(scale: 1.3, bias: GradCheckTests.rand([2, 1, 4], seed: 54)) }))
        c.append(("scaled masked softmax, full bias", [r([3, 4], 55)],
                  { $0[0].softmax(scale: 0.5, bias: GradCheckTests.rand([3, 4], seed: 56)) }))
        c.append(("scaled masked softmax, no bias", [r([3, 4], 57)], { $0[0].softmax(scale: 2, bias: nil) }))
        c.append(("logSoftmax", [r([3, 5], 52)], { $0[0].logSoftmax() }))
        c.append(("layerNorm", [r([3, 6], 53), r([6], 54), r([6], 55)], { layerNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-5) }))
        c.append(("layerNorm plain", [r([2, 2, 5], 56)], { layerNorm($0[0], weight: nil, bias: nil) }))
        c.append(("reshape", [r([2, 6], 57)], { $0[0].reshaped([3, 4]) * $0[0].reshaped([3, 4]) }))
        c.append(("permute", [r([2, 3, 4], 58)], { $0[0].permuted(2, 0, 1) }))
        c.append(("transpose", [r([3, 4], 59)], { $0[0].transposed() }))
        c.append(("slice", [r([4, 5], 60)], { $0[0].sliced(axis: 1, 1, 4) }))
        c.append(("pad", [r([2, 3], 61)], { $0[0].padded([(1, 0), (2, 1)], value: 0.5) }))
        c.append(("concat", [r([2, 3], 62), r([2, 2], 63)], { concat([$0[0], $0[1]], axis: 1) }))
        c.append(("stack+split", [r([2, 3], 64), r([2, 3], 65)], { stack([$0[0], $0[1]], axis: 1).split(sizes: [1, 1], axis: 1)[1] }))
        c.append(("gather", [r([3, 4], 66)], { $0[0].gather(axis: 1, indices: Tensor(indices: [0, 3, 3, 1, 2, 2], shape: [3, 2])) }))
        c.append(("scatterAdd", [r([3, 4], 67), r([3, 2], 68)], { $0[0].scatterAdd(axis: 1, indices: Tensor(indices: [0, 3, 3, 3, 2, 0], shape: [3, 2]), source: $0[1]) }))
        c.append(("rows", [r([5, 3], 69)], { $0[0].rows(Tensor(indices: [4, 0, 4, 2], shape: [2, 2])) }))
        c.append(("where", [r([2, 3], 70), r([3], 71)], { `where`(Tensor(doubles: [1, 0, 1, 0, 0, 1], shape: [2, 3]), $0[0], $0[1]) }))
        c.append(("cumsum", [r([3, 4], 72)], { $0[0].cumsum(axis: 1) }))
        c.append(("causalLinearAttention", [r([1, 2, 5, 3], 200, low: 0.1, high: 2), r([1, 2, 5, 3], 201, low: 0.1, high: 2), r([1, 2, 5, 4], 202)],
                  { causalLinearAttentionNumerator(phiQ: $0[0], phiK: $0[1], value: $0[2]) }))
        c.append(("linearAttentionAssociative", [r([1, 2, 4, 3], 203, low: 0.1, high: 2), r([1, 2, 6, 3], 204, low: 0.1, high: 2), r([1, 2, 6, 5], 205)],
                  { linearAttentionAssociative(phiQ: $0[0], phiK: $0[1], value: $0[2], eps: 1e-6) }))
        c.append(("cast", [r([4], 73)], { ($0[0].to(.float32) * 2).to(.float64) }))
        c.append(("copy", [r([4], 74)], { $0[0].copy() * $0[0] }))
        c.append(("topk", [r([3, 6], 75)], { $0[0].topk(2).values }))
        return c
    }

    func testGradients() {
        for (name, inputs, f) in Self.makeChecks() {
            // A Float32 round trip rounds at 1e-7 relative: a 1e-6 step would measure rounding, so the
            // (linear) cast check uses a large step and a Float32-sized tolerance.
            let cast = name == "cast"
            let result = gradCheck(inputs, eps: cast ? 1e-2 : 1e-6, atol: cast ? 1e-4 : 1e-6, rtol: cast ? 1e-4 : 1e-5, f)
            XCTAssertTrue(result.passed, "\(name): \(result)")
        }
    }

    func testEveryOpIsChecked() {
        var covered = Set<Op>()
        for (_, inputs, f) in GradCheckTests.makeChecks() + VisionGradCheckTests.makeChecks() {
            let xs = inputs.map { Tensor(doubles: $0.doubles, shape: $0.shape).requiringGrad() }
            covered.formUnion(f(xs).recordedOps())
        }
        let missing = Set(Op.allCases).subtracting(covered)
        XCTAssertTrue(missing.isEmpty, "ops without a gradient check: \(missing.map(\.rawValue).sorted())")
    }

    func testGradientAccumulatesAcrossBackwardCalls() {
        let x = Tensor(doubles: [1, 2], shape: [2]).requiringGrad()
        (x * x).sum().backward()
        (x * x).sum().backward()
        XCTAssertEqual(x.grad!.doubles, [4, 8])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testGradientsWrtIntermediateTensor() {
        let w = Tensor(doubles: [1, 2, 3], shape: [3]).requiringGrad()
        let h = w * 2            // intermediate, as an embedding output
        let y = (h * h).sum()
        let g = gradients(of: y, wrt: [h])[0]
        XCTAssertEqual(g.doubles, [4, 8, 12])
        XCTAssertNil(w.grad, "gradients(of:wrt:) must not touch .grad")
    }

    func testNoGradScopeRecordsNothing() {
        let x = Tensor(doubles: [1, 2], shape: [2]).requiringGrad()
        let y = withoutGrad { x * x }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue((x * x).requiresGrad)
    }
}

/// Graphs must be freed when their tensors are: a backward closure that captured its own output
/// strongly would leak every training step.
final class GraphLifetimeTests: XCTestCase {
    func testGraphsAreFreedAfterUse() {
        weak var weakOutput: Tensor?
        weak var weakIntermediate: Tensor?
        do {
            let w = Tensor.ones([4, 4]).requiringGrad()
            let x = Tensor.ones([2, 4])
            let h = matmul(x, w).exp().tanh().sigmoid().sqrt().elu()
            let s = (h / (h + 1)).softmax().logSoftmax()
            let y = Tensor.maximum(s, Tensor.minimum(s, h)).sum()
            weakIntermediate = h
            weakOutput = y
            y.backward()
        }
        XCTAssertNil(weakOutput, "output tensor leaked")
        XCTAssertNil(weakIntermediate, "intermediate tensor leaked")
    }
}
