import Foundation
import XCTest
@testable import KexueText

/// 100% parity with HF `tokenizers` 0.23.3 on tools/make_tokenizer_fixture.py's golden files.
final class TokenizerParityTests: XCTestCase {
    /// One line of tokenizer_parity.jsonl; offsets are flattened [start0, end0, start1, ...].
    private struct ParityRecord: Decodable {
        let text: String
        let ids: [Int32]
        let offsets: [Int]
        let pair: String?
        let strategy: String?
        let max_length: Int?
        let type_ids: [Int32]?
    }

    /// Every text of tokenizer_parity.jsonl: same ids, type ids and offsets as HF.
    func testIdsAndOffsetsMatchHuggingFace() throws {
        let tokenizer = try TokenizerTestSupport.miniLM()
        let data = try Data(contentsOf: TokenizerTestSupport.fixtures.appendingPathComponent("tokenizer_parity.jsonl"))
        var checked = 0
        var mismatches: [String] = []
        var mismatchCount = 0
        let decoder = JSONDecoder()  // not JSONSerialization: its NSString bridge drops a leading U+FEFF
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let record = try decoder.decode(ParityRecord.self, from: line)
            let text = record.text
            let expectedIds = record.ids
            let expectedOffsets = stride(from: 0, to: record.offsets.count, by: 2).map {
                record.offsets[$0]..<record.offsets[$0 + 1]
            }
            let encoding: Encoding
            var expectedTypeIds: [Int32]?
            if let second = record.pair {
                let strategy: Truncation.Strategy = record.strategy == "only_second" ? .onlySecond : .longestFirst
                let truncation = Truncation(maxLength: try XCTUnwrap(record.max_length), strategy: strategy)
                encoding = try tokenizer.encode(text, pair: second, truncation: truncation)
                expectedTypeIds = record.type_ids
            } else {
                encoding = try tokenizer.encode(text)
            }
            checked += 1
            if encoding.ids != expectedIds || encoding.offsets != expectedOffsets
                || (expectedTypeIds.map { $0 != encoding.typeIds } ?? false) {
                mismatchCount += 1
                if mismatches.count < 5 {
                    mismatches.append(describeMismatch(text: text, expected: (expectedIds, expectedOffsets),
                                                       actual: encoding))
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 5000)
        XCTAssertEqual(mismatchCount, 0, "\(mismatchCount) of \(checked) texts differ from HF; first:\n"
                       + mismatches.joined(separator: "\n"))
    }

    /// HF's normalizer and punctuation class for every Unicode scalar alone (tokenizer_unicode.json).
    func testEveryScalarNormalizesAsHuggingFace() throws {
        let data = try Data(contentsOf: TokenizerTestSupport.fixtures.appendingPathComponent("tokenizer_unicode.json"))
        let tables = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        func ranges(_ key: String) throws -> [Range<UInt32>] {
            try XCTUnwrap(tables[key] as? [[Int]]).map { UInt32($0[0])..<UInt32($0[1]) }
        }
        let removed = try ranges("removed"), spaced = try ranges("spaced"), punctuation = try ranges("punctuation")
        var mapped: [UInt32: [Unicode.Scalar]] = [:]
        for entry in try XCTUnwrap(tables["mapped"] as? [[Any]]) {
            mapped[UInt32(try XCTUnwrap(entry[0] as? Int))] = Array(try XCTUnwrap(entry[1] as? String).unicodeScalars)
        }

        let basic = BasicTokenizer(options: BertNormalizerOptions())
        var failures: [String] = []
        var failureCount = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected: [Unicode.Scalar]
            if removed.contains(where: { $0.contains(value) }) {
                expected = []
            } else if spaced.contains(where: { $0.contains(value) }) {
                expected = [" ", scalar, " "]
            } else {
                expected = mapped[value] ?? [scalar]
            }
            var words = NormalizedWords()
            basic.appendWords(of: [scalar], in: 0..<1, to: &words)
            let isPunctuation = punctuation.contains(where: { $0.contains(value) })
            if words.scalars != expected || BertCharacterClasses.isPunctuation(scalar) != isPunctuation {
                failureCount += 1
                if failures.count < 20 {
                    failures.append(String(format: "U+%04X: got %@ punct=%d, HF %@ punct=%d", value,
                                           hex(words.scalars), BertCharacterClasses.isPunctuation(scalar) ? 1 : 0,
                                           hex(expected), isPunctuation ? 1 : 0))
                }
            }
        }
        XCTAssertEqual(failureCount, 0, "scalars normalized unlike HF:\n" + failures.joined(separator: "\n"))
    }

    private func hex(_ scalars: [Unicode.Scalar]) -> String {
        "[" + scalars.map { String(format: "%04X", $0.value) }.joined(separator: " ") + "]"
    }

    private func describeMismatch(text: String, expected: ([Int32], [Range<Int>]), actual: Encoding) -> String {
        let shown = text.unicodeScalars.prefix(200).map { $0.escaped(asASCII: true) }.joined()
        return """
            text: "\(shown)"
              HF ids:      \(expected.0.prefix(40))
              Swift ids:   \(actual.ids.prefix(40))
              HF offsets:  \(expected.1.prefix(20).map { "\($0.lowerBound)-\($0.upperBound)" })
              Swift offs:  \(actual.offsets.prefix(20).map { "\($0.lowerBound)-\($0.upperBound)" })
            """
    }
}
