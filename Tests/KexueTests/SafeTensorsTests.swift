import Foundation
import XCTest
@testable import Kexue

final class SafeTensorsTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kexue-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A file image built by hand: header JSON (unpadded unless given so) followed by `data`.
    func image(_ header: String, data: [UInt8]) -> Data {
        let h = Array(header.utf8)
        var out = Data()
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: h)
        out.append(contentsOf: data)
        return out
    }

    /// Writes `bytes` to `name` and asserts that opening it throws `kind`, naming the file and `key`.
    func assertRejects(_ bytes: Data, _ kind: SafeTensorsError.Kind, key: String?, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = dir.appendingPathComponent("model.safetensors")
        try bytes.write(to: url)
        do {
            _ = try SafeTensorsFile(contentsOf: url)
            XCTFail("accepted a bad file", file: file, line: line)
        } catch let e as SafeTensorsError {
            XCTAssertEqual(e.kind, kind, e.description, file: file, line: line)
            XCTAssertTrue(e.description.contains("model.safetensors"), e.description, file: file, line: line)
            if let key {
                XCTAssertEqual(e.key, key, file: file, line: line)
                XCTAssertTrue(e.description.contains("'\(key)'"), e.description, file: file, line: line)
            }
        }
    }

    // MARK: - Round trips

    func testRoundTripEveryDType() throws {
        var w = SafeTensorsWriter(metadata: ["format": "pt", "note": "quote \" and\nnewline"])
        try w.add("f64", shape: [2], doubles: [1.5, -2.25e100])
        try w.add("f32", shape: [2, 2], floats: [0, 1, -2.5, 3.25])
        try w.add("f16", shape: [3], floats: [1, -0.5, 65504], as: .F16)
        try w.add("bf16", shape: [2], floats: [1, -3], as: .BF16)
        try w.add("i64", shape: [2], int32s: [7, -8], as: .I64)
        try w.add("i32", shape: [1, 3], int32s: [1, Int32.min, Int32.max])
        try w.add("i16", dtype: .I16, shape: [2], bytes: Data([0xFF, 0xFF, 0x02, 0x00]))
        try w.add("i8", dtype: .I8, shape: [2], bytes: Data([0x80, 0x05]))
        try w.add("u8", dtype: .U8, shape: [2], bytes: Data([0xFF, 0x01]))
        try w.add("bool", dtype: .BOOL, shape: [3], bytes: Data([1, 0, 1]))
        try w.add("scalar", shape: [], floats: [42])
        try w.add("empty", shape: [0, 4], floats: [])
        let url = dir.appendingPathComponent("all.safetensors")
        try w.write(to: url)

        let f = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(f.entries.map(\.name), ["bf16", "bool", "empty", "f16", "f32", "f64", "i16", "i32", "i64", "i8", "scalar", "u8"])
        XCTAssertEqual(f.metadata, ["format": "pt", "note": "quote \" and\nnewline"])
        XCTAssertEqual(f.dataSectionOffset % 8, 0)
        XCTAssertEqual(try f.doubles("f64"), [1.5, -2.25e100])
        XCTAssertEqual(try f.floats("f32"), [0, 1, -2.5, 3.25])
        XCTAssertEqual(try f.entry("f32").shape, [2, 2])
        XCTAssertEqual(try f.floats("f16"), [1, -0.5, 65504])
        XCTAssertEqual(try f.floats("bf16"), [1, -3])
        XCTAssertEqual(try f.int32s("i64"), [7, -8])
        XCTAssertEqual(try f.int32s("i32"), [1, Int32.min, Int32.max])
        XCTAssertEqual(try f.int64s("i16"), [-1, 2])
        XCTAssertEqual(try f.int64s("i8"), [-128, 5])
        XCTAssertEqual(try f.int64s("u8"), [255, 1])
        XCTAssertEqual(try f.int64s("bool"), [1, 0, 1])
        XCTAssertEqual(try f.floats("scalar"), [42])
        XCTAssertEqual(try f.entry("scalar").shape, [])
        XCTAssertEqual(try f.floats("empty"), [])
        // Every tensor is aligned to its element size, as in files from the reference writer.
        for e in f.entries { XCTAssertEqual((f.dataSectionOffset + e.byteRange.lowerBound) % e.dtype.byteSize, 0, e.name) }
        if let out = ProcessInfo.processInfo.environment["KEXUE_TEST_OUTPUT"] {  // for checking with Python by hand
            try w.write(to: URL(fileURLWithPath: out).appendingPathComponent("all.safetensors"))
        }
    }

    func testHalfPrecisionDecodesHandComputedBits() throws {
        // F16: 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504 (max), 0x0001 = 2^-24 (smallest subnormal),
        // 0x3555 ≈ 0.33325195, 0x7C00 = +inf. BF16: 0x3F80 = 1, 0xC040 = -3, 0x4049 ≈ 3.140625.
        let f16: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3555, 0x7C00]
        let bf16: [UInt16] = [0x3F80, 0xC040, 0x4049]
        func le(_ v: [UInt16]) -> Data { Data(v.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }) }
        var w = SafeTensorsWriter()
        try w.add("h", dtype: .F16, shape: [6], bytes: le(f16))
        try w.add("b", dtype: .BF16, shape: [3], bytes: le(bf16))
        let f = try SafeTensorsFile(data: w.serialized())
        XCTAssertEqual(try f.floats("h"), [1, -2, 65504, 5.9604645e-8, 0.33325195, .infinity])
        XCTAssertEqual(try f.floats("b"), [1, -3, 3.140625])
        XCTAssertEqual(try f.doubles("h")[3], pow(2, -24))
    }

    func testFloatToHalfRoundsToNearestEven() {
        XCTAssertEqual(HalfPrecision.half(from: 1), 0x3C00)
        XCTAssertEqual(HalfPrecision.half(from: 65504), 0x7BFF)
        XCTAssertEqual(HalfPrecision.half(from: 65520), 0x7C00)  // rounds up to infinity
        XCTAssertEqual(HalfPrecision.half(from: 1 + 1.0 / 2048), 0x3C00)  // tie -> even
        XCTAssertEqual(HalfPrecision.half(from: 1 + 3.0 / 2048), 0x3C02)  // tie -> even (up)
        XCTAssertEqual(HalfPrecision.half(from: Float(pow(2.0, -24.0))), 0x0001)
        XCTAssertEqual(HalfPrecision.half(from: -0.0), 0x8000)
        XCTAssertEqual(HalfPrecision.bfloat(from: 1), 0x3F80)
        XCTAssertEqual(HalfPrecision.bfloat(from: Float(bitPattern: 0x3F80_8000)), 0x3F80)  // tie -> even
        XCTAssertEqual(HalfPrecision.bfloat(from: Float(bitPattern: 0x3F81_8000)), 0x3F82)
        for bits in stride(from: 0, through: 0x7BFF, by: 7) {  // every 7th finite half survives a round trip
            XCTAssertEqual(HalfPrecision.half(from: HalfPrecision.float(fromHalf: UInt16(bits))), UInt16(bits))
        }
    }

    /// Byte-for-byte the output of the reference Rust `serialize` test (`test_serialization`).
    func testMatchesReferenceSerializerBytes() throws {
        var w = SafeTensorsWriter()
        try w.add("attn.0", shape: [1, 2, 3], floats: [0, 1, 2, 3, 4, 5])
        let expected: [UInt8] = [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ]
        XCTAssertEqual([UInt8](w.serialized()), expected)
        // And the empty file with metadata (`test_empty`): `{"__metadata__":{"framework":"pt"}}` + 5 spaces.
        let meta = SafeTensorsWriter(metadata: ["framework": "pt"]).serialized()
        XCTAssertEqual(meta.count, 48)
        XCTAssertEqual(String(decoding: meta[8...], as: UTF8.self), "{\"__metadata__\":{\"framework\":\"pt\"}}     ")
    }

    /// Byte-for-byte what Python's `safetensors` 0.8.0 `save_file` wrote for the same tensors.
    func testMatchesPythonSaveFileBytes() throws {
        var w = SafeTensorsWriter(metadata: ["format": "pt"])
        try w.add("attn.0", shape: [1, 2, 3], floats: [0, 1, 2, 3, 4, 5])
        try w.add("ids", shape: [2], int32s: [1, 2], as: .I64)
        try w.add("m", dtype: .U8, shape: [3], bytes: Data([1, 1, 1]))
        try w.add("h", shape: [2], floats: [1, 2], as: .F16)
        let header = #"{"__metadata__":{"format":"pt"},"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"#
            + #""attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[16,40]},"h":{"dtype":"F16","shape":[2],"data_offsets":[40,44]},"#
            + #""m":{"dtype":"U8","shape":[3],"data_offsets":[44,47]}}   "#
        var expected: [UInt8] = [0x08, 0x01, 0, 0, 0, 0, 0, 0] + Array(header.utf8)
        expected += [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]  // ids
        expected += [0, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xA0, 0x40]  // attn.0
        expected += [0x00, 0x3C, 0x00, 0x40, 1, 1, 1]  // h, m
        XCTAssertEqual([UInt8](w.serialized()), expected)
    }

    func testWriterOrdersByAlignmentThenName() throws {
        var w = SafeTensorsWriter()
        try w.add("a_small", dtype: .U8, shape: [3], bytes: Data([1, 2, 3]))
        try w.add("z_wide", shape: [1], doubles: [1])
        try w.add("b_mid", shape: [1], floats: [1])
        let f = try SafeTensorsFile(data: w.serialized())
        XCTAssertEqual(try f.entry("z_wide").byteRange, 0 ..< 8)
        XCTAssertEqual(try f.entry("b_mid").byteRange, 8 ..< 12)
        XCTAssertEqual(try f.entry("a_small").byteRange, 12 ..< 15)
    }

    func testAccessorErrors() throws {
        var w = SafeTensorsWriter()
        try w.add("ids", shape: [2], int32s: [1, 2], as: .I64)
        try w.add("big", dtype: .I64, shape: [1], bytes: Data(withUnsafeBytes(of: Int64(1) << 40) { Array($0) }))
        let f = try SafeTensorsFile(data: w.serialized(), path: "ids.safetensors")
        XCTAssertThrowsError(try f.floats("ids")) { XCTAssertEqual(($0 as? SafeTensorsError)?.kind, .wrongDType) }
        XCTAssertThrowsError(try f.floats("missing")) { XCTAssertEqual(($0 as? SafeTensorsError)?.key, "missing") }
        XCTAssertThrowsError(try f.int32s("big")) { e in
            XCTAssertEqual((e as? SafeTensorsError)?.kind, .valueOutOfRange)
            XCTAssertTrue("\(e)".hasPrefix("ids.safetensors: tensor 'big'"), "\(e)")
        }
        XCTAssertThrowsError(try w.add("ids", shape: [1], floats: [1])) { XCTAssertEqual(($0 as? SafeTensorsError)?.kind, .invalidInput) }
        XCTAssertThrowsError(try w.add("n", shape: [3], floats: [1])) { XCTAssertEqual(($0 as? SafeTensorsError)?.kind, .sizeMismatch) }
        XCTAssertThrowsError(try w.add("neg", shape: [-1], floats: [])) { XCTAssertEqual(($0 as? SafeTensorsError)?.kind, .invalidShape) }
    }

    // MARK: - Validation

    let layerKey = "encoder.layer.0.attention.self.query.weight"

    func testRejectsTruncatedFile() throws {
        try assertRejects(Data([1, 2, 3]), .headerTooSmall, key: nil)
    }

    func testRejectsHeaderLengthPastEnd() throws {
        var bytes = image("{}", data: [])
        bytes[0] = 200  // claims a 200-byte header in a 10-byte file
        try assertRejects(bytes, .headerLengthPastEnd, key: nil)
    }

    func testRejectsHugeHeaderLength() throws {
        var bytes = image("{}", data: [])
        for i in 0 ..< 8 { bytes[i] = 0xFF }  // UInt64.max: must not overflow or allocate
        try assertRejects(bytes, .headerTooLarge, key: nil)
    }

    func testRejectsNonJSONHeader() throws {
        try assertRejects(image("{not json", data: []), .headerNotJSON, key: nil)
        try assertRejects(image("[1, 2]", data: []), .headerNotJSON, key: nil)
    }

    func testRejectsUnknownDType() throws {
        try assertRejects(image(#"{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#, data: [0]), .unknownDType, key: "w")
    }

    func testRejectsNegativeAndNonIntegerShapes() throws {
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), .invalidShape, key: "w")
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), .invalidShape, key: "w")
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), .invalidShape, key: "w")
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, data: [0, 0, 0, 0]), .invalidOffsets, key: "w")
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]), .invalidOffsets, key: "w")
    }

    func testRejectsSizeMismatch() throws {
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), .sizeMismatch, key: "w")
    }

    func testRejectsOverflowingElementCount() throws {
        let header = #"{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
        try assertRejects(image(header, data: [UInt8](repeating: 0, count: 8)), .overflow, key: "w")
        let header2 = #"{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#  // 2^61 × 8 overflows
        try assertRejects(image(header2, data: [UInt8](repeating: 0, count: 8)), .overflow, key: "w")
    }

    func testRejectsOffsetsPastEnd() throws {
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]), .offsetsPastEnd, key: "w")
    }

    func testRejectsOverlap() throws {
        let header = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"# +
            #""\#(layerKey)":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#
        let url = dir.appendingPathComponent("model.safetensors")
        try image(header, data: [UInt8](repeating: 0, count: 16)).write(to: url)
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url)) { e in
            XCTAssertEqual((e as? SafeTensorsError)?.kind, .overlap)
            XCTAssertEqual("\(e)", "\(url.path): tensor '\(layerKey)': data_offsets [8, 16] overlap the previous tensor 'a'")
        }
    }

    func testRejectsHoleAndTrailingBytes() throws {
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8)), .gap, key: "w")
        try assertRejects(image(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 8)), .trailingBytes, key: nil)
    }

    func testRejectsBadMetadata() throws {
        try assertRejects(image(#"{"__metadata__":{"epoch":3}}"#, data: []), .invalidEntry, key: "__metadata__")
    }

    func testAcceptsOutOfOrderHeaderAndZeroSizedTensors() throws {
        // Offsets need not follow key order (older writers sorted by name); empty tensors may share an offset.
        let header = #"{"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},"e":{"dtype":"F32","shape":[0],"data_offsets":[3,3]}}"#
        let f = try SafeTensorsFile(data: image(header, data: [9, 8, 7]))
        XCTAssertEqual(try f.int64s("a"), [8, 7])
        XCTAssertEqual(try f.int64s("b"), [9])
        XCTAssertEqual(try f.floats("e"), [])
    }

    func testRandomCorruptionNeverCrashes() throws {
        var w = SafeTensorsWriter(metadata: ["format": "pt"])
        try w.add("w", shape: [4, 4], floats: (0 ..< 16).map(Float.init))
        try w.add("ids", shape: [3], int32s: [1, 2, 3], as: .I64)
        let good = [UInt8](w.serialized())
        var rng = SystemRandomNumberGenerator()
        for trial in 0 ..< 2000 {
            var bytes = good
            if trial % 3 == 0 { bytes.removeLast(Int.random(in: 1 ... bytes.count, using: &rng)) }
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &rng) where !bytes.isEmpty {
                bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng)
            }
            if let f = try? SafeTensorsFile(data: Data(bytes)) {
                for e in f.entries { _ = try? f.rawBytes(e.name) }  // a file that validates must be readable
            }
        }
    }
}
