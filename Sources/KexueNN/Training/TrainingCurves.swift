import Foundation

/// Loss curves from runs' metrics.jsonl files, as PNG: one run's training loss per step (with a
/// moving average) beside its validation and test losses, or one metric of several runs on shared
/// axes — against steps, or against training minutes when runs are compared at equal time.
public enum TrainingCurves {
    public static func plot(metrics: URL, to url: URL, title: String, name: String = "loss", smoothing: Int = 50) throws {
        let entries = try MetricsLog.read(metrics).filter { $0.name == name }
        var plot = LinePlot(title: title, xLabel: "step", yLabel: name, logY: false)
        let train = entries.filter { $0.split == "train" }
        if !train.isEmpty {
            let w = Swift.max(1, Swift.min(smoothing, train.count / 10))
            try plot.add("train \(name) (mean of \(w))", x: train.map { Double($0.step) }, y: movingMean(train.map(\.value), window: w))
        }
        for split in ["validation", "test"] {
            let points = entries.filter { $0.split == split }
            if !points.isEmpty { try plot.add("\(split) \(name)", x: points.map { Double($0.step) }, y: points.map(\.value)) }
        }
        try plot.write(to: url)
    }

    /// What the x axis of a comparison counts.
    public enum Axis: String, CaseIterable, Sendable {
        /// Optimizer steps.
        case step
        /// Training wall time in minutes (`time` of metrics.jsonl, cumulative across resumes).
        case minutes
    }

    /// One run's curve in a comparison, with the figures a caption needs.
    public struct Curve: Sendable {
        public let label: String
        /// Points of the metric in the chosen split.
        public let points: Int
        public let lastStep: Int
        /// Training minutes at the last point (nil when the file records no times).
        public let lastMinutes: Double?
        /// The moving mean at the last point: the figure the curve ends on.
        public let finalMean: Double
    }

    /// One metric of several runs on one PNG, each smoothed by a moving mean of `smoothing` points.
    /// Points above `yMax` are left out (the first steps of a VAE's NELBO dwarf the rest); a run
    /// without the metric, or without times when `x` is minutes, is an error naming its file.
    @discardableResult
    public static func compare(runs: [(label: String, metrics: URL)], name: String, split: String = "train",
                               x axis: Axis = .step, smoothing: Int = 50, yMax: Double? = nil, logY: Bool = false,
                               title: String, to url: URL) throws -> [Curve] {
        guard !runs.isEmpty else { throw TrainingError.badConfig("no runs to compare") }
        var plot = LinePlot(title: title, xLabel: axis == .step ? "step" : "training minutes",
                            yLabel: "\(split) \(name)", logY: logY)
        var curves: [Curve] = []
        for run in runs {
            let entries = try MetricsLog.read(run.metrics).filter { $0.name == name && $0.split == split }
            guard !entries.isEmpty else {
                throw TrainingError.badConfig("\(run.metrics.path): no '\(split)' values of '\(name)'")
            }
            let xs: [Double]
            switch axis {
            case .step: xs = entries.map { Double($0.step) }
            case .minutes:
                let times = entries.compactMap(\.time)
                guard times.count == entries.count else {
                    throw TrainingError.badConfig("\(run.metrics.path): lines without 'time'; plot against steps instead")
                }
                xs = times.map { $0 / 60 }
            }
            let w = Swift.max(1, Swift.min(smoothing, entries.count))
            let mean = movingMean(entries.map(\.value), window: w)
            let shown = mean.map { v in yMax.map { v > $0 ? Double.nan : v } ?? v }
            try plot.add(w > 1 ? "\(run.label) (mean of \(w))" : run.label, x: xs, y: shown)
            curves.append(Curve(label: run.label, points: entries.count, lastStep: entries.last!.step,
                                lastMinutes: entries.last!.time.map { $0 / 60 }, finalMean: mean.last!))
        }
        try plot.write(to: url)
        return curves
    }

    /// Mean of the last `window` values at each point (fewer at the start).
    static func movingMean(_ y: [Double], window w: Int) -> [Double] {
        var smooth: [Double] = []
        smooth.reserveCapacity(y.count)
        var acc = 0.0
        for i in y.indices {
            acc += y[i]
            if i >= w { acc -= y[i - w] }
            smooth.append(acc / Double(Swift.min(i + 1, w)))
        }
        return smooth
    }
}
