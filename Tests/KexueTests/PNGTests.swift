import Foundation
import XCTest
@testable import Kexue

final class PNGTests: XCTestCase {
    func testCRC32KnownValues() {
        XCTAssertEqual(PNG.crc32(Array("IEND".utf8)), 0xAE42_6082)  // the CRC every PNG ends with
        XCTAssertEqual(PNG.crc32(Array("123456789".utf8)), 0xCBF4_3926)  // the standard check value
    }

    func testAdler32KnownValue() {
        XCTAssertEqual(Zlib.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    func testZlibRoundTripAndCompresses() throws {
        var rng = SystemRandomNumberGenerator()
        let random = (0 ..< 5000).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
        let repetitive = [UInt8](repeating: 7, count: 100_000) + Array("abcabcabcabd".utf8)
        for input in [[], [1], random, repetitive, random + random] {
            XCTAssertEqual(try Zlib.decompress(Zlib.compress(input)), input)
        }
        XCTAssertLessThan(Zlib.compress(repetitive).count, 1000)
    }

    func testInflateStoredAndDynamicBlocksFromZlib() throws {
        // A stored block written by hand ("hello", Adler-32 0x062C0215), and a dynamic-Huffman stream
        // from Python's zlib.compress(300 random letters from "aaaaaaaaaaaaaaaabbbbbbbccccdde", 9).
        let stored: [UInt8] = [0x78, 0x01, 0x01, 0x05, 0x00, 0xFA, 0xFF, 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x06, 0x2C, 0x02, 0x15]
        XCTAssertEqual(try Zlib.decompress(stored), Array("hello".utf8))
        XCTAssertThrowsError(try Zlib.decompress(Array(stored.dropLast())))
        var corrupt = stored
        corrupt[8] ^= 1
        XCTAssertThrowsError(try Zlib.decompress(corrupt))  // Adler-32 catches it

        let dynamic: [UInt8] = [
            0x78, 0xDA, 0x35, 0x50, 0x81, 0x11, 0x00, 0x21, 0x08, 0x9A, 0x15, 0xC4, 0xFD, 0x57, 0x78, 0xC0, 0xAF, 0xEE, 0x4C, 0x09,
            0xC1, 0x02, 0x35, 0x03, 0x2F, 0x07, 0xA2, 0x99, 0x92, 0x1A, 0xA4, 0xC1, 0x44, 0x05, 0x64, 0xCE, 0x20, 0xC7, 0x22, 0x7E,
            0xFA, 0x1A, 0x5A, 0x2E, 0xD3, 0xA2, 0x5C, 0x6B, 0xC8, 0x75, 0xB1, 0xA5, 0x08, 0x62, 0x62, 0xA5, 0xD2, 0x45, 0x71, 0x38,
            0x27, 0x68, 0xAD, 0x39, 0xE7, 0xE2, 0x46, 0x88, 0xDF, 0x63, 0xD5, 0x34, 0xD1, 0x62, 0x0C, 0x6F, 0xE4, 0xCD, 0xF4, 0xB0,
            0x53, 0xE2, 0xF8, 0xD7, 0xCD, 0xA2, 0x95, 0xBC, 0x51, 0xCD, 0xD4, 0x64, 0x38, 0x02, 0xCF, 0xFE, 0xAA, 0x2E, 0x1E, 0x0F,
            0xAF, 0xC6, 0x7B, 0x3A, 0xDF, 0x2F, 0xDC, 0x8F, 0xC4, 0xA3, 0x96, 0xE1, 0x7E, 0x7B, 0x50, 0x72, 0xB0,
        ]
        XCTAssertEqual((dynamic[2] >> 1) & 3, 2)  // really a dynamic-Huffman block
        let text = "abdccaaaacaabacaaaadcaabccabaaccabadaaaabbadabaacabacaabaaabacaaeaacebebaabcdaacadcbbeabcebaaabdadbabdaaacc"
            + "aabaabdbcbcaaabbacabcaaacaaaabdbbbabaabaacabedbaabadbaaeabbbcaacdcdcbcabcbaaaadabbabaacaaaabbbcbaabacababbadac"
            + "bcdceaacbaadaaaccaaaacbaaaaaaabababbaabaaaaaaaaacaaaadcbabacaaaaaacaabbbabcabcbbaab"
        XCTAssertEqual(try Zlib.decompress(dynamic), Array(text.utf8))
    }

    func testPNGRoundTripAllColorTypes() throws {
        for (type, w, h) in [(PNGColorType.gray, 7, 5), (.rgb, 13, 9), (.rgba, 4, 11)] {
            let pixels = (0 ..< w * h * type.channels).map { UInt8(truncatingIfNeeded: $0 * 37 + $0 / 5) }
            let data = try PNG.encode(width: w, height: h, colorType: type, pixels: pixels)
            XCTAssertEqual(Array(data.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            XCTAssertEqual(Array(data.suffix(8)), [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])  // IEND + its CRC
            let image = try PNG.decode(data)
            XCTAssertEqual(image, PNGImage(width: w, height: h, colorType: type, pixels: pixels))
        }
    }

    func testPNGDecodeRejectsCorruption() throws {
        var data = try PNG.encode(width: 2, height: 2, colorType: .gray, pixels: [0, 1, 2, 3])
        data[20] ^= 0xFF  // inside IHDR: its CRC no longer matches
        XCTAssertThrowsError(try PNG.decode(data)) { XCTAssertTrue("\($0)".contains("CRC"), "\($0)") }
        XCTAssertThrowsError(try PNG.encode(width: 2, height: 2, colorType: .rgb, pixels: [0]))
    }
}
