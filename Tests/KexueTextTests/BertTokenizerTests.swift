import Foundation
import XCTest
@testable import KexueText

/// Edge cases and error paths of the tokenizer, beyond the HF parity fixture.
final class BertTokenizerTests: XCTestCase {
    func testEmptyAndInvisibleTextsGiveOnlyClassifierAndSeparator() throws {
        let tokenizer = try TokenizerTestSupport.miniLM()
        for text in ["", "   ", "\t\n\r\u{3000}\u{00A0}", "\u{0}\u{7}\u{1B}\u{85}\u{200B}\u{FEFF}\u{FFFD}"] {
            let encoding = try tokenizer.encode(text)
            XCTAssertEqual(encoding.tokens, ["[CLS]", "[SEP]"], "text: \(text.debugDescription)")
            XCTAssertEqual(encoding.offsets, [0..<0, 0..<0])
            XCTAssertEqual(encoding.attentionMask, [1, 1])
        }
    }

    func testWordPieceAndOffsetsOfAKnownSentence() throws {
        let tokenizer = try TokenizerTestSupport.miniLM()
        let encoding = try tokenizer.encode("Unaffable Café, naïve [MASK]!")
        XCTAssertEqual(encoding.tokens, ["[CLS]", "una", "##ffa", "##ble", "cafe", ",", "naive", "[MASK]", "!", "[SEP]"])
        XCTAssertEqual(encoding.offsets, [0..<0, 0..<3, 3..<6, 6..<9, 10..<14, 14..<15, 16..<21, 22..<28, 28..<29, 0..<0])
    }

    func testLongInputIsLinearAndLongWordsBecomeUnknown() throws {
        let tokenizer = try TokenizerTestSupport.miniLM()
        let word = String(repeating: "a", count: 101)
        XCTAssertEqual(tokenizer.tokenize(word), ["[UNK]"])
        XCTAssertEqual(tokenizer.tokenize(String(repeating: "a", count: 100)).count > 1, true)

        let sentence = "The quick brown fox, naïvely unaffable, jumps over 13 lazy dogs. "
        let text = String(repeating: sentence, count: 100_000 / sentence.unicodeScalars.count + 1)
        _ = try tokenizer.encode(text)  // warm-up: builds the lazy NFD table once per process
        let clock = ContinuousClock()
        var encoding: Encoding?
        let elapsed = try clock.measure { encoding = try tokenizer.encode(text) }
        let tokens = try XCTUnwrap(encoding).count
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print("tokenizer speed: \(tokens) tokens from \(text.unicodeScalars.count) scalars in "
              + String(format: "%.1f ms = %.2f M tokens/s", seconds * 1000, Double(tokens) / seconds / 1e6))
        XCTAssertLessThan(seconds, 1.0, "100k characters must tokenize in well under a second")
        XCTAssertEqual(encoding?.offsets.last?.isEmpty, true)
        XCTAssertEqual(encoding?.offsets[encoding!.count - 2], (text.unicodeScalars.count - 2)..<(text.unicodeScalars.count - 1))
    }

    func testPairTruncationFollowsHuggingFace() throws {
        let tokenizer = try TokenizerTestSupport.miniLM()
        let first = "a b c d e", second = "x y z u v w"
        let longest = try tokenizer.encode(first, pair: second, truncation: Truncation(maxLength: 9))
        XCTAssertEqual(longest.tokens, ["[CLS]", "a", "b", "c", "[SEP]", "x", "y", "z", "[SEP]"])
        XCTAssertEqual(longest.typeIds, [0, 0, 0, 0, 0, 1, 1, 1, 1])
        let onlySecond = try tokenizer.encode(first, pair: second,
                                              truncation: Truncation(maxLength: 10, strategy: .onlySecond))
        XCTAssertEqual(onlySecond.tokens, ["[CLS]", "a", "b", "c", "d", "e", "[SEP]", "x", "y", "[SEP]"])
        XCTAssertThrowsError(try tokenizer.encode("a b c d e f g h", pair: "x",
                                                  truncation: Truncation(maxLength: 8, strategy: .onlySecond)))
        XCTAssertEqual(try BertTokenizer.truncatedLengths(4, 8, truncation: Truncation(maxLength: 10)).0, 3)
    }

    func testPaddingFixedAndLongest() throws {
        let tokenizer = try TokenizerTestSupport.miniLM()
        let padded = try tokenizer.encode("a b", pair: "c", padding: .fixed(8))
        XCTAssertEqual(padded.tokens, ["[CLS]", "a", "b", "[SEP]", "c", "[SEP]", "[PAD]", "[PAD]"])
        XCTAssertEqual(padded.attentionMask, [1, 1, 1, 1, 1, 1, 0, 0])
        XCTAssertEqual(padded.typeIds, [0, 0, 0, 0, 1, 1, 0, 0])
        XCTAssertEqual(padded.offsets[6...], [0..<0, 0..<0])
        let batch = try tokenizer.encode(batch: ["a", "a b c"], padding: .longest)
        XCTAssertEqual(batch.map(\.count), [5, 5])
        XCTAssertEqual(batch[0].attentionMask, [1, 1, 1, 0, 0])
    }

    func testVocabularyFileAndTokenizerJSONAgree() throws {
        _ = try TokenizerTestSupport.miniLM()
        let directory = TokenizerTestSupport.modelDirectory
        let fromJSON = try BertTokenizer(tokenizerJSON: directory.appendingPathComponent("tokenizer.json"))
        let fromVocab = try BertTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        XCTAssertEqual(fromJSON.vocabulary.tokens, fromVocab.vocabulary.tokens)
        XCTAssertEqual(fromJSON.configuration, fromVocab.configuration)
    }

    func testDuplicateVocabularyEntryNamesFileAndLine() throws {
        let file = try TokenizerTestSupport.temporaryVocabulary(["[PAD]", "[UNK]", "hello", "world", "hello"])
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try Vocabulary(contentsOf: file)) { error in
            XCTAssertEqual(error as? TokenizerError,
                           .duplicateToken(token: "hello", file: file.path, line: 5, firstLine: 3))
            XCTAssertTrue("\(error)".contains("\(file.path):5"), "\(error)")
        }
    }

    func testCanonicallyEquivalentTokensStayDistinct() throws {
        // "é" and "e\u{301}" are equal Swift Strings but different vocabulary entries, as in HF.
        let vocabulary = try Vocabulary(tokens: ["[UNK]", "\u{E9}", "e\u{301}"])
        XCTAssertEqual(vocabulary.id(of: "\u{E9}"), 1)
        XCTAssertEqual(vocabulary.id(of: "e\u{301}"), 2)
    }

    func testMissingUnknownTokenIsAnError() throws {
        let file = try TokenizerTestSupport.temporaryVocabulary(["[PAD]", "[CLS]", "[SEP]", "hello"])
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try BertTokenizer(vocabularyFile: file)) { error in
            XCTAssertEqual(error as? TokenizerError, .missingToken(token: "[UNK]", file: file.path))
        }
    }

    func testSmallVocabularyWithoutTokenizerJSON() throws {
        let file = try TokenizerTestSupport.temporaryVocabulary(
            ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "!", "play", "##ing"])
        defer { try? FileManager.default.removeItem(at: file) }
        let tokenizer = try BertTokenizer(vocabularyFile: file)
        XCTAssertEqual(tokenizer.tokenize("UNAFFABLE playing! [MASK]x ing"),
                       ["un", "##aff", "##able", "play", "##ing", "!", "[MASK]", "[UNK]", "[UNK]"])
    }
}
