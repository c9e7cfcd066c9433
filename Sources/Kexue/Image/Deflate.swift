// zlib streams (RFC 1950) around DEFLATE (RFC 1951), just enough for PNG without linking zlib.
// Compression: greedy LZ77 over a 32 KiB window with hash chains, emitted as one fixed-Huffman block.
// Plots are mostly flat colour, so long back-references do nearly all the work and dynamic Huffman
// tables would buy little. Decompression handles all three block types, so we can also read PNGs
// written by other tools.

/// A malformed or truncated zlib/DEFLATE stream.
public struct DeflateError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { "deflate: \(message)" }
}

/// zlib compression and decompression.
public enum Zlib {
    /// Compresses `input` into a zlib stream.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = BitWriter()
        out.bytes = [0x78, 0x01]  // 32 KiB window, deflate; FLG makes 0x7801 a multiple of 31
        Deflate.fixedBlock(input, into: &out)
        out.flush()
        let a = adler32(input)
        out.bytes += [UInt8(a >> 24), UInt8(a >> 16 & 0xFF), UInt8(a >> 8 & 0xFF), UInt8(a & 0xFF)]
        return out.bytes
    }

    /// Decompresses a zlib stream, checking its header and Adler-32.
    public static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        guard input.count >= 6 else { throw DeflateError(message: "stream too short") }
        let cmf = input[0], flg = input[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7 else { throw DeflateError(message: "not a deflate stream") }
        guard (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else { throw DeflateError(message: "bad zlib header check") }
        guard flg & 0x20 == 0 else { throw DeflateError(message: "preset dictionary not supported") }
        var reader = BitReader(bytes: input, position: 2)
        let out = try Inflate.run(&reader)
        let p = reader.alignedPosition
        guard p + 4 <= input.count else { throw DeflateError(message: "missing Adler-32") }
        let stored = UInt32(input[p]) << 24 | UInt32(input[p + 1]) << 16 | UInt32(input[p + 2]) << 8 | UInt32(input[p + 3])
        guard stored == adler32(out) else { throw DeflateError(message: "Adler-32 mismatch") }
        return out
    }

    /// Adler-32 checksum (RFC 1950 §9).
    public static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            // 5552 is the largest run for which b cannot overflow 32 bits before the modulo.
            let end = min(i + 5552, bytes.count)
            while i < end { a += UInt32(bytes[i]); b += a; i += 1 }
            a %= 65521; b %= 65521
        }
        return b << 16 | a
    }
}

// MARK: - Tables shared by both directions (RFC 1951 §3.2.5)

private let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
private let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
private let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
private let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

/// LSB-first bit packer, as DEFLATE requires.
struct BitWriter {
    var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    mutating func write(_ value: Int, bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 { bytes.append(UInt8(buffer & 0xFF)); buffer >>= 8; count -= 8 }
    }

    /// Huffman codes are defined MSB-first, so they go out bit-reversed.
    mutating func writeCode(_ code: Int, bits: Int) {
        var reversed = 0
        for i in 0 ..< bits where code >> i & 1 == 1 { reversed |= 1 << (bits - 1 - i) }
        write(reversed, bits: bits)
    }

    mutating func flush() {
        if count > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        buffer = 0
        count = 0
    }
}

enum Deflate {
    static let windowSize = 32768
    static let maxChain = 64  // candidates tried per position: plenty for plots, bounded time for noise

    /// Emits `input` as a single final fixed-Huffman block.
    static func fixedBlock(_ input: [UInt8], into out: inout BitWriter) {
        out.write(1, bits: 1)  // BFINAL
        out.write(1, bits: 2)  // BTYPE = 01, fixed Huffman
        let n = input.count
        let hashBits = 15, hashSize = 1 << 15
        var head = [Int](repeating: -1, count: hashSize)
        var previous = [Int](repeating: -1, count: windowSize)
        func hash(_ i: Int) -> Int {
            (Int(input[i]) << 10 ^ Int(input[i + 1]) << 5 ^ Int(input[i + 2])) & ((1 << hashBits) - 1)
        }
        func insert(_ i: Int) {
            guard i + 2 < n else { return }
            let h = hash(i)
            previous[i & (windowSize - 1)] = head[h]
            head[h] = i
        }

        var i = 0
        while i < n {
            var bestLength = 0, bestDistance = 0
            if i + 2 < n {
                var candidate = head[hash(i)]
                var chain = maxChain
                let limit = min(258, n - i)
                while candidate >= 0, i - candidate <= windowSize, chain > 0 {
                    var length = 0
                    while length < limit, input[candidate + length] == input[i + length] { length += 1 }
                    if length > bestLength { bestLength = length; bestDistance = i - candidate; if length == limit { break } }
                    let next = previous[candidate & (windowSize - 1)]
                    if next >= candidate { break }  // slot was overwritten by a newer position
                    candidate = next
                    chain -= 1
                }
            }
            if bestLength >= 3 {
                writeLength(bestLength, &out)
                writeDistance(bestDistance, &out)
                for j in i ..< i + bestLength { insert(j) }
                i += bestLength
            } else {
                writeLiteral(Int(input[i]), &out)
                insert(i)
                i += 1
            }
        }
        writeLiteral(256, &out)  // end of block
    }

    /// Fixed literal/length code (RFC 1951 §3.2.6).
    private static func writeLiteral(_ symbol: Int, _ out: inout BitWriter) {
        switch symbol {
        case 0 ... 143: out.writeCode(0x30 + symbol, bits: 8)
        case 144 ... 255: out.writeCode(0x190 + symbol - 144, bits: 9)
        case 256 ... 279: out.writeCode(symbol - 256, bits: 7)
        default: out.writeCode(0xC0 + symbol - 280, bits: 8)
        }
    }

    private static func writeLength(_ length: Int, _ out: inout BitWriter) {
        var code = lengthBase.count - 1
        while lengthBase[code] > length { code -= 1 }
        writeLiteral(257 + code, &out)
        if lengthExtra[code] > 0 { out.write(length - lengthBase[code], bits: lengthExtra[code]) }
    }

    private static func writeDistance(_ distance: Int, _ out: inout BitWriter) {
        var code = distanceBase.count - 1
        while distanceBase[code] > distance { code -= 1 }
        out.writeCode(code, bits: 5)
        if distanceExtra[code] > 0 { out.write(distance - distanceBase[code], bits: distanceExtra[code]) }
    }
}

// MARK: - Decompression

struct BitReader {
    let bytes: [UInt8]
    var position: Int
    private var buffer: UInt32 = 0
    private var count = 0

    init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }

    mutating func bits(_ n: Int) throws -> Int {
        while count < n {
            guard position < bytes.count else { throw DeflateError(message: "unexpected end of stream") }
            buffer |= UInt32(bytes[position]) << UInt32(count)
            position += 1
            count += 8
        }
        let value = Int(buffer & ((1 << UInt32(n)) - 1))
        buffer >>= UInt32(n)
        count -= n
        return value
    }

    /// Drops the bits left in the current byte (stored blocks and the trailer are byte-aligned).
    mutating func align() { buffer = 0; count = 0 }

    /// Index of the first byte not yet consumed, once aligned.
    var alignedPosition: Int { position - count / 8 }
}

/// Canonical Huffman decoding table: how many codes of each length, and symbols in code order.
private struct Huffman {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int] = []

    init(lengths: [Int]) throws {
        for l in lengths { counts[l] += 1 }
        counts[0] = 0
        var left = 1  // reject over-subscribed code sets, which would decode ambiguously
        for len in 1 ..< 16 {
            left = left * 2 - counts[len]
            guard left >= 0 else { throw DeflateError(message: "over-subscribed Huffman code") }
        }
        var offsets = [Int](repeating: 0, count: 16)
        for len in 1 ..< 15 { offsets[len + 1] = offsets[len] + counts[len] }
        symbols = [Int](repeating: 0, count: lengths.count)
        for (symbol, l) in lengths.enumerated() where l != 0 {
            symbols[offsets[l]] = symbol
            offsets[l] += 1
        }
    }

    func decode(_ r: inout BitReader) throws -> Int {
        var code = 0, first = 0, index = 0
        for len in 1 ..< 16 {
            code |= try r.bits(1)
            let count = counts[len]
            if code - count < first { return symbols[index + code - first] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw DeflateError(message: "invalid Huffman code")
    }
}

private enum Inflate {
    static func run(_ r: inout BitReader) throws -> [UInt8] {
        var out: [UInt8] = []
        var final = false
        while !final {
            final = try r.bits(1) == 1
            switch try r.bits(2) {
            case 0: try stored(&r, &out)
            case 1:
                let lit = try Huffman(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
                let dist = try Huffman(lengths: [Int](repeating: 5, count: 30))
                try codes(&r, &out, lit, dist)
            case 2:
                let (lit, dist) = try dynamicTables(&r)
                try codes(&r, &out, lit, dist)
            default: throw DeflateError(message: "invalid block type 3")
            }
        }
        r.align()
        return out
    }

    private static func stored(_ r: inout BitReader, _ out: inout [UInt8]) throws {
        r.align()
        let p = r.alignedPosition
        guard p + 4 <= r.bytes.count else { throw DeflateError(message: "truncated stored block") }
        let len = Int(r.bytes[p]) | Int(r.bytes[p + 1]) << 8
        let nlen = Int(r.bytes[p + 2]) | Int(r.bytes[p + 3]) << 8
        guard len == ~nlen & 0xFFFF else { throw DeflateError(message: "stored block length check failed") }
        guard p + 4 + len <= r.bytes.count else { throw DeflateError(message: "truncated stored block") }
        out += r.bytes[(p + 4) ..< (p + 4 + len)]
        r.position = p + 4 + len
    }

    private static func dynamicTables(_ r: inout BitReader) throws -> (Huffman, Huffman) {
        let nlen = try r.bits(5) + 257, ndist = try r.bits(5) + 1, ncode = try r.bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw DeflateError(message: "too many length or distance codes") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0 ..< ncode { codeLengths[order[i]] = try r.bits(3) }
        let lencode = try Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < nlen + ndist {
            let symbol = try lencode.decode(&r)
            switch symbol {
            case 0 ... 15: lengths.append(symbol)
            case 16:
                guard let last = lengths.last else { throw DeflateError(message: "repeat with no previous length") }
                lengths += repeatElement(last, count: 3 + (try r.bits(2)))
            case 17: lengths += repeatElement(0, count: 3 + (try r.bits(3)))
            default: lengths += repeatElement(0, count: 11 + (try r.bits(7)))
            }
        }
        guard lengths.count == nlen + ndist else { throw DeflateError(message: "code lengths overrun") }
        guard lengths[256] != 0 else { throw DeflateError(message: "no end-of-block code") }
        return (try Huffman(lengths: Array(lengths[..<nlen])), try Huffman(lengths: Array(lengths[nlen...])))
    }

    private static func codes(_ r: inout BitReader, _ out: inout [UInt8], _ lit: Huffman, _ dist: Huffman) throws {
        while true {
            let symbol = try lit.decode(&r)
            if symbol < 256 { out.append(UInt8(symbol)); continue }
            if symbol == 256 { return }
            let li = symbol - 257
            guard li < 29 else { throw DeflateError(message: "invalid length symbol \(symbol)") }
            let length = lengthBase[li] + (try r.bits(lengthExtra[li]))
            let di = try dist.decode(&r)
            guard di < 30 else { throw DeflateError(message: "invalid distance symbol \(di)") }
            let distance = distanceBase[di] + (try r.bits(distanceExtra[di]))
            guard distance <= out.count else { throw DeflateError(message: "distance \(distance) reaches before the start") }
            let start = out.count - distance
            for k in 0 ..< length { out.append(out[start + k]) }  // byte by byte: copies may overlap
        }
    }
}
