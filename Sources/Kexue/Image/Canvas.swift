// An RGB raster with the few drawing primitives our figures need: anti-aliased lines, rectangles and
// text in a built-in 5x7 bitmap font (so figures need no font files or system libraries).
import Foundation

/// An 8-bit sRGB colour.
public struct Color: Equatable, Hashable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// From 0xRRGGBB.
    public init(hex: UInt32) {
        self.init(UInt8(hex >> 16 & 0xFF), UInt8(hex >> 8 & 0xFF), UInt8(hex & 0xFF))
    }

    public static let white = Color(255, 255, 255)
    public static let black = Color(0, 0, 0)
    public static let gray = Color(128, 128, 128)
    public static let lightGray = Color(225, 225, 225)

    /// matplotlib's "tab10", so our figures look like the ones readers know from papers.
    public static let palette: [Color] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map { Color(hex: $0) }
}

/// An RGB image you can draw on. Coordinates: x to the right, y down, (0, 0) the top-left pixel.
public struct Canvas {
    public let width: Int
    public let height: Int
    /// [height, width, 3]
    public var pixels: [UInt8]

    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0, "canvas size must be positive")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fillRect(x: 0, y: 0, width: width, height: height, color: background)
    }

    /// The colour at (x, y); reading outside the canvas is a programming error.
    public subscript(x: Int, y: Int) -> Color {
        let i = (y * width + x) * 3
        return Color(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Sets one pixel; points outside the canvas are ignored, so callers can draw without clipping.
    public mutating func set(_ x: Int, _ y: Int, _ color: Color) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = color.r
        pixels[i + 1] = color.g
        pixels[i + 2] = color.b
    }

    /// Mixes `color` over the pixel with opacity `alpha` in [0, 1].
    public mutating func blend(_ x: Int, _ y: Int, _ color: Color, alpha: Double) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        let a = min(alpha, 1)
        let i = (y * width + x) * 3
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - a) + Double(new) * a).rounded()) }
        pixels[i] = mix(pixels[i], color.r)
        pixels[i + 1] = mix(pixels[i + 1], color.g)
        pixels[i + 2] = mix(pixels[i + 2], color.b)
    }

    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0 ..< y1 { for xx in x0 ..< x1 { set(xx, yy, color) } }
    }

    /// A one-pixel outline whose outer edge is the given rectangle.
    public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, color: Color) {
        fillRect(x: x, y: y, width: w, height: 1, color: color)
        fillRect(x: x, y: y + h - 1, width: w, height: 1, color: color)
        fillRect(x: x, y: y, width: 1, height: h, color: color)
        fillRect(x: x + w - 1, y: y, width: 1, height: h, color: color)
    }

    /// An anti-aliased line segment of the given thickness, with round ends. Pixel centres are at
    /// integer + 0.5, so `drawLine(from: (0.5, 0.5), ...)` starts in the middle of pixel (0, 0).
    ///
    /// Coverage is `radius + 0.5 - distance` clamped to [0, 1]: one rule for every slope and width,
    /// simpler than Wu's algorithm and good enough at plot sizes.
    public mutating func drawLine(from p: (x: Double, y: Double), to q: (x: Double, y: Double), color: Color, thickness: Double = 1.5) {
        guard p.x.isFinite, p.y.isFinite, q.x.isFinite, q.y.isFinite else { return }
        let r = thickness / 2
        let minX = max(0, Int((min(p.x, q.x) - r - 1).rounded(.down))), maxX = min(width - 1, Int((max(p.x, q.x) + r + 1).rounded(.up)))
        let minY = max(0, Int((min(p.y, q.y) - r - 1).rounded(.down))), maxY = min(height - 1, Int((max(p.y, q.y) + r + 1).rounded(.up)))
        guard minX <= maxX, minY <= maxY else { return }
        let dx = q.x - p.x, dy = q.y - p.y
        let lengthSquared = dx * dx + dy * dy
        for y in minY ... maxY {
            for x in minX ... maxX {
                let cx = Double(x) + 0.5, cy = Double(y) + 0.5
                let t = lengthSquared > 0 ? max(0, min(1, ((cx - p.x) * dx + (cy - p.y) * dy) / lengthSquared)) : 0
                let ex = cx - (p.x + t * dx), ey = cy - (p.y + t * dy)
                let coverage = r + 0.5 - (ex * ex + ey * ey).squareRoot()
                if coverage > 0 { blend(x, y, color, alpha: coverage) }
            }
        }
    }

    /// Copies `other` with its top-left corner at (x, y), clipped to this canvas (side-by-side figures).
    public mutating func draw(_ other: Canvas, x: Int, y: Int) {
        for oy in 0 ..< other.height where y + oy >= 0 && y + oy < height {
            for ox in 0 ..< other.width where x + ox >= 0 && x + ox < width {
                set(x + ox, y + oy, other[ox, oy])
            }
        }
    }

    // MARK: - Text

    /// Pixels from one character's left edge to the next's, at scale 1.
    public static let glyphAdvance = 6
    /// Pixels from one line's top to the next's, at scale 1 (7 rows, 2 for descenders, 2 of gap).
    public static let lineHeight = 11

    /// Width in pixels of `text` drawn at `scale`.
    public static func textWidth(_ text: String, scale: Int = 1) -> Int {
        let n = text.count
        return n == 0 ? 0 : (n * glyphAdvance - 1) * scale
    }

    /// Draws `text` with its top-left corner at (x, y); letters are 7·scale tall above the baseline.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: Color = .black, scale: Int = 1) {
        var penX = x
        for ch in text {
            for (row, bits) in BitmapFont.rows(for: ch).enumerated() {
                for col in 0 ..< 5 where bits & (0x10 >> col) != 0 {
                    fillRect(x: penX + col * scale, y: y + row * scale, width: scale, height: scale, color: color)
                }
            }
            penX += Self.glyphAdvance * scale
        }
    }

    /// Draws `text` rotated 90° counter-clockwise (reading upwards), its bounding box's top-left at
    /// (x, y): the usual orientation for a y-axis label.
    public mutating func drawTextUpward(_ text: String, x: Int, y: Int, color: Color = .black, scale: Int = 1) {
        let length = Self.textWidth(text, scale: scale)
        var pen = 0
        for ch in text {
            for (row, bits) in BitmapFont.rows(for: ch).enumerated() {
                for col in 0 ..< 5 where bits & (0x10 >> col) != 0 {
                    // Glyph (col, row) maps to canvas (row, -col) measured from the bottom of the box.
                    fillRect(x: x + row * scale, y: y + length - (pen + col + 1) * scale, width: scale, height: scale, color: color)
                }
            }
            pen += Self.glyphAdvance
        }
    }

    // MARK: - Output

    /// The canvas as a PNG file.
    public func pngData() throws -> Data {
        try PNG.encode(width: width, height: height, colorType: .rgb, pixels: pixels)
    }

    /// Writes the canvas as a PNG, atomically.
    public func write(to url: URL) throws {
        try AtomicFile.write(pngData(), to: url)
    }
}

/// A 5x7 font covering printable ASCII; descenders (g j p q y , ;) use two extra rows below.
/// Each glyph is drawn as text, one row per word, so it can be read and fixed in place.
enum BitmapFont {
    static func rows(for ch: Character) -> [UInt8] {
        table[ch] ?? table["\u{FFFD}"]!
    }

    private static let table: [Character: [UInt8]] = {
        var t: [Character: [UInt8]] = [:]
        for (ch, art) in glyphs {
            t[ch] = art.split(separator: " ").map { row in row.reduce(UInt8(0)) { $0 << 1 | ($1 == "#" ? 1 : 0) } }
        }
        return t
    }()

    private static let glyphs: [(Character, String)] = [
        (" ", "..... ..... ..... ..... ..... ..... ....."),
        ("\u{FFFD}", "##### #...# #...# #...# #...# #...# #####"),
        ("0", ".###. #...# #..## #.#.# ##..# #...# .###."),
        ("1", "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("2", ".###. #...# ....# ...#. ..#.. .#... #####"),
        ("3", "##### ...#. ..#.. ...#. ....# #...# .###."),
        ("4", "...#. ..##. .#.#. #..#. ##### ...#. ...#."),
        ("5", "##### #.... ####. ....# ....# #...# .###."),
        ("6", "..##. .#... #.... ####. #...# #...# .###."),
        ("7", "##### ....# ...#. ..#.. .#... .#... .#..."),
        ("8", ".###. #...# #...# .###. #...# #...# .###."),
        ("9", ".###. #...# #...# .#### ....# ...#. .##.."),
        ("A", ".###. #...# #...# ##### #...# #...# #...#"),
        ("B", "####. #...# #...# ####. #...# #...# ####."),
        ("C", ".###. #...# #.... #.... #.... #...# .###."),
        ("D", "###.. #..#. #...# #...# #...# #..#. ###.."),
        ("E", "##### #.... #.... ####. #.... #.... #####"),
        ("F", "##### #.... #.... ####. #.... #.... #...."),
        ("G", ".###. #...# #.... #.### #...# #...# .####"),
        ("H", "#...# #...# #...# ##### #...# #...# #...#"),
        ("I", ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("J", "..### ...#. ...#. ...#. ...#. #..#. .##.."),
        ("K", "#...# #..#. #.#.. ##... #.#.. #..#. #...#"),
        ("L", "#.... #.... #.... #.... #.... #.... #####"),
        ("M", "#...# ##.## #.#.# #.#.# #...# #...# #...#"),
        ("N", "#...# #...# ##..# #.#.# #..## #...# #...#"),
        ("O", ".###. #...# #...# #...# #...# #...# .###."),
        ("P", "####. #...# #...# ####. #.... #.... #...."),
        ("Q", ".###. #...# #...# #...# #.#.# #..#. .##.#"),
        ("R", "####. #...# #...# ####. #.#.. #..#. #...#"),
        ("S", ".#### #.... #.... .###. ....# ....# ####."),
        ("T", "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("U", "#...# #...# #...# #...# #...# #...# .###."),
        ("V", "#...# #...# #...# #...# #...# .#.#. ..#.."),
        ("W", "#...# #...# #...# #.#.# #.#.# #.#.# .#.#."),
        ("X", "#...# #...# .#.#. ..#.. .#.#. #...# #...#"),
        ("Y", "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."),
        ("Z", "##### ....# ...#. ..#.. .#... #.... #####"),
        ("a", "..... ..... .###. ....# .#### #...# .####"),
        ("b", "#.... #.... #.##. ##..# #...# #...# ####."),
        ("c", "..... ..... .###. #.... #.... #...# .###."),
        ("d", "....# ....# .##.# #..## #...# #...# .####"),
        ("e", "..... ..... .###. #...# ##### #.... .###."),
        ("f", "..##. .#..# .#... ###.. .#... .#... .#..."),
        ("g", "..... ..... .#### #...# #...# #...# .#### ....# .###."),
        ("h", "#.... #.... #.##. ##..# #...# #...# #...#"),
        ("i", "..#.. ..... .##.. ..#.. ..#.. ..#.. .###."),
        ("j", "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##.."),
        ("k", "#.... #.... #..#. #.#.. ##... #.#.. #..#."),
        ("l", ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("m", "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#"),
        ("n", "..... ..... #.##. ##..# #...# #...# #...#"),
        ("o", "..... ..... .###. #...# #...# #...# .###."),
        ("p", "..... ..... ####. #...# #...# #...# ####. #.... #...."),
        ("q", "..... ..... .#### #...# #...# #...# .#### ....# ....#"),
        ("r", "..... ..... #.##. ##..# #.... #.... #...."),
        ("s", "..... ..... .###. #.... .###. ....# ####."),
        ("t", ".#... .#... ###.. .#... .#... .#..# ..##."),
        ("u", "..... ..... #...# #...# #...# #..## .##.#"),
        ("v", "..... ..... #...# #...# #...# .#.#. ..#.."),
        ("w", "..... ..... #...# #...# #.#.# #.#.# .#.#."),
        ("x", "..... ..... #...# .#.#. ..#.. .#.#. #...#"),
        ("y", "..... ..... #...# #...# #...# #...# .#### ....# .###."),
        ("z", "..... ..... ##### ...#. ..#.. .#... #####"),
        (".", "..... ..... ..... ..... ..... .##.. .##.."),
        (",", "..... ..... ..... ..... ..... .##.. .##.. ..#.. .#..."),
        (":", "..... .##.. .##.. ..... .##.. .##.. ....."),
        (";", "..... .##.. .##.. ..... .##.. .##.. ..#.. .#... ....."),
        ("-", "..... ..... ..... ##### ..... ..... ....."),
        ("+", "..... ..#.. ..#.. ##### ..#.. ..#.. ....."),
        ("_", "..... ..... ..... ..... ..... ..... #####"),
        ("=", "..... ..... ##### ..... ##### ..... ....."),
        ("/", "....# ....# ...#. ..#.. .#... #.... #...."),
        ("\\", "#.... #.... .#... ..#.. ...#. ....# ....#"),
        ("(", "...#. ..#.. .#... .#... .#... ..#.. ...#."),
        (")", ".#... ..#.. ...#. ...#. ...#. ..#.. .#..."),
        ("[", ".###. .#... .#... .#... .#... .#... .###."),
        ("]", ".###. ...#. ...#. ...#. ...#. ...#. .###."),
        ("{", "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#."),
        ("}", ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#..."),
        ("<", "...#. ..#.. .#... #.... .#... ..#.. ...#."),
        (">", ".#... ..#.. ...#. ....# ...#. ..#.. .#..."),
        ("%", "##... ##..# ...#. ..#.. .#... #..## ...##"),
        ("!", "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.."),
        ("?", ".###. #...# ....# ...#. ..#.. ..... ..#.."),
        ("'", "..#.. ..#.. .#... ..... ..... ..... ....."),
        ("\"", ".#.#. .#.#. .#.#. ..... ..... ..... ....."),
        ("`", ".#... ..#.. ...#. ..... ..... ..... ....."),
        ("#", ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#."),
        ("*", "..... ..#.. #.#.# .###. #.#.# ..#.. ....."),
        ("&", ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#"),
        ("@", ".###. #...# ....# .##.# #.#.# #.#.# .###."),
        ("$", "..#.. .#### #.#.. .###. ..#.# ####. ..#.."),
        ("^", "..#.. .#.#. #...# ..... ..... ..... ....."),
        ("|", "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("~", "..... ..... .#... #.#.# ...#. ..... ....."),
        ("\u{2212}", "..... ..... ..... ##### ..... ..... ....."),  // minus sign, same as hyphen
        ("\u{00D7}", "..... #...# .#.#. ..#.. .#.#. #...# ....."),  // multiplication sign
    ]
}
