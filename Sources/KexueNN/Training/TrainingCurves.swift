import Foundation

/// Loss curves from a run's metrics.jsonl: the training loss per step (with a moving average)
/// and every validation and test loss, on one PNG.
public enum TrainingCurves {
    public static func plot(metrics: URL, to url: URL, title: String, name: String = "loss", smoothing: Int = 50) throws {
        let entries = try MetricsLog.read(metrics).filter { $0.name == name }
        var plot = LinePlot(title: title, xLabel: "step", yLabel: name, logY: false)
        let train = entries.filter { $0.split == "train" }
        if !train.isEmpty {
            let x = train.map { Double($0.step) }, y = train.map(\.value)
            let w = Swift.max(1, Swift.min(smoothing, y.count / 10))
            var smooth: [Double] = []
            var acc = 0.0
            for i in y.indices {
                acc += y[i]
                if i >= w { acc -= y[i - w] }
                smooth.append(acc / Double(Swift.min(i + 1, w)))
            }
            try plot.add("train \(name) (mean of \(w))", x: x, y: smooth)
        }
        for split in ["validation", "test"] {
            let points = entries.filter { $0.split == split }
            if !points.isEmpty { try plot.add("\(split) \(name)", x: points.map { Double($0.step) }, y: points.map(\.value)) }
        }
        try plot.write(to: url)
    }
}
