import Foundation
import XCTest
@testable import Kexue

final class PlotTests: XCTestCase {
    /// Non-background pixels inside a rectangle of a decoded RGB image.
    func inked(_ img: PNGImage, x: Range<Int>, y: Range<Int>, background: Color = .white) -> Int {
        var n = 0
        for yy in y { for xx in x {
            let i = (yy * img.width + xx) * 3
            if Color(img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]) != background { n += 1 }
        } }
        return n
    }

    func count(_ img: PNGImage, of color: Color) -> Int {
        stride(from: 0, to: img.pixels.count, by: 3).filter { Color(img.pixels[$0], img.pixels[$0 + 1], img.pixels[$0 + 2]) == color }.count
    }

    func testFontCoversPrintableASCII() {
        for v in 32 ... 126 {
            let ch = Character(Unicode.Scalar(v)!)
            let rows = BitmapFont.rows(for: ch)
            XCTAssertTrue(rows.count == 7 || rows.count == 9, "glyph \(ch) has \(rows.count) rows")
            XCTAssertNotEqual(rows, BitmapFont.rows(for: "\u{FFFD}"), "no glyph for \(ch)")
            XCTAssertTrue(rows.allSatisfy { $0 < 32 }, "glyph \(ch) wider than 5")
            if ch != " " { XCTAssertTrue(rows.contains { $0 != 0 }, "glyph \(ch) is blank") }
        }
    }

    func testTextAndLinesDrawWhereAsked() throws {
        var c = Canvas(width: 60, height: 30)
        c.drawText("Hi", x: 2, y: 2)
        XCTAssertEqual(c[2, 2], .black)  // H's top-left stroke
        XCTAssertEqual(c[4, 2], .white)  // H's open top
        c.drawLine(from: (10.5, 20.5), to: (50.5, 20.5), color: .black, thickness: 1)
        XCTAssertEqual(c[30, 20], .black)
        XCTAssertEqual(c[30, 23], .white)
        XCTAssertEqual(Canvas.textWidth("Hi"), 11)
    }

    func testNiceTicks() {
        let axis = PlotAxis.linear(0.13, 2.9)
        XCTAssertEqual(axis.ticks.map(\.label), ["0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"])
        XCTAssertEqual(PlotAxis.logarithmic(0.002, 30).ticks.map(\.label), ["0.001", "0.01", "0.1", "1", "10", "100"])
        XCTAssertEqual(PlotAxis.linear(5, 5).ticks.count > 1, true)  // flat data still gets an axis
    }

    func testLinePlotProducesLegiblePNG() throws {
        var plot = LinePlot(title: "Training loss", xLabel: "step", yLabel: "loss", logY: true, width: 640, height: 400)
        let steps = (0 ..< 200).map(Double.init)
        try plot.add("train", x: steps, y: steps.map { 2.5 * exp(-$0 / 40) + 0.05 })
        try plot.add("validation", x: steps, y: steps.map { 2.6 * exp(-$0 / 50) + 0.12 + ($0 > 120 ? ($0 - 120) / 400 : 0) })
        try plot.add("with a gap", x: [0, 50, 100, 150], y: [1, .nan, 0.3, 0.2])
        XCTAssertThrowsError(try plot.add("bad", x: [1, 2], y: [1]))

        let img = try PNG.decode(plot.render().pngData())
        XCTAssertEqual(img.width, 640)
        XCTAssertEqual(img.height, 400)
        XCTAssertEqual(img.colorType, .rgb)
        // The curves' palette colours appear, and the data area holds more than a frame's worth of ink.
        XCTAssertGreaterThan(count(img, of: Color.palette[0]), 200)
        XCTAssertGreaterThan(count(img, of: Color.palette[1]), 200)
        XCTAssertGreaterThan(inked(img, x: 150 ..< 500, y: 80 ..< 330), 2000)
        if let out = ProcessInfo.processInfo.environment["KEXUE_TEST_OUTPUT"] {  // for looking at by hand
            try plot.write(to: URL(fileURLWithPath: out).appendingPathComponent("lineplot.png"))
        }
    }

    func testBarChartWithErrorBars() throws {
        var chart = BarChart(categories: ["head", "mid", "tail", "rare"], title: "Per-class accuracy", xLabel: "class group", yLabel: "accuracy", width: 600, height: 360)
        try chart.add("softmax", values: [0.92, 0.71, 0.35, 0.1], errors: [0.01, 0.03, 0.05, 0.04])
        try chart.add("logit adjusted", values: [0.88, 0.75, 0.55, 0.32], errors: [0.02, 0.02, 0.04, 0.05])
        XCTAssertThrowsError(try chart.add("short", values: [1]))
        let img = try PNG.decode(chart.render().pngData())
        XCTAssertEqual(img.width, 600)
        XCTAssertEqual(img.height, 360)
        XCTAssertGreaterThan(count(img, of: Color.palette[0]), 2000)
        XCTAssertGreaterThan(count(img, of: Color.palette[1]), 2000)
        if let out = ProcessInfo.processInfo.environment["KEXUE_TEST_OUTPUT"] {
            try chart.write(to: URL(fileURLWithPath: out).appendingPathComponent("barchart.png"))
        }
    }

    func testImageGridLayoutAndOverlay() throws {
        var grid = ImageGrid(columns: 3, padding: 2, scale: 3)
        let ramp = (0 ..< 28 * 28).map { Float($0 % 28) / 27 }
        for i in 0 ..< 5 {
            let heat: [Float]? = i == 1 ? (0 ..< 28 * 28).map { $0 < 392 ? 1 : -1 } : nil
            try grid.add(ramp, height: 28, width: 28, overlay: heat)
        }
        XCTAssertThrowsError(try grid.add([0, 1], height: 2, width: 2))
        let canvas = grid.render()
        XCTAssertEqual(canvas.width, (3 * (28 + 2) + 2) * 3)
        XCTAssertEqual(canvas.height, (2 * (28 + 2) + 2) * 3)
        // Tile 0: first column black, last column white. Tile 1: red on top, blue below.
        XCTAssertEqual(canvas[6, 6], Color(0, 0, 0))
        XCTAssertEqual(canvas[6 + 27 * 3, 6], Color(255, 255, 255))
        let t1x = 6 + 30 * 3 + 40
        XCTAssertGreaterThan(canvas[t1x, 10].r, canvas[t1x, 10].b)
        XCTAssertGreaterThan(canvas[t1x, 6 + 27 * 3].b, canvas[t1x, 6 + 27 * 3].r)
        XCTAssertEqual(try PNG.decode(canvas.pngData()).pixels, canvas.pixels)
        if let out = ProcessInfo.processInfo.environment["KEXUE_TEST_OUTPUT"] {
            try grid.write(to: URL(fileURLWithPath: out).appendingPathComponent("grid.png"))
        }
    }

    func testHeatmapShadesRowsAndChecksShapes() throws {
        let h = try MatrixHeatmap(values: [[9, 1], [0, 5]], rowLabels: ["a", "b"], columnLabels: ["a", "b"], title: "t", cellSize: 30)
        let c = h.render()
        let img = try PNG.decode(c.pngData())
        XCTAssertEqual(img.width, c.width)
        // Row-normalised: the diagonal cells are darker than the off-diagonal ones of their row.
        func shade(_ row: Int, _ col: Int) -> Int {
            let rowLabel = Canvas.textWidth("a") + 8 + 24
            let color = c[rowLabel + col * 30 + 3, 34 + row * 30 + 3]
            return Int(color.r) + Int(color.g) + Int(color.b)
        }
        XCTAssertLessThan(shade(0, 0), shade(0, 1))
        XCTAssertLessThan(shade(1, 1), shade(1, 0))
        XCTAssertEqual(shade(1, 0), 3 * 255, "a zero cell stays white")
        XCTAssertThrowsError(try MatrixHeatmap(values: [[1, 2]], rowLabels: ["a", "b"], columnLabels: ["a", "b"]))
        XCTAssertThrowsError(try MatrixHeatmap(values: [[1], [2]], rowLabels: ["a", "b"], columnLabels: ["a", "b"]))
    }

    func testCanvasCompositionCopiesAndClips() {
        var small = Canvas(width: 4, height: 4, background: .black)
        small.set(0, 0, .gray)
        var big = Canvas(width: 10, height: 6)
        big.draw(small, x: 8, y: 3)
        XCTAssertEqual(big[8, 3], .gray)
        XCTAssertEqual(big[9, 5], .black)
        XCTAssertEqual(big[7, 3], .white)
    }
}
