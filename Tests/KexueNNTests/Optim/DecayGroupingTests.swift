import XCTest
@testable import KexueNN

final class DecayGroupingTests: XCTestCase {
    private func p(_ name: String, _ shape: [Int]) -> NamedParameter {
        (name: name, tensor: Tensor.zeros(shape))
    }

    func testDefaultRuleExemptsBiasesAndNormalisation() {
        let exempt: [NamedParameter] = [
            p("encoder.layer.0.attention.self.query.bias", [384]),
            p("encoder.layer.0.attention.output.LayerNorm.weight", [384]),
            p("temperature", []),
            p("head.bias", [3, 4]),                        // rank 2, but a bias by name
            p("blocks.2.bn1.weight", [8, 8]),
            p("blocks.2.bn.weight", [8, 8]),
            p("blocks.2.bn_2.weight", [8, 8]),
            p("decoder.norm.weight", [8, 8]),
            p("cell.layer_norm.gain", [8, 8]),
            p("cell.BatchNorm2d.weight", [8, 8]),
            p("bnorm_free.proj.weight", [8, 8]),          // documented: a component containing "norm"
        ]
        let decayed: [NamedParameter] = [
            p("encoder.layer.0.attention.self.query.weight", [384, 384]),
            p("embeddings.word_embeddings.weight", [100, 16]),
            p("conv.weight", [8, 3, 3, 3]),
            p("subnet.weight", [8, 8]),                    // "bn" inside a word is not batch norm
            p("bnb.weight", [8, 8]),                       // nor is a component merely starting with "bn"
        ]
        for q in exempt { XCTAssertTrue(ParameterGroup.isExemptFromDecay(q), q.name) }
        for q in decayed { XCTAssertFalse(ParameterGroup.isExemptFromDecay(q), q.name) }
    }

    func testDecayGroupsKeepOrderAndSetDecay() {
        let params = [p("a.weight", [2, 2]), p("a.bias", [2]), p("b.weight", [2, 2]), p("ln.weight", [2])]
        let groups = ParameterGroup.decayGroups(params, weightDecay: 0.01, learningRate: 5e-5)
        XCTAssertEqual(groups.count, 2)
        XCTAssertEqual(groups[0].parameters.map(\.name), ["a.weight", "b.weight"])
        XCTAssertEqual(groups[1].parameters.map(\.name), ["a.bias", "ln.weight"])
        XCTAssertEqual(groups[0].weightDecay, 0.01)
        XCTAssertEqual(groups[1].weightDecay, 0)
        XCTAssertEqual(groups[0].learningRate, 5e-5)
        XCTAssertEqual(groups[1].learningRate, 5e-5)
        XCTAssertTrue(groups[0].parameters[0].tensor === params[0].tensor)
        // A custom rule replaces the default entirely.
        let custom = ParameterGroup.decayGroups(params, weightDecay: 0.1) { $0.name.hasPrefix("b.") }
        XCTAssertEqual(custom[0].parameters.map(\.name), ["a.weight", "a.bias", "ln.weight"])
        XCTAssertEqual(custom[1].parameters.map(\.name), ["b.weight"])
        XCTAssertNil(custom[0].learningRate)
    }
}
