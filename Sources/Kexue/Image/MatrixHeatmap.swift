// A labelled matrix as coloured cells, e.g. a confusion matrix (true class per row, predicted per column).
import Foundation

/// A matrix drawn as a grid of cells shaded from white (0) to dark blue (the largest value of its
/// row when `normalizeRows`, else of the matrix), each cell labelled with its value.
public struct MatrixHeatmap {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var values: [[Double]]
    public var rowAxisLabel: String
    public var columnAxisLabel: String
    /// Shade each row relative to its own sum (recall per true class for a confusion matrix).
    public var normalizeRows: Bool
    public var cellSize: Int

    public init(values: [[Double]], rowLabels: [String], columnLabels: [String], title: String = "",
                rowAxisLabel: String = "true class", columnAxisLabel: String = "predicted class",
                normalizeRows: Bool = true, cellSize: Int = 44) throws {
        guard values.count == rowLabels.count else {
            throw PlotError(message: "heatmap: \(values.count) rows for \(rowLabels.count) row labels")
        }
        for (i, row) in values.enumerated() where row.count != columnLabels.count {
            throw PlotError(message: "heatmap: row \(i) has \(row.count) values for \(columnLabels.count) column labels")
        }
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
        self.rowAxisLabel = rowAxisLabel
        self.columnAxisLabel = columnAxisLabel
        self.normalizeRows = normalizeRows
        self.cellSize = cellSize
    }

    public func render() -> Canvas {
        let rowLabelWidth = (rowLabels.map { Canvas.textWidth($0) }.max() ?? 0) + 8
        let left = 24 + rowLabelWidth, top = 34
        let columnLabelHeight = (columnLabels.map { Canvas.textWidth($0) }.max() ?? 0) + 8
        let w = left + cellSize * columnLabels.count + 16
        let h = top + cellSize * rowLabels.count + columnLabelHeight + 26
        var canvas = Canvas(width: w, height: h)
        canvas.drawText(title, x: (w - Canvas.textWidth(title, scale: 2)) / 2, y: 8, scale: 2)
        let matrixMax = values.flatMap { $0 }.filter(\.isFinite).max() ?? 1
        for (i, row) in values.enumerated() {
            let scale = normalizeRows ? row.filter(\.isFinite).reduce(0, +) : matrixMax
            for (j, v) in row.enumerated() {
                let t = scale > 0 && v.isFinite ? Swift.min(1, Swift.max(0, v / scale)) : 0
                // White → dark blue (8, 48, 107), as matplotlib's "Blues".
                let color = Color(UInt8(255 - t * 247), UInt8(255 - t * 207), UInt8(255 - t * 148))
                let x = left + j * cellSize, y = top + i * cellSize
                canvas.fillRect(x: x, y: y, width: cellSize, height: cellSize, color: color)
                canvas.strokeRect(x: x, y: y, width: cellSize + 1, height: cellSize + 1, color: .lightGray)
                let text = v.rounded() == v ? String(Int(v)) : String(format: "%.2f", v)
                canvas.drawText(text, x: x + (cellSize - Canvas.textWidth(text)) / 2, y: y + (cellSize - 7) / 2,
                                color: t > 0.5 ? .white : .black)
            }
            canvas.drawText(rowLabels[i], x: left - 4 - Canvas.textWidth(rowLabels[i]), y: top + i * cellSize + (cellSize - 7) / 2)
        }
        for (j, label) in columnLabels.enumerated() {
            canvas.drawTextUpward(label, x: left + j * cellSize + (cellSize - 7) / 2, y: top + rowLabels.count * cellSize + 6)
        }
        canvas.drawTextUpward(rowAxisLabel, x: 6, y: top + (rowLabels.count * cellSize - Canvas.textWidth(rowAxisLabel)) / 2)
        canvas.drawText(columnAxisLabel, x: left + (columnLabels.count * cellSize - Canvas.textWidth(columnAxisLabel)) / 2,
                        y: h - 16)
        return canvas
    }

    /// Renders and writes a PNG atomically.
    public func write(to url: URL) throws {
        try render().write(to: url)
    }
}
