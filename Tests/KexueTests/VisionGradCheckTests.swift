import XCTest
@testable import Kexue

/// Finite-difference checks of the vision primitives (conv, pooling, up-sampling, batch norm),
/// in Float64; `GradCheckTests.testEveryOpIsChecked` takes these into its coverage.
final class VisionGradCheckTests: XCTestCase {
    static func makeChecks() -> [(String, [Tensor], ([Tensor]) -> Tensor)] {
        func r(_ shape: [Int], _ seed: UInt64, low: Double = -2, high: Double = 2) -> Tensor {
            GradCheckTests.rand(shape, seed: seed, low: low, high: high)
        }
        /// Distinct, well separated values, so no max-pool window has a near tie.
        func distinct(_ shape: [Int], _ seed: UInt64) -> Tensor {
            var rng = RandomGenerator(seed: seed)
            var v = (0..<shape.reduce(1, *)).map { Double($0) * 0.1 }
            for i in stride(from: v.count - 1, to: 0, by: -1) { v.swapAt(i, Int(rng.nextUniform() * Double(i + 1)) % (i + 1)) }
            return Tensor(doubles: v, shape: shape)
        }
        var c: [(String, [Tensor], ([Tensor]) -> Tensor)] = []
        c.append(("conv2d stride 2 pad 1 groups 2 dilation 2 bias", [r([2, 4, 7, 6], 101), r([6, 2, 3, 3], 102), r([6], 103)], {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1), dilation: (2, 2), groups: 2)
        }))
        c.append(("conv2d 3x3 pad 1 asymmetric stride", [r([2, 3, 5, 6], 104), r([4, 3, 3, 2], 105)], {
            conv2d($0[0], weight: $0[1], stride: (1, 2), padding: (1, 0))
        }))
        c.append(("conv2d 1x1", [r([2, 3, 4, 5], 106), r([5, 3, 1, 1], 107), r([5], 108)], {
            conv2d($0[0], weight: $0[1], bias: $0[2])
        }))
        c.append(("conv2d depthwise 5x5", [r([2, 3, 6, 7], 109), r([3, 1, 5, 5], 110), r([3], 111)], {
            conv2d($0[0], weight: $0[1], bias: $0[2], padding: (2, 2), groups: 3)
        }))
        c.append(("conv2d depthwise 5x5 wide (SIMD rows)", [r([1, 2, 3, 20], 112), r([2, 1, 3, 5], 113)], {
            conv2d($0[0], weight: $0[1], padding: (1, 2), groups: 2)
        }))
        c.append(("conv2d depthwise stride 2 dilation 2", [r([1, 2, 7, 7], 114), r([2, 1, 3, 3], 115)], {
            conv2d($0[0], weight: $0[1], stride: (2, 2), padding: (1, 1), dilation: (2, 2), groups: 2)
        }))
        c.append(("maxPool2d 3x3 stride 2 pad 1", [distinct([2, 2, 5, 6], 116)], {
            maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }))
        c.append(("avgPool2d 3x3 stride 2 pad 1", [r([2, 2, 5, 6], 117)], {
            avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }))
        c.append(("avgPool2d exclude pad", [r([1, 2, 4, 5], 118)], {
            avgPool2d($0[0], kernel: (2, 3), stride: (1, 2), padding: (1, 1), countIncludePad: false)
        }))
        c.append(("globalAvgPool2d", [r([2, 3, 3, 4], 119)], { globalAvgPool2d($0[0], keepDims: false) }))
        c.append(("upsampleNearest2d x2", [r([2, 2, 3, 4], 120)], { upsampleNearest2d($0[0], scale: 2) }))
        c.append(("upsampleBilinear2d x2", [r([2, 2, 3, 4], 121)], { upsampleBilinear2d($0[0], scale: 2) }))
        c.append(("upsampleBilinear2d x3 align corners", [r([1, 2, 3, 4], 122)], { upsampleBilinear2d($0[0], scale: 3, alignCorners: true) }))
        c.append(("batchNorm train NCHW", [r([3, 2, 3, 4], 123), r([2], 124), r([2], 125)], {
            let rm = Tensor.zeros([2], dtype: .float64), rv = Tensor.ones([2], dtype: .float64)
            return batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: true, momentum: 0.1, eps: 1e-5)
        }))
        c.append(("batchNorm train [N, C]", [r([5, 3], 126)], {
            batchNorm($0[0], runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true, eps: 1e-3)
        }))
        c.append(("batchNorm eval", [r([2, 3, 2, 2], 127), r([3], 128), r([3], 129)], {
            let rm = Tensor(doubles: [0.5, -1, 0.2], shape: [3]), rv = Tensor(doubles: [1.5, 0.3, 2], shape: [3])
            return batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
        }))
        return c
    }

    func testGradients() {
        for (name, inputs, f) in Self.makeChecks() {
            let result = gradCheck(inputs, eps: 1e-6, atol: 1e-6, rtol: 1e-5, f)
            XCTAssertTrue(result.passed, "\(name): \(result)")
        }
    }

    /// The three conv kernels agree with each other: a depthwise conv equals the same grouped conv
    /// through im2col, and a 1×1 conv equals a 1×1 conv with zero padding cropped back.
    func testConvPathsAgree() {
        let x = GradCheckTests.rand([2, 4, 9, 18], seed: 130).to(.float32)
        let w = GradCheckTests.rand([4, 1, 5, 5], seed: 131).to(.float32)
        let direct = conv2d(x, weight: w, padding: (2, 2), groups: 4)
        // im2col path: split channels into single-channel convs.
        let viaGEMM = concat((0..<4).map { ch in
            conv2d(x.sliced(axis: 1, ch, ch + 1), weight: w.sliced(axis: 0, ch, ch + 1), padding: (2, 2))
        }, axis: 1)
        XCTAssertEqual(direct.shape, viaGEMM.shape)
        for (a, b) in zip(direct.floats, viaGEMM.floats) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }

    /// Results do not depend on the thread count (DESIGN.md §2).
    func testThreadCountInvariance() {
        func run() -> [[Float]] {
            let x = GradCheckTests.rand([6, 8, 10, 10], seed: 140).to(.float32).requiringGrad()
            let w = GradCheckTests.rand([8, 8, 3, 3], seed: 141).to(.float32).requiringGrad()
            let dwk = GradCheckTests.rand([8, 1, 5, 5], seed: 142).to(.float32).requiringGrad()
            let y = conv2d(conv2d(x, weight: w, padding: (1, 1)), weight: dwk, padding: (2, 2), groups: 8)
            let z = batchNorm(y, runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
            let loss = (upsampleBilinear2d(maxPool2d(z, kernel: (2, 2)), scale: 2) * z).sum()
            let gs = gradients(of: loss, wrt: [x, w, dwk])
            return [loss.floats] + gs.map(\.floats)
        }
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        Runtime.threads = 1
        let one = run()
        Runtime.threads = 2
        let two = run()
        XCTAssertEqual(one, two)
    }

    func testBatchNormRunningStatistics() {
        let x = Tensor([1, 2, 3, 4, 10, 20, 30, 40], shape: [2, 2, 2])   // channel 0: 1,2,10,20; channel 1: 3,4,30,40
        let rm = Tensor.zeros([2]), rv = Tensor.ones([2])
        _ = batchNorm(x, runningMean: rm, runningVar: rv, weight: nil, bias: nil, training: true, momentum: 0.05)
        let m0 = 8.25, v0 = [1.0, 2, 10, 20].map { ($0 - m0) * ($0 - m0) }.reduce(0, +) / 3
        XCTAssertEqual(rm[0], 0.05 * m0, accuracy: 1e-5)
        XCTAssertEqual(rv[0], 0.95 + 0.05 * v0, accuracy: 1e-4)
    }
}
