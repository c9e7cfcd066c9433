// Loss curves and other x–y series, saved as PNG (e.g. training vs validation loss, flooding vs not).
import Foundation

/// Several named (x, y) series on shared axes, with ticks, optional log-scale y, legend and title.
///
/// ```swift
/// var plot = LinePlot(title: "Loss", xLabel: "step", yLabel: "loss", logY: true)
/// try plot.add("train", x: steps, y: trainLoss)
/// try plot.write(to: URL(fileURLWithPath: "loss.png"))
/// ```
public struct LinePlot {
    public struct Series {
        public let name: String
        public let x: [Double]
        public let y: [Double]
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Log10 y axis; points with y ≤ 0 cannot be shown and are skipped (breaking the line).
    public var logY: Bool
    public var width: Int
    public var height: Int
    public private(set) var series: [Series] = []

    public init(title: String = "", xLabel: String = "", yLabel: String = "", logY: Bool = false, width: Int = 800, height: Int = 500) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
        self.width = width
        self.height = height
    }

    /// Adds a series; colours follow `Color.palette` in the order series are added.
    public mutating func add(_ name: String, x: [Double], y: [Double]) throws {
        guard x.count == y.count else { throw PlotError(message: "series '\(name)': \(x.count) x values but \(y.count) y values") }
        series.append(Series(name: name, x: x, y: y))
    }

    /// Adds a series plotted against 0, 1, 2, …
    public mutating func add(_ name: String, y: [Double]) throws {
        try add(name, x: y.indices.map(Double.init), y: y)
    }

    private func visible(_ x: Double, _ y: Double) -> Bool {
        x.isFinite && y.isFinite && (!logY || y > 0)
    }

    /// Draws the figure.
    public func render() -> Canvas {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for (x, y) in zip(s.x, s.y) where visible(x, y) { xs.append(x); ys.append(y) }
        }
        let xAxis = PlotAxis.linear(xs.min() ?? 0, xs.max() ?? 1)
        let yAxis = logY ? PlotAxis.logarithmic(ys.min() ?? 1, ys.max() ?? 10) : PlotAxis.linear(ys.min() ?? 0, ys.max() ?? 1)
        let labelWidth = yAxis.ticks.map { Canvas.textWidth($0.label) }.max() ?? 0
        let frame = PlotFrame(canvasWidth: width, canvasHeight: height, title: title, yTickLabelWidth: labelWidth)

        var canvas = Canvas(width: width, height: height)
        frame.drawFurniture(on: &canvas, yAxis: yAxis, xAxis: xAxis, title: title, xLabel: xLabel, yLabel: yLabel)
        for (i, s) in series.enumerated() {
            let color = Color.palette[i % Color.palette.count]
            var previous: (x: Double, y: Double)?
            var runLength = 0
            // A point with no visible neighbour would be invisible as a line: draw it as a dot.
            func endRun() { if runLength == 1, let p = previous { canvas.drawLine(from: p, to: p, color: color, thickness: 5) } }
            for (x, y) in zip(s.x, s.y) {
                guard visible(x, y) else {  // a gap, not a jump across it
                    endRun()
                    previous = nil
                    runLength = 0
                    continue
                }
                let point = (x: frame.px(xAxis.fraction(x)), y: frame.py(yAxis.fraction(y)))
                if let p = previous { canvas.drawLine(from: p, to: point, color: color, thickness: 2) }
                previous = point
                runLength += 1
            }
            endRun()
        }
        frame.drawLegend(on: &canvas, entries: series.enumerated().map { ($1.name, Color.palette[$0 % Color.palette.count]) }, swatchIsLine: true)
        return canvas
    }

    /// Renders and writes a PNG atomically.
    public func write(to url: URL) throws {
        try render().write(to: url)
    }
}
