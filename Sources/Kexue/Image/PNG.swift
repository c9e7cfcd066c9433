// PNG files (8-bit, non-interlaced): an encoder for our figures and a decoder so tests can check what
// we wrote without Python. Spec: https://www.w3.org/TR/png/
import Foundation

/// Pixel layouts we read and write; raw values are the PNG colour-type codes.
public enum PNGColorType: UInt8, Sendable {
    case gray = 0, rgb = 2, grayAlpha = 4, rgba = 6

    public var channels: Int {
        switch self {
        case .gray: return 1
        case .grayAlpha: return 2
        case .rgb: return 3
        case .rgba: return 4
        }
    }
}

/// A decoded 8-bit image: rows top to bottom, channels interleaved.
public struct PNGImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let colorType: PNGColorType
    /// [height, width, channels]
    public let pixels: [UInt8]

    public init(width: Int, height: Int, colorType: PNGColorType, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.colorType = colorType
        self.pixels = pixels
    }
}

/// A malformed PNG or invalid encoder input.
public struct PNGError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { "PNG: \(message)" }
}

/// PNG encoding and decoding.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes `pixels` ([height, width, channels], 8 bits each) as a PNG file.
    public static func encode(width: Int, height: Int, colorType: PNGColorType, pixels: [UInt8]) throws -> Data {
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw PNGError(message: "size \(width)x\(height) must be positive")
        }
        let bpp = colorType.channels
        guard pixels.count == width * height * bpp else {
            throw PNGError(message: "\(pixels.count) bytes given, \(width)x\(height)x\(bpp) needed")
        }
        var out = signature
        var ihdr: [UInt8] = []
        ihdr += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        ihdr += [8, colorType.rawValue, 0, 0, 0]  // bit depth, colour type, deflate, adaptive filters, no interlace
        appendChunk("IHDR", ihdr, to: &out)
        appendChunk("IDAT", Zlib.compress(filtered(pixels, width: width, height: height, bpp: bpp)), to: &out)
        appendChunk("IEND", [], to: &out)
        return Data(out)
    }

    /// Encodes and writes atomically, so a viewer never sees half a picture.
    public static func write(to url: URL, width: Int, height: Int, colorType: PNGColorType, pixels: [UInt8]) throws {
        try AtomicFile.write(encode(width: width, height: height, colorType: colorType, pixels: pixels), to: url)
    }

    /// Decodes an 8-bit, non-interlaced grayscale/RGB/(gray)alpha PNG, checking every CRC.
    public static func decode(_ data: Data) throws -> PNGImage {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, Array(bytes[0 ..< 8]) == signature else { throw PNGError(message: "missing PNG signature") }
        var p = 8
        var header: (width: Int, height: Int, colorType: PNGColorType)?
        var idat: [UInt8] = []
        var sawEnd = false
        while !sawEnd {
            guard p + 12 <= bytes.count else { throw PNGError(message: "truncated chunk at byte \(p)") }
            let length = Int(readBigEndian(bytes, p))
            guard length <= bytes.count - p - 12 else { throw PNGError(message: "chunk length \(length) past end of file") }
            let type = String(decoding: bytes[(p + 4) ..< (p + 8)], as: UTF8.self)
            let body = Array(bytes[(p + 8) ..< (p + 8 + length)])
            guard crc32(bytes[(p + 4) ..< (p + 8 + length)]) == readBigEndian(bytes, p + 8 + length) else {
                throw PNGError(message: "CRC mismatch in \(type) chunk")
            }
            p += 12 + length
            switch type {
            case "IHDR":
                guard body.count == 13 else { throw PNGError(message: "IHDR has \(body.count) bytes") }
                guard body[8] == 8, let ct = PNGColorType(rawValue: body[9]), body[10] == 0, body[11] == 0, body[12] == 0 else {
                    throw PNGError(message: "only 8-bit non-interlaced gray/RGB/alpha images are supported")
                }
                let w = Int(readBigEndian(body, 0)), h = Int(readBigEndian(body, 4))
                guard w > 0, h > 0, w.multipliedReportingOverflow(by: h).overflow == false, w * h <= 1 << 28 else {
                    throw PNGError(message: "unreasonable size \(w)x\(h)")
                }
                header = (w, h, ct)
            case "IDAT": idat += body
            case "IEND": sawEnd = true
            default: break  // ancillary chunks (text, gamma…) do not change our pixels
            }
        }
        guard let (width, height, colorType) = header else { throw PNGError(message: "missing IHDR") }
        let raw: [UInt8]
        do { raw = try Zlib.decompress(idat) } catch { throw PNGError(message: "\(error)") }
        let bpp = colorType.channels
        let stride = width * bpp
        guard raw.count == height * (stride + 1) else {
            throw PNGError(message: "image data is \(raw.count) bytes, expected \(height * (stride + 1))")
        }
        return PNGImage(width: width, height: height, colorType: colorType, pixels: try unfiltered(raw, height: height, stride: stride, bpp: bpp))
    }

    /// CRC-32 as PNG (and zlib, gzip) define it: polynomial 0xEDB88320, reflected, inverted.
    public static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = crcTable[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0 ..< 256).map { n in
        var c = UInt32(n)
        for _ in 0 ..< 8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    // MARK: - Chunks and filters

    static func appendChunk(_ type: String, _ body: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian(UInt32(body.count))
        out += typeBytes
        out += body
        out += bigEndian(crc32(typeBytes + body))
    }

    /// Per row, filter None or Sub, whichever has the smaller sum of |signed bytes| (the libpng
    /// heuristic): Sub turns flat runs and gradients into zeros, which LZ77 then eats.
    private static func filtered(_ pixels: [UInt8], width: Int, height: Int, bpp: Int) -> [UInt8] {
        let stride = width * bpp
        var out = [UInt8]()
        out.reserveCapacity(height * (stride + 1))
        var sub = [UInt8](repeating: 0, count: stride)
        for y in 0 ..< height {
            let row = y * stride
            var costNone = 0, costSub = 0
            for x in 0 ..< stride {
                let v = pixels[row + x]
                let s = x >= bpp ? v &- pixels[row + x - bpp] : v
                sub[x] = s
                costNone += Int(min(v, 0 &- v))
                costSub += Int(min(s, 0 &- s))
            }
            if costSub < costNone {
                out.append(1)
                out += sub
            } else {
                out.append(0)
                out += pixels[row ..< row + stride]
            }
        }
        return out
    }

    private static func unfiltered(_ raw: [UInt8], height: Int, stride: Int, bpp: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: height * stride)
        for y in 0 ..< height {
            let filter = raw[y * (stride + 1)]
            let src = y * (stride + 1) + 1, dst = y * stride
            for x in 0 ..< stride {
                let a = x >= bpp ? Int(out[dst + x - bpp]) : 0
                let b = y > 0 ? Int(out[dst - stride + x]) : 0
                let c = (x >= bpp && y > 0) ? Int(out[dst - stride + x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw PNGError(message: "unknown filter type \(filter) in row \(y)")
                }
                out[dst + x] = raw[src + x] &+ UInt8(truncatingIfNeeded: predictor)
            }
        }
        return out
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    private static func readBigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
