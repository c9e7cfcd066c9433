import XCTest
import Foundation
@testable import KexueExplain
import Kexue

final class ImageExplainerTests: XCTestCase {
    func testMNISTCNNCompletenessAndHeatmapGrid() throws {
        let cnn = MNISTCNN(seed: 1)
        cnn.eval()
        var rng = RandomGenerator(seed: 2)
        // A bright vertical stroke on black: the kind of input the heatmap should light up.
        var pixels = [Float](repeating: 0, count: 28 * 28)
        for y in 4..<24 { for x in 12..<16 { pixels[y * 28 + x] = Float(0.7 + 0.3 * rng.nextUniform()) } }
        let image = Tensor(pixels, shape: [1, 28, 28])
        let explainer = ImageExplainer(model: { cnn($0) }, ig: IntegratedGradients(steps: 256, internalBatchSize: 64))
        let e = try explainer.explain(image)
        XCTAssertEqual(e.attribution.attributions.shape, [1, 28, 28])
        XCTAssertGreaterThan(abs(e.attribution.outputDifference), 1e-3)
        // ReLU and max-pool kinks make the integrand only piecewise smooth: 5 % (METHODS.md §7(b)), not 1e-3.
        XCTAssertLessThan(abs(e.attribution.delta), 5e-2 * abs(e.attribution.outputDifference))
        // Black pixels equal the black baseline, so they get exactly 0.
        let a = e.attribution.attributions.doubles
        XCTAssertTrue(pixels.indices.filter { pixels[$0] == 0 }.allSatisfy { a[$0] == 0 })
        XCTAssertThrowsError(try explainer.explain(image, target: 10))

        let grid = try ImageExplainer.heatmapGrid(images: [pixels], attributions: [a], height: 28, width: 28)
        let canvas = grid.render()
        var tinted = 0
        for y in 0..<canvas.height { for x in 0..<canvas.width {
            let c = canvas[x, y]
            if c.r != c.g || c.g != c.b { tinted += 1 }
        } }
        XCTAssertGreaterThan(tinted, 0)
    }
}
