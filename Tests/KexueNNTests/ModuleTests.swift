import XCTest
import Foundation
@testable import KexueNN

final class ModuleTests: XCTestCase {
    final class Block: Module, UnaryLayer {
        let fc = Linear(4, 4)
        let norm = LayerNorm(4)
        func callAsFunction(_ x: Tensor) -> Tensor { norm(fc(x).relu()) }
    }

    final class Net: Module {
        let embed = Embedding(10, 4)
        let blocks = [Block(), Block()]
        let head: Linear?
        let extra: [String: Module] = ["b": LayerNorm(2), "a": LayerNorm(3)]
        init(tied: Bool) {
            head = tied ? nil : Linear(4, 10)
            super.init()
        }
    }

    func testParameterPathsAreDottedAndOrdered() {
        let names = Net(tied: false).namedParameters().map(\.0)
        XCTAssertEqual(names, [
            "embed.weight",
            "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.0.norm.weight", "blocks.0.norm.bias",
            "blocks.1.fc.weight", "blocks.1.fc.bias", "blocks.1.norm.weight", "blocks.1.norm.bias",
            "head.weight", "head.bias",
            "extra.a.weight", "extra.a.bias", "extra.b.weight", "extra.b.bias",
        ])
        XCTAssertFalse(Net(tied: true).namedParameters().map(\.0).contains("head.weight"))
    }

    func testSharedTensorAppearsOnce() {
        final class Tied: Module {
            let a: Linear, b: Linear
            override init() {
                a = Linear(3, 3)
                b = Linear(weight: a.weight, bias: nil)
                super.init()
            }
        }
        XCTAssertEqual(Tied().namedParameters().map(\.0), ["a.weight", "a.bias"])
    }

    func testFreezeStopsUpdatesButNotGradientFlow() {
        let first = Linear(3, 3), second = Linear(3, 1)
        second.freeze()
        let x = Tensor([1, 2, 3], shape: [1, 3])
        second(first(x)).sum().backward()
        XCTAssertNotNil(first.weight.grad, "gradient must flow through a frozen layer")
        XCTAssertNil(second.weight.grad)
        XCTAssertEqual(Sequential { first; second }.trainableParameters().count, 2)
    }

    func testTrainEvalPropagatesAndDropoutObeysIt() {
        let net = Sequential { Linear(8, 8); Dropout(0.5) }
        let x = Tensor.ones([4, 8])
        net.eval()
        XCTAssertEqual(net(x).floats, net(x).floats)
        net.train()
        Random.seed(1)
        let a = net(x).floats
        Random.seed(1)
        XCTAssertEqual(a, net(x).floats, "same seed, same mask")
        XCTAssertTrue(a.contains(0))
    }

    func testCrossEntropyMatchesDefinition() {
        let logits = Tensor([1, 2, 3, 1, 1, 1], shape: [2, 3])
        let targets = Tensor(indices: [2, 0])
        let l = crossEntropy(logits: logits, targets: targets).item
        let l0 = -Foundation.log(Foundation.exp(3.0) / (Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)))
        XCTAssertEqual(l, (l0 + Foundation.log(3.0)) / 2, accuracy: 1e-6)
        XCTAssertEqual(crossEntropy(logits: logits, targets: Tensor(indices: [2, -100]), ignoreIndex: -100).item, l0, accuracy: 1e-6)
        XCTAssertEqual(crossEntropy(logits: logits, targets: targets, reduction: .none).shape, [2])
        // Label smoothing ε: (1 − ε)·CE + ε·mean(−log p).
        let smooth = crossEntropy(logits: logits, targets: targets, labelSmoothing: 0.1).item
        let logp = logits.logSoftmax().doubles
        let u = (-(logp[0] + logp[1] + logp[2]) / 3 - (logp[3] + logp[4] + logp[5]) / 3) / 2
        XCTAssertEqual(smooth, 0.9 * (l0 + Foundation.log(3.0)) / 2 + 0.1 * u, accuracy: 1e-6)
    }

    func testBinaryCrossEntropyIsStable() {
        let l = binaryCrossEntropy(logits: Tensor([-200, 200, 0]), targets: Tensor([0, 1, 1]), reduction: .none).doubles
        XCTAssertEqual(l[0], 0, accuracy: 1e-6)
        XCTAssertEqual(l[1], 0, accuracy: 1e-6)
        XCTAssertEqual(l[2], Foundation.log(2.0), accuracy: 1e-6)
    }
}
