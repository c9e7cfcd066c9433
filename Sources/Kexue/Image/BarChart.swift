// Grouped bar charts, e.g. per-class accuracy of several methods (logit adjustment vs plain softmax).
import Foundation

/// Bars grouped by category, one bar per method in each group, with optional ± error bars.
public struct BarChart {
    public struct Group {
        public let name: String
        /// One value per category.
        public let values: [Double]
        /// Half-lengths of the error bars, one per category.
        public let errors: [Double]?
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var width: Int
    public var height: Int
    public let categories: [String]
    public private(set) var groups: [Group] = []
    /// Extends the value axis to at least this value (room above the bars for the legend).
    public var valueAxisAtLeast: Double?

    public init(categories: [String], title: String = "", xLabel: String = "", yLabel: String = "", width: Int = 800, height: Int = 500) {
        self.categories = categories
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// Adds one method's values (and optional error half-lengths), one per category.
    public mutating func add(_ name: String, values: [Double], errors: [Double]? = nil) throws {
        guard values.count == categories.count else {
            throw PlotError(message: "group '\(name)': \(values.count) values for \(categories.count) categories")
        }
        if let errors, errors.count != categories.count {
            throw PlotError(message: "group '\(name)': \(errors.count) errors for \(categories.count) categories")
        }
        groups.append(Group(name: name, values: values, errors: errors))
    }

    /// Draws the figure.
    public func render() -> Canvas {
        // The value axis always includes 0 so bar lengths are honest.
        var lo = 0.0, hi = 0.0
        for g in groups {
            for (i, v) in g.values.enumerated() where v.isFinite {
                let e = g.errors.map { abs($0[i]).isFinite ? abs($0[i]) : 0 } ?? 0
                lo = min(lo, v - e)
                hi = max(hi, v + e)
            }
        }
        if let top = valueAxisAtLeast, top.isFinite { hi = max(hi, top) }
        let yAxis = PlotAxis.linear(lo, hi)
        let labelWidth = yAxis.ticks.map { Canvas.textWidth($0.label) }.max() ?? 0
        let frame = PlotFrame(canvasWidth: width, canvasHeight: height, title: title, yTickLabelWidth: labelWidth)
        var canvas = Canvas(width: width, height: height)
        frame.drawFurniture(on: &canvas, yAxis: yAxis, xAxis: nil, title: title, xLabel: xLabel, yLabel: yLabel)

        let slot = Double(frame.width) / Double(max(1, categories.count))
        let barWidth = slot * 0.8 / Double(max(1, groups.count))
        let zeroY = frame.py(yAxis.fraction(0))
        for (c, category) in categories.enumerated() {
            let slotLeft = Double(frame.x) + Double(c) * slot
            for (gi, g) in groups.enumerated() {
                let v = g.values[c]
                guard v.isFinite else { continue }
                let color = Color.palette[gi % Color.palette.count]
                let left = slotLeft + slot * 0.1 + Double(gi) * barWidth
                let top = frame.py(yAxis.fraction(v))
                let x0 = Int(left.rounded()), x1 = Int((left + barWidth).rounded()) - 1  // 1 px gap between bars
                let y0 = Int(min(top, zeroY).rounded()), y1 = Int(max(top, zeroY).rounded())
                canvas.fillRect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0), color: color)
                if let e = g.errors?[c], e.isFinite, e != 0 {
                    let cx = (left + barWidth / 2).rounded(.down) + 0.5
                    let ya = frame.py(yAxis.fraction(v - abs(e))), yb = frame.py(yAxis.fraction(v + abs(e)))
                    let cap = max(2, barWidth / 4)
                    canvas.drawLine(from: (cx, ya), to: (cx, yb), color: .black, thickness: 1)
                    canvas.drawLine(from: (cx - cap, ya), to: (cx + cap, ya), color: .black, thickness: 1)
                    canvas.drawLine(from: (cx - cap, yb), to: (cx + cap, yb), color: .black, thickness: 1)
                }
            }
            // Category label centred under its group, shortened to fit the slot.
            var label = category
            while Canvas.textWidth(label) > Int(slot) - 4, label.count > 2 { label = String(label.dropLast(3)) + ".." }
            canvas.drawText(label, x: Int(slotLeft + slot / 2) - Canvas.textWidth(label) / 2, y: frame.y + frame.height + 9)
        }
        canvas.fillRect(x: frame.x, y: Int(zeroY.rounded()), width: frame.width, height: 1, color: .black)
        frame.drawLegend(on: &canvas, entries: groups.enumerated().map { ($1.name, Color.palette[$0 % Color.palette.count]) }, swatchIsLine: false)
        return canvas
    }

    /// Renders and writes a PNG atomically.
    public func write(to url: URL) throws {
        try render().write(to: url)
    }
}
