import Foundation
import Kexue

/// Integrated gradients on the pixels of an image classifier (e.g. `MNISTCNN` in eval mode), with a black
/// (all-zero) baseline by default, and a PNG grid of each image beside its signed heatmap.
public struct ImageExplainer {
    /// [K, C, H, W] → logits [K, classes]; must not use batch statistics (call `eval()` first).
    public let model: (Tensor) -> Tensor
    public var ig: IntegratedGradients
    public var output: ClassOutput

    public init(model: @escaping (Tensor) -> Tensor, ig: IntegratedGradients = IntegratedGradients(internalBatchSize: 25),
                output: ClassOutput = .logit) {
        self.model = model
        self.ig = ig
        self.output = output
    }

    public struct Explanation {
        public let predicted: Int
        public let probability: Double
        public let target: Int
        /// Attributions [C, H, W] (Float64) with F at input and baseline and δ.
        public let attribution: Attribution
    }

    /// Explains one image [C, H, W] toward `target` (default: the predicted class) against `baseline` (default black).
    public func explain(_ image: Tensor, target: Int? = nil, baseline: Tensor? = nil) throws -> Explanation {
        let probs = withoutGrad { model(image.unsqueezed(0)).softmax(axis: -1).to(.float64).doubles }
        let predicted = probs.indices.max { probs[$0] < probs[$1] }!
        let t = target ?? predicted
        guard t >= 0, t < probs.count else { throw IntegratedGradientsError.targetOutOfRange(target: t, classes: probs.count) }
        let base = baseline ?? Tensor.zeros(image.shape, dtype: image.dtype)
        let a = try ig.attribute(image, baselines: [base], function: output.scalarFunction(target: t, model: model))
        return Explanation(predicted: predicted, probability: probs[predicted], target: t, attribution: a)
    }

    /// A grid of pairs: each grayscale image [H·W] in [0, 1], then the same image under its heatmap (red raises
    /// the score, blue lowers it), the heatmap scaled by its own max |attribution| summed over channels.
    public static func heatmapGrid(images: [[Float]], attributions: [[Double]], height: Int, width: Int,
                                   pairsPerRow: Int = 4) throws -> ImageGrid {
        var grid = ImageGrid(columns: 2 * pairsPerRow, padding: 2, scale: 3, overlayOpacity: 0.85)
        for (pixels, attr) in zip(images, attributions) {
            let hw = height * width
            let channels = attr.count / hw
            let summed = (0..<hw).map { i in (0..<channels).map { attr[$0 * hw + i] }.reduce(0, +) }
            let m = summed.map { Swift.abs($0) }.max() ?? 0
            let heat = summed.map { Float(m == 0 ? 0 : $0 / m) }
            try grid.add(pixels, height: height, width: width)
            try grid.add(pixels.map { $0 * 0.6 }, height: height, width: width, overlay: heat)
        }
        return grid
    }
}
