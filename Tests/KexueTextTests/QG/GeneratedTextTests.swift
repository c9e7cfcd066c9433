import XCTest
@testable import Kexue
@testable import KexueText

/// `UniLMSeq2Seq.text`: word pieces back to text — `##` pieces glued, words spaced, Chinese
/// characters and full-width punctuation written without spaces.
final class GeneratedTextTests: XCTestCase {
    func testPiecesJoinLikeTheLanguageIsWritten() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kexue-text-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokens = CharacterPieceVocabulary.specials + ["在", "什", "么", "？", "，", "what", "is", "k", "##2", "?", "年", "2019"]
        try CharacterPieceVocabulary.write(tokens, to: dir)
        let config = BertConfig(vocabSize: tokens.count, hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2,
                                intermediateSize: 16, maxPositionEmbeddings: 32)
        let model = try UniLMSeq2Seq(config: config, tokenizerDirectory: dir)
        func ids(_ pieces: String...) -> [Int32] { pieces.map { Int32(tokens.firstIndex(of: $0)!) } }
        XCTAssertEqual(model.text(ids("在", "什", "么", "？")), "在什么？")
        XCTAssertEqual(model.text(ids("what", "is", "k", "##2", "?")), "what is k2 ?")
        XCTAssertEqual(model.text(ids("2019", "年", "，", "what", "[SEP]")), "2019年，what", "no space beside a Chinese character, [SEP] dropped")
        XCTAssertEqual(model.text(ids("[CLS]", "k", "##2", "在")), "k2在")
    }
}
