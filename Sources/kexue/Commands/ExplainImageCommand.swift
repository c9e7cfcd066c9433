import ArgumentParser
import Foundation
import Kexue
import KexueExplain

extension Explain {
    struct Image: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "image",
            abstract: "Integrated gradients on the pixels of a `kexue mnist train --model cnn` run: JSON per image and a PNG grid of digits beside their heatmaps.")
        @Option(name: .customLong("run"), help: "Run folder of `kexue mnist train --model cnn` (its latest checkpoint is used).") var runFolder: String
        @Option(help: "Folder with mnist_test.csv (default: $KEXUE_HOME/data/mnist).") var data: String?
        @Option(help: "How many test digits to explain (the first N).") var count = 8
        @Option(help: "Path points.") var steps = 50
        @Option(help: "Path points per forward/backward pass.") var internalBatchSize = 25
        @Option(help: "Write the PNG grid here.") var output: String

        func run() throws {
            guard count >= 1 else { throw ValidationError("--count must be ≥ 1, got \(count)") }
            guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1, got \(steps)") }
            let runDir = URL(fileURLWithPath: runFolder, isDirectory: true)
            guard let last = TrainingRun.checkpoints(in: runDir).last else {
                throw ValidationError("\(runFolder): no checkpoint-<step> folder; train one with `kexue mnist train --model cnn`")
            }
            let cnn = MNISTCNN()
            _ = try Checkpoint.load(from: last.url, model: cnn, optimizer: nil)
            cnn.eval()
            let dir = data.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KexueHome.data("mnist")
            let test = try MNISTCSV.load(try KexueHome.require(dir.appendingPathComponent("mnist_test.csv"), what: "MNIST test CSV"), limit: count)
            let hw = test.height * test.width
            let explainer = ImageExplainer(model: { cnn($0) }, ig: IntegratedGradients(steps: steps, internalBatchSize: internalBatchSize))
            var images: [[Float]] = [], attributions: [[Double]] = []
            for i in 0..<test.labels.count {
                let pixels = Array(test.pixels[(i * hw)..<((i + 1) * hw)])
                let e = try explainer.explain(Tensor(pixels, shape: [1, test.height, test.width]))
                images.append(pixels)
                attributions.append(e.attribution.attributions.doubles)
                printJSON(["index": i, "label": Int(test.labels[i]), "predicted": e.predicted, "probability": e.probability,
                           "f_input": e.attribution.outputAtInput, "f_baseline": e.attribution.outputAtBaseline,
                           "delta": e.attribution.delta, "steps": steps])
            }
            try ImageExplainer.heatmapGrid(images: images, attributions: attributions, height: test.height, width: test.width)
                .write(to: URL(fileURLWithPath: output))
            FileHandle.standardError.write(Data("kexue explain image: wrote \(output)\n".utf8))
        }
    }
}
