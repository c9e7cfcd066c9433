import Foundation
import XCTest
@testable import Kexue

/// Golden tests against PyTorch (Tests/Fixtures/vision_ops.json, made by
/// tools/make_vision_fixture.py): outputs, gradients for a fixed upstream gradient, and batch
/// norm's updated running statistics, in Float32 to 1e-5 (relative above magnitude 1).
final class VisionFixtureTests: XCTestCase {
    struct Array_: Decodable {
        let shape: [Int]
        let data: [Double]
        var tensor: Tensor { Tensor(data.map(Float.init), shape: shape) }
    }
    struct Params: Decodable {
        let stride: [Int]?, padding: [Int]?, dilation: [Int]?, groups: Int?, kernel: [Int]?
        let scale: Int?, alignCorners: Bool?, training: Bool?, momentum: Double?, eps: Double?
    }
    struct Case: Decodable {
        let name: String, op: String, params: Params
        let inputs: [String: Array_], output: Array_, seed: Array_, grads: [String: Array_]
        let runningMeanOut: Array_?, runningVarOut: Array_?
    }
    struct Fixture: Decodable { let torch: String; let cases: [Case] }

    static func load() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/vision_ops.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Largest |a − b| / max(1, |b|).
    func maxError(_ got: Tensor, _ want: Array_, _ what: String) -> Double {
        XCTAssertEqual(got.shape, want.shape, what)
        guard got.shape == want.shape else { return .infinity }
        return zip(got.doubles, want.data).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
    }

    func testMatchesPyTorch() throws {
        let fixture = try Self.load()
        XCTAssertGreaterThanOrEqual(fixture.cases.count, 19)
        var report: [String] = []
        for c in fixture.cases {
            let p = c.params
            func pair(_ v: [Int]?) -> (Int, Int) { (v![0], v![1]) }
            var leaves: [String: Tensor] = [:]
            for (k, v) in c.inputs where !k.hasPrefix("running") { leaves[k] = v.tensor.requiringGrad() }
            let runningMean = c.inputs["runningMean"]?.tensor, runningVar = c.inputs["runningVar"]?.tensor
            let x = leaves["x"]!
            let y: Tensor
            switch c.op {
            case "conv2d":
                y = conv2d(x, weight: leaves["weight"]!, bias: leaves["bias"], stride: pair(p.stride), padding: pair(p.padding),
                           dilation: pair(p.dilation), groups: p.groups!)
            case "maxPool2d": y = maxPool2d(x, kernel: pair(p.kernel), stride: pair(p.stride), padding: pair(p.padding))
            case "avgPool2d": y = avgPool2d(x, kernel: pair(p.kernel), stride: pair(p.stride), padding: pair(p.padding))
            case "upsampleBilinear2d": y = upsampleBilinear2d(x, scale: p.scale!, alignCorners: p.alignCorners!)
            case "upsampleNearest2d": y = upsampleNearest2d(x, scale: p.scale!)
            case "batchNorm":
                y = batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: leaves["weight"], bias: leaves["bias"],
                              training: p.training!, momentum: p.momentum!, eps: p.eps!)
            default:
                XCTFail("unknown op \(c.op) in fixture"); continue
            }
            var worst = maxError(y, c.output, "\(c.name) output")
            let names = leaves.keys.sorted()
            let grads = gradients(of: y, wrt: names.map { leaves[$0]! }, seed: c.seed.tensor)
            for (name, g) in zip(names, grads) { worst = max(worst, maxError(g, c.grads[name]!, "\(c.name) d\(name)")) }
            if let want = c.runningMeanOut { worst = max(worst, maxError(runningMean!, want, "\(c.name) running mean")) }
            if let want = c.runningVarOut { worst = max(worst, maxError(runningVar!, want, "\(c.name) running var")) }
            XCTAssertLessThanOrEqual(worst, 1e-5, c.name)
            report.append("\(c.name): \(String(format: "%.2e", worst))")
        }
        print("vision fixtures (torch \(fixture.torch)), max error:\n  " + report.joined(separator: "\n  "))
    }
}
