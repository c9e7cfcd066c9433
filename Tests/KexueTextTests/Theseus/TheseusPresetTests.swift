import XCTest
@testable import KexueText

/// The presets carry METHODS.md §5(b)'s table, and the generic wrapper runs BERT layers (with
/// their shared attention bias) as the successor alone in evaluation.
final class TheseusPresetTests: XCTestCase {
    func testPresetsMatchTheMethodsTable() throws {
        let paper = try TheseusPreset.named("paper"), su = try TheseusPreset.named("su")
        XCTAssertEqual(paper.schedule.rate(at: 0), 0.3)
        XCTAssertEqual(paper.schedule.rate(at: 1167), 1)
        XCTAssertEqual(su.schedule.rate(at: 0), 0.5)
        XCTAssertEqual(su.schedule.rate(at: 100_000), 0.5)
        XCTAssertEqual(paper.embeddings, .sharedFrozen); XCTAssertEqual(su.embeddings, .separateSwitched)
        XCTAssertEqual(paper.successorSource, .fineTunedPrefix); XCTAssertEqual(su.successorSource, .pretrainedPrefix)
        XCTAssertFalse(paper.headTrainsInLastStage); XCTAssertTrue(su.headTrainsInLastStage)
        XCTAssertEqual(paper.stages, ["theseus", "successor"]); XCTAssertEqual(su.stages, ["predecessor", "theseus", "successor"])
        XCTAssertEqual([paper.learningRate, su.learningRate], [2e-5, 2e-5])
        XCTAssertThrowsError(try TheseusPreset.named("distil")) { XCTAssertTrue("\($0)".contains("paper, su")) }
    }

    func testBertLayersAsBlocks() throws {
        let config = BertConfig(vocabSize: 20, hiddenSize: 8, numHiddenLayers: 4, numAttentionHeads: 2, intermediateSize: 12)
        let model = BertModel(config, seed: 3)
        var rng = RandomGenerator(seed: 4)
        let successor = try ModuleReplacement.successorBlocks(from: model.layers, layers: 2, initialisation: .everyRth,
                                                              makeBlock: { BertLayer(config, using: &rng) })
        let r = try ModuleReplacement(predecessor: model.layers, successor: successor, schedule: TheseusPreset.paper.schedule, seed: 1)
        model.eval(); r.eval()
        let ids = Tensor(indices: [5, 6, 7, 8, 9, 10], shape: [2, 3])
        let mask = AttentionMask.padding(keyMask: Tensor([1, 1, 1, 1, 1, 0], shape: [2, 3]))
        let bias = mask.bias(batch: 2, queries: 3, keys: 3, dtype: .float32)
        let h = model.embeddings(ids, typeIds: nil)
        let y = r.forward(h) { $0($1, bias: bias) }
        XCTAssertEqual(y.floats, model.layers[3](model.layers[1](h, bias: bias), bias: bias).floats)
        XCTAssertEqual(r.predecessorBlockCalls, 0)
        // Training mode with the router forced to the predecessor: the 4-layer encoder bit for bit
        // (the layers themselves in eval mode, so dropout is off and both paths are deterministic).
        r.forcedRate = 0; r.train()
        for layer in model.layers + successor { layer.eval() }
        XCTAssertEqual(r.forward(h) { $0($1, bias: bias) }.floats, model(ids, mask: mask).floats)
    }
}
