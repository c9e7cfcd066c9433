import XCTest
@testable import KexueNN

final class ClipGradNormTests: XCTestCase {
    private func param(_ name: String, grad: [Float]?) -> NamedParameter {
        let t = Tensor.zeros([grad?.count ?? 2])
        t.grad = grad.map { Tensor($0) }
        return (name: name, tensor: t)
    }

    func testClipsToGlobalNormWithPyTorchEpsilon() {
        // Global norm over both tensors: √(3² + 4² + 12²) = 13; the parameter without grad is ignored.
        let params = [param("a", grad: [3, 4]), param("b", grad: [12]), param("c", grad: nil)]
        let norm = clipGradNorm(params, maxNorm: 1)
        XCTAssertEqual(norm, 13, accuracy: 1e-12)
        let c = Float(1 / (13 + 1e-6))
        XCTAssertEqual(params[0].tensor.grad!.floats, [3 * c, 4 * c])
        XCTAssertEqual(params[1].tensor.grad!.floats, [12 * c])
        XCTAssertNil(params[2].tensor.grad)
        XCTAssertEqual(clipGradNorm(params, maxNorm: 1e9), 1, accuracy: 1e-6)
    }

    func testLeavesSmallGradientsAlone() {
        let params = [param("a", grad: [0.3, -0.4])]
        XCTAssertEqual(clipGradNorm(params, maxNorm: 0.5 + 2e-6), 0.5, accuracy: 1e-7)
        XCTAssertEqual(params[0].tensor.grad!.floats, [0.3, -0.4])
        let zeros = [param("z", grad: [0, 0, 0])]
        XCTAssertEqual(clipGradNorm(zeros, maxNorm: 1), 0)
        XCTAssertEqual(zeros[0].tensor.grad!.floats, [0, 0, 0])
        XCTAssertEqual(clipGradNorm([param("none", grad: nil)], maxNorm: 1), 0)
    }

    func testNonFiniteNormIsReportedAndGradientsUntouched() {
        let inf = [param("a", grad: [1, .infinity]), param("b", grad: [2])]
        XCTAssertEqual(clipGradNorm(inf, maxNorm: 1), .infinity)
        XCTAssertEqual(inf[0].tensor.grad!.floats, [1, .infinity])
        XCTAssertEqual(inf[1].tensor.grad!.floats, [2])
        let nan = [param("a", grad: [1, .nan])]
        XCTAssertTrue(clipGradNorm(nan, maxNorm: 1).isNaN)
        XCTAssertEqual(nan[0].tensor.grad!.floats[0], 1)
    }

    func testLargeFloat32AndFloat64MatchReferenceAtAnyThreadCount() {
        let n = 3 * 4096 + 37   // several blocks and a ragged SIMD tail
        let values = (0..<n).map { Float(sin(Double($0) * 0.37)) * 3 }
        let reference = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var norms: [Double] = []
        var clipped: [[Float]] = []
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        for threads in [1, 2] {
            Runtime.threads = threads
            let t = Tensor.zeros([n])
            t.grad = Tensor(values)
            norms.append(clipGradNorm([t], maxNorm: 2))
            clipped.append(t.grad!.floats)
        }
        XCTAssertEqual(norms[0], reference, accuracy: reference * 1e-6)
        XCTAssertEqual(norms[0], norms[1])          // bit-identical across thread counts
        XCTAssertEqual(clipped[0], clipped[1])
        let c = Float(2 / (norms[0] + 1e-6))
        XCTAssertEqual(clipped[0][n - 1], values[n - 1] * c)

        let d = Tensor.zeros([n], dtype: .float64)
        d.grad = Tensor(doubles: values.map { Double($0) }, shape: [n])
        XCTAssertEqual(clipGradNorm([d], maxNorm: 2), reference, accuracy: reference * 1e-12)
        XCTAssertEqual(d.grad!.doubles[5], Double(values[5]) * 2 / (reference + 1e-6), accuracy: 1e-12)
    }

    func testOptimizerConvenienceCoversAllGroups() {
        let a = param("a", grad: [3]), b = param("b", grad: [4])
        let opt = SGD([ParameterGroup(parameters: [a]), ParameterGroup(parameters: [b])], learningRate: 0.1)
        XCTAssertEqual(opt.clipGradNorm(maxNorm: 10), 5, accuracy: 1e-12)
    }
}
