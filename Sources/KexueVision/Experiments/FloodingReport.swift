import Foundation

/// Table and curves of a `FloodingExperiment`.
public struct FloodingReport {
    public let results: [FloodingExperiment.LevelResult]
    public let chosen: Double
    public let title: String

    public init(results: [FloodingExperiment.LevelResult], chosen: Double, title: String) {
        self.results = results.sorted { $0.level < $1.level }
        self.chosen = chosen
        self.title = title
    }

    var unflooded: FloodingExperiment.LevelResult? { results.first { $0.level == 0 } }

    /// Final test loss relative to the unflooded run's: 1 − L_b / L_0.
    public func testLossReduction(_ r: FloodingExperiment.LevelResult) -> Double? {
        guard let base = unflooded?.testLoss.last, let l = r.testLoss.last, base > 0 else { return nil }
        return 1 - l / base
    }

    /// A second descent of the test loss: after its first minimum it rises by ≥ 5 % and then falls
    /// again by ≥ 5 % of the peak (on a 3-epoch moving average). Returns (min, peak, final) epochs.
    public static func secondDescent(_ loss: [Double]) -> (minEpoch: Int, peakEpoch: Int, lastEpoch: Int)? {
        guard loss.count >= 6 else { return nil }
        let s = loss.indices.map { i in loss[Swift.max(0, i - 1)...Swift.min(loss.count - 1, i + 1)].reduce(0, +) / Double(Swift.min(loss.count - 1, i + 1) - Swift.max(0, i - 1) + 1) }
        var m = 0
        while m + 1 < s.count && s[m + 1] <= s[m] { m += 1 }
        guard m + 1 < s.count else { return nil }
        let p = (m..<s.count).max { s[$0] < s[$1] }!
        guard s[p] >= 1.05 * s[m], p + 1 < s.count else { return nil }
        let after = (p..<s.count).min { s[$0] < s[$1] }!
        return s[after] <= 0.95 * s[p] ? (m + 1, p + 1, after + 1) : nil
    }

    public var markdown: String {
        func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "—" }
        var s = "| b | train loss, mean of last quarter | final validation loss | final test loss | lowest test loss (epoch) | test accuracy | test loss vs b = 0 | second descent |\n"
        s += "|---|---|---|---|---|---|---|---|\n"
        for r in results {
            let trial = r.trial
            let minIndex = r.testLoss.indices.min { r.testLoss[$0] < r.testLoss[$1] }
            let descent = Self.secondDescent(r.testLoss).map { "yes (min ep. \($0.minEpoch), peak \($0.peakEpoch), low \($0.lastEpoch))" } ?? "no"
            let mark = r.level == chosen ? " **← chosen**" : ""
            s += "| \(r.level)\(mark) | \(f(trial.settledTrainLoss)) | \(f(r.validationLoss.last)) | \(f(r.testLoss.last)) | "
            s += "\(f(minIndex.map { r.testLoss[$0] })) (\(minIndex.map { String($0 + 1) } ?? "—")) | \(f(r.testAccuracy.last)) | "
            s += "\(testLossReduction(r).map { String(format: "%+.1f %%", -100 * $0) } ?? "—") | \(descent) |\n"
        }
        return s
    }

    /// Training loss (left) and clean test loss (right) per epoch, one line per b.
    public func curves() throws -> Canvas {
        var trainPlot = LinePlot(title: "training loss (raw, noisy labels)", xLabel: "epoch", yLabel: "cross-entropy", width: 760, height: 500)
        var testPlot = LinePlot(title: "test loss (clean labels)", xLabel: "epoch", yLabel: "cross-entropy", width: 760, height: 500)
        for r in results {
            try trainPlot.add("b = \(r.level)", x: r.epochTrainLoss.indices.map { Double($0 + 1) }, y: r.epochTrainLoss)
            try testPlot.add("b = \(r.level)", x: r.testLoss.indices.map { Double($0 + 1) }, y: r.testLoss)
        }
        let left = trainPlot.render(), right = testPlot.render()
        var canvas = Canvas(width: left.width + right.width, height: Swift.max(left.height, right.height) + 30)
        canvas.drawText(title, x: 12, y: 8, scale: 2)
        canvas.draw(left, x: 0, y: 30)
        canvas.draw(right, x: left.width, y: 30)
        return canvas
    }

    public var summary: [String: Any] {
        var levels: [[String: Any]] = []
        for r in results {
            var o: [String: Any] = ["b": r.level, "settled_train_loss": r.trial.settledTrainLoss,
                                    "final_validation_loss": r.validationLoss.last ?? Double.nan,
                                    "final_test_loss": r.testLoss.last ?? Double.nan, "final_test_accuracy": r.testAccuracy.last ?? Double.nan,
                                    "second_descent": FloodingReport.secondDescent(r.testLoss) != nil]
            if let red = testLossReduction(r) { o["test_loss_reduction"] = red }
            levels.append(o)
        }
        return ["task": "flooding", "chosen_b": chosen, "levels": levels]
    }
}
