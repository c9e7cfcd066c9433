import XCTest
import Foundation
@testable import KexueText

/// MiniLM hidden states and sentence embeddings against HF transformers (fixture made by
/// tools/make_bert_fixture.py), and the save → load round trip.
final class BertParityTests: XCTestCase {
    struct Case: Decodable {
        let text: String
        let pair: String?
        let ids: [Int32]
        let type_ids: [Int32]
        let hidden_head: [[Float]]
        let hidden_sum: Double
        let hidden_abs_sum: Double
        let hidden_last_token: [Float]
        let embedding: [Float]?
    }
    struct Fixture: Decodable { let cases: [Case] }

    static var modelDir: URL { KexueHome.miniLM }

    func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/bert_minilm.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func requireModel() throws -> URL {
        guard FileManager.default.fileExists(atPath: Self.modelDir.appendingPathComponent("model.safetensors").path) else {
            XCTFail("MiniLM not found in \(Self.modelDir.path): run `make setup`")
            throw MissingResource(what: "MiniLM", path: Self.modelDir.path)
        }
        return Self.modelDir
    }

    func testHiddenStatesMatchTransformers() throws {
        let dir = try requireModel()
        let (model, _, _) = try BertDirectory.loadEncoder(dir)
        model.eval()
        let tokenizer = try BertTokenizer(directory: dir)
        for c in try fixture().cases {
            let e = try c.pair.map { try tokenizer.encode(c.text, pair: $0) } ?? tokenizer.encode(c.text)
            XCTAssertEqual(e.ids, c.ids, "ids of \(c.text)")
            XCTAssertEqual(e.typeIds, c.type_ids, "type ids of \(c.text)")
            let batch = TextBatch([e])
            let h = withoutGrad { model(batch.ids, typeIds: batch.typeIds, mask: .padding(keyMask: batch.keyMask)) }
            let t = e.count, width = h.shape[2]
            let v = h.floats
            var worst: Float = 0
            for i in 0..<Swift.min(4, t) { for j in 0..<16 { worst = Swift.max(worst, Swift.abs(v[i * width + j] - c.hidden_head[i][j])) } }
            for j in 0..<width { worst = Swift.max(worst, Swift.abs(v[(t - 1) * width + j] - c.hidden_last_token[j])) }
            XCTAssertLessThanOrEqual(worst, 1e-4, "hidden states of '\(c.text)': max |Δ| \(worst)")
            let sum = v.reduce(0.0) { $0 + Double($1) }, absSum = v.reduce(0.0) { $0 + Double(Swift.abs($1)) }
            XCTAssertEqual(sum, c.hidden_sum, accuracy: 1e-4 * Double(v.count), "sum of hidden states of '\(c.text)'")
            XCTAssertEqual(absSum, c.hidden_abs_sum, accuracy: 1e-4 * Double(v.count), "abs sum of hidden states of '\(c.text)'")
        }
    }

    func testSentenceEmbeddingsMatchSentenceTransformers() throws {
        let dir = try requireModel()
        let cases = try fixture().cases.filter { $0.embedding != nil }
        let vectors = try SentenceEmbedder(directory: dir).embed(cases.map(\.text))
        for (c, v) in zip(cases, vectors) {
            let worst = zip(v, c.embedding!).map { Swift.abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(worst, 1e-4, "embedding of '\(c.text)': max |Δ| \(worst)")
        }
    }

    func testClassifierSaveLoadRoundTripIsIdentical() throws {
        let dir = try requireModel()
        let classifier = try BertClassifier(pretrained: dir, labels: ["negative", "positive"], seed: 3)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kexue-roundtrip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        try classifier.save(to: out)
        let loaded = try BertClassifier(directory: out)
        XCTAssertEqual(loaded.labels, ["negative", "positive"])
        let a = classifier.stateDict(), b = loaded.stateDict()
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (k, t) in a { XCTAssertEqual(t.floats, b[k]!.floats, k) }
        // A second save of the loaded model writes the same bytes.
        let again = out.appendingPathComponent("../" + out.lastPathComponent + "-2")
        defer { try? FileManager.default.removeItem(at: again) }
        try loaded.save(to: again)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("model.safetensors")),
                       try Data(contentsOf: again.appendingPathComponent("model.safetensors")))
    }

    func testLoadingAnotherArchitectureNamesEveryBadKey() throws {
        let dir = try requireModel()
        let model = BertModel(BertConfig(vocabSize: 30522, hiddenSize: 384, numHiddenLayers: 7, numAttentionHeads: 12, intermediateSize: 1000))
        var state = try SafeTensors.load(dir.appendingPathComponent("model.safetensors"))
        state["surprise.weight"] = Tensor.zeros([2])
        var extra: [String: Tensor] = [:]
        XCTAssertThrowsError(try model.loadHF(state.filter { !$0.key.hasPrefix("surprise") }.merging(["bert.surprise": Tensor.zeros([1])]) { a, _ in a },
                                              source: "model.safetensors", extra: &extra)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("missing keys"), text)
            XCTAssertTrue(text.contains("encoder.layer.6.attention.self.query.weight"), text)
            XCTAssertTrue(text.contains("wrong shape: encoder.layer.0.intermediate.dense.weight"), text)
            XCTAssertTrue(text.contains("bert.surprise"), text)
        }
    }

    /// tools/check_hf_roundtrip.py loaded a folder saved by `BertClassifier.save` in HF transformers
    /// and recorded both sides' probabilities; this keeps that record honest and within bounds.
    func testHFLoadedOurFolderWithIdenticalOutputs() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/hf_roundtrip.json")
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let rows = obj["rows"] as! [[String: Any]]
        XCTAssertGreaterThanOrEqual(rows.count, 5)
        for row in rows {
            let ours = row["kexue"] as! [String: Double], theirs = row["transformers"] as! [String: Double]
            XCTAssertEqual(Set(ours.keys), Set(theirs.keys))
            for (k, v) in ours { XCTAssertEqual(v, theirs[k]!, accuracy: 1e-5, "\(row["text"]!) / \(k)") }
        }
    }

    func testConfigErrorsNameTheField() {
        var c = BertConfig(vocabSize: 10, hiddenSize: 30, numHiddenLayers: 1, numAttentionHeads: 4, intermediateSize: 8)
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("not divisible by num_attention_heads"), "\($0)") }
        c.numAttentionHeads = 3
        XCTAssertNoThrow(try c.validate())
    }
}
