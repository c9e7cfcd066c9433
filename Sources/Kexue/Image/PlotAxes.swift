// What the line plot and bar chart share: tick placement, tick labels, the frame with title and axis
// labels, and the legend box.
import Foundation

/// Invalid plot input (mismatched lengths, wrong image sizes…).
public struct PlotError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { "plot: \(message)" }
}

/// A value axis mapped onto a pixel span, with its ticks.
struct PlotAxis {
    let lower: Double, upper: Double  // in axis units (log10 of the data on a log axis)
    let ticks: [(value: Double, label: String)]
    let minorTicks: [Double]
    let logarithmic: Bool

    /// Linear axis over [lo, hi] with "nice" steps (1, 2 or 5 × 10^k) and ends rounded out to a tick.
    static func linear(_ lo: Double, _ hi: Double, targetTicks: Int = 6) -> PlotAxis {
        var lo = lo, hi = hi
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if hi - lo <= abs(hi) * 1e-12 {  // flat data still needs a visible range
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let rough = (hi - lo) / Double(targetTicks)
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let n = rough / magnitude
        let step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        let ticks = stride(from: first, through: last + 0.5, by: 1).map { k -> (Double, String) in
            let v = k * step
            return (v, formatTick(v, step: step))
        }
        return PlotAxis(lower: first * step, upper: last * step, ticks: ticks, minorTicks: [], logarithmic: false)
    }

    /// Log10 axis over positive data in [lo, hi]: labels at decades, minor ticks at 2…9.
    static func logarithmic(_ lo: Double, _ hi: Double) -> PlotAxis {
        var a = (log10(lo)).rounded(.down), b = (log10(hi)).rounded(.up)
        if !(a.isFinite && b.isFinite) { a = 0; b = 1 }
        if b <= a { b = a + 1 }
        let every = max(1, Int(((b - a) / 8).rounded(.up)))  // at most ~8 labelled decades
        var ticks: [(Double, String)] = []
        var minor: [Double] = []
        for d in stride(from: Int(a), through: Int(b), by: 1) {
            if (d - Int(a)) % every == 0 { ticks.append((Double(d), formatTick(pow(10, Double(d)), step: pow(10, Double(d))))) }
            if every == 1, d < Int(b) { minor += (2 ... 9).map { log10(Double($0)) + Double(d) } }
        }
        return PlotAxis(lower: a, upper: b, ticks: ticks, minorTicks: minor, logarithmic: true)
    }

    /// Position of data value `v` in [0, 1] along the axis (log-transformed if needed).
    func fraction(_ v: Double) -> Double {
        let u = logarithmic ? log10(v) : v
        return (u - lower) / (upper - lower)
    }

    /// Short labels: plain decimals with as many places as the step needs, exponents for extremes.
    static func formatTick(_ v: Double, step: Double) -> String {
        if abs(v) < step * 1e-9 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 {
            let e = (log10(a)).rounded(.down)
            let m = v / pow(10, e)
            let mantissa = abs(m - m.rounded()) < 1e-6 ? String(Int(m.rounded())) : String(format: "%.1f", m)
            return "\(mantissa)e\(Int(e))"
        }
        let decimals = max(0, min(6, Int((-log10(step) - 1e-9).rounded(.up))))
        return String(format: "%.\(decimals)f", v)
    }
}

/// The pixel rectangle data are drawn into, and the figure furniture around it.
struct PlotFrame {
    let x: Int, y: Int, width: Int, height: Int

    /// Leaves room for a title on top, tick labels and an x label below, tick labels and a y label left.
    init(canvasWidth: Int, canvasHeight: Int, title: String, yTickLabelWidth: Int) {
        let top = title.isEmpty ? 16 : 40
        let left = 8 + Canvas.lineHeight + 8 + yTickLabelWidth + 8
        x = left
        y = top
        width = max(10, canvasWidth - left - 20)
        height = max(10, canvasHeight - top - 50)
    }

    func px(_ f: Double) -> Double { Double(x) + f * Double(width) }
    func py(_ f: Double) -> Double { Double(y + height) - f * Double(height) }

    /// Grid, y ticks, frame, title and labels; `xTicks` may be empty when the caller labels categories.
    func drawFurniture(on c: inout Canvas, yAxis: PlotAxis, xAxis: PlotAxis?, title: String, xLabel: String, yLabel: String) {
        for m in yAxis.minorTicks {
            let yy = Int(py(yAxis.fraction(pow(10, m))))
            c.fillRect(x: x, y: yy, width: width, height: 1, color: Color(242, 242, 242))
        }
        for t in yAxis.ticks {
            let yy = Int(py((t.value - yAxis.lower) / (yAxis.upper - yAxis.lower)))
            c.fillRect(x: x, y: yy, width: width, height: 1, color: .lightGray)
            c.fillRect(x: x - 5, y: yy, width: 5, height: 1, color: .black)
            c.drawText(t.label, x: x - 8 - Canvas.textWidth(t.label), y: yy - 3)
        }
        if let xAxis {
            for t in xAxis.ticks {
                let xx = Int(px((t.value - xAxis.lower) / (xAxis.upper - xAxis.lower)))
                c.fillRect(x: xx, y: y, width: 1, height: height, color: .lightGray)
                c.fillRect(x: xx, y: y + height, width: 1, height: 5, color: .black)
                c.drawText(t.label, x: xx - Canvas.textWidth(t.label) / 2, y: y + height + 9)
            }
        }
        c.strokeRect(x: x - 1, y: y - 1, width: width + 2, height: height + 2, color: .black)
        if !title.isEmpty {
            c.drawText(title, x: x + width / 2 - Canvas.textWidth(title, scale: 2) / 2, y: 12, scale: 2)
        }
        if !xLabel.isEmpty {
            c.drawText(xLabel, x: x + width / 2 - Canvas.textWidth(xLabel) / 2, y: y + height + 30)
        }
        if !yLabel.isEmpty {
            c.drawTextUpward(yLabel, x: 8, y: y + height / 2 - Canvas.textWidth(yLabel) / 2)
        }
    }

    /// Legend in the top-right corner of the data area: a colour swatch and a name per entry.
    func drawLegend(on c: inout Canvas, entries: [(name: String, color: Color)], swatchIsLine: Bool) {
        guard !entries.isEmpty else { return }
        let textWidth = entries.map { Canvas.textWidth($0.name) }.max() ?? 0
        let boxWidth = 8 + 18 + 6 + textWidth + 8
        let boxHeight = 6 + entries.count * Canvas.lineHeight + 2
        let bx = x + width - boxWidth - 8, by = y + 8
        c.fillRect(x: bx, y: by, width: boxWidth, height: boxHeight, color: .white)
        c.strokeRect(x: bx, y: by, width: boxWidth, height: boxHeight, color: .gray)
        for (i, e) in entries.enumerated() {
            let rowY = by + 6 + i * Canvas.lineHeight
            if swatchIsLine {
                c.drawLine(from: (Double(bx + 8), Double(rowY) + 3.5), to: (Double(bx + 26), Double(rowY) + 3.5), color: e.color, thickness: 2)
            } else {
                c.fillRect(x: bx + 10, y: rowY, width: 14, height: 7, color: e.color)
            }
            c.drawText(e.name, x: bx + 32, y: rowY)
        }
    }
}
