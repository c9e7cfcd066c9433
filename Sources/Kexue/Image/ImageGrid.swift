// A grid of small grayscale images (MNIST digits, NVAE samples), optionally with a signed heatmap laid
// over each one (integrated-gradients attributions: red where a pixel pushed the score up, blue down).
import Foundation

/// Tiles grayscale images row by row, `columns` per row, each enlarged `scale` times.
public struct ImageGrid {
    public struct Tile {
        /// [height, width], 0 = black, 1 = white; values outside [0, 1] are clamped.
        public let pixels: [Float]
        public let height: Int
        public let width: Int
        /// [height, width] in [-1, 1]: +1 full red, -1 full blue, 0 leaves the image as it is.
        public let overlay: [Float]?
    }

    public var columns: Int
    /// Background pixels between tiles and around the edge (before scaling).
    public var padding: Int
    /// Each image pixel becomes a scale × scale block, so 28×28 digits stay visible.
    public var scale: Int
    /// Opacity of a heatmap value of magnitude 1.
    public var overlayOpacity: Double
    public var background: Color
    public private(set) var tiles: [Tile] = []

    public init(columns: Int, padding: Int = 2, scale: Int = 2, overlayOpacity: Double = 0.6, background: Color = Color(40, 40, 40)) {
        self.columns = max(1, columns)
        self.padding = max(0, padding)
        self.scale = max(1, scale)
        self.overlayOpacity = overlayOpacity
        self.background = background
    }

    /// Adds an image ([height, width] floats in [0, 1]) with an optional heatmap of the same shape.
    public mutating func add(_ pixels: [Float], height: Int, width: Int, overlay: [Float]? = nil) throws {
        guard height > 0, width > 0, pixels.count == height * width else {
            throw PlotError(message: "image \(tiles.count): \(pixels.count) pixels for \(height)x\(width)")
        }
        if let overlay, overlay.count != pixels.count {
            throw PlotError(message: "image \(tiles.count): heatmap has \(overlay.count) values for \(height)x\(width)")
        }
        tiles.append(Tile(pixels: pixels, height: height, width: width, overlay: overlay))
    }

    /// Draws the grid; cells are sized for the largest image so mixed sizes still line up.
    public func render() -> Canvas {
        let cellH = tiles.map(\.height).max() ?? 1, cellW = tiles.map(\.width).max() ?? 1
        let rows = max(1, (tiles.count + columns - 1) / columns)
        let cols = min(columns, max(1, tiles.count))
        let stepX = (cellW + padding) * scale, stepY = (cellH + padding) * scale
        var canvas = Canvas(width: cols * stepX + padding * scale, height: rows * stepY + padding * scale, background: background)
        for (i, tile) in tiles.enumerated() {
            let originX = padding * scale + (i % columns) * stepX
            let originY = padding * scale + (i / columns) * stepY
            for y in 0 ..< tile.height {
                for x in 0 ..< tile.width {
                    let v = tile.pixels[y * tile.width + x]
                    let gray = UInt8((max(0, min(1, v.isNaN ? 0 : v)) * 255).rounded())
                    var color = Color(gray, gray, gray)
                    if let h = tile.overlay?[y * tile.width + x], h.isFinite, h != 0 {
                        let a = overlayOpacity * Double(min(1, abs(h)))
                        let tint = h > 0 ? Color(230, 30, 30) : Color(30, 80, 230)
                        func mix(_ base: UInt8, _ top: UInt8) -> UInt8 { UInt8((Double(base) * (1 - a) + Double(top) * a).rounded()) }
                        color = Color(mix(color.r, tint.r), mix(color.g, tint.g), mix(color.b, tint.b))
                    }
                    canvas.fillRect(x: originX + x * scale, y: originY + y * scale, width: scale, height: scale, color: color)
                }
            }
        }
        return canvas
    }

    /// Renders and writes a PNG atomically.
    public func write(to url: URL) throws {
        try render().write(to: url)
    }
}
