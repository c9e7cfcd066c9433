import XCTest
@testable import KexueNN

/// METHODS.md §1(d), the reference experiment, at full size: two 10-D unit Gaussians (means ±e₁),
/// 10 % of labels flipped in train and test, 500 train / 10,000 test, MLP 10-500-500-1 (ReLU),
/// BCE, Adam 1e-3, batch 50, 300 epochs. Unflooded, the network memorises the noise (train BCE → 0)
/// and the test BCE climbs; flooded at b = 0.3 the train loss floats at b and the test BCE stays
/// near 0.6 (reference: 1.94 vs 0.58).
final class FloodingTwoGaussiansTests: XCTestCase {
    struct Data { let x: Tensor; let y: Tensor }  // x [N, 10], y [N] in {0, 1}

    static func gaussians(_ n: Int, seed: UInt64) -> Data {
        var rng = RandomGenerator(seed: seed)
        let noise = Tensor.normal([n, 10], using: &rng).floats
        let u = Tensor.uniform([n], using: &rng).floats
        let flip = Tensor.uniform([n], using: &rng).floats
        var x = [Float](repeating: 0, count: n * 10), y = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let label: Float = u[i] < 0.5 ? 1 : 0
            for d in 0..<10 { x[i * 10 + d] = noise[i * 10 + d] + (d == 0 ? (label == 1 ? 1 : -1) : 0) }
            y[i] = flip[i] < 0.1 ? 1 - label : label
        }
        return Data(x: Tensor(x, shape: [n, 10]), y: Tensor(y, shape: [n]))
    }

    /// Trains one MLP; returns (mean train BCE per epoch, final test BCE).
    func train(flood level: Double, train: Data, test: Data) throws -> (trainLoss: [Double], testLoss: Double) {
        var rng = RandomGenerator(seed: 7)
        let mlp = Sequential {
            Linear(10, 500, using: &rng); ReLU()
            Linear(500, 500, using: &rng); ReLU()
            Linear(500, 1, using: &rng)
        }
        let flood = try Flooding(level: level)
        let params = mlp.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let adam = Adam(params, learningRate: 1e-3)
        let loader = BatchLoader(count: 500, batchSize: 50, seed: 3)
        var epochLoss: [Double] = []
        for epoch in 0..<300 {
            var sum = 0.0
            for batch in loader.batches(epoch: epoch) {
                let idx = Tensor(indices: batch.map(Int32.init), shape: [batch.count])
                let logits = mlp(train.x.rows(idx)).reshaped([batch.count])
                let perExample = binaryCrossEntropy(logits: logits, targets: train.y.reshaped([500, 1]).rows(idx).reshaped([batch.count]), reduction: .none)
                let loss = flood.apply(perExample)
                adam.zeroGrad()
                loss.backward()
                adam.step()
                sum += perExample.mean().item
            }
            epochLoss.append(sum / Double(loader.batchesPerEpoch))
        }
        let testLoss = withoutGrad { binaryCrossEntropy(logits: mlp(test.x).reshaped([test.y.count]), targets: test.y).item }
        return (epochLoss, testLoss)
    }

    func testFloodingKeepsTrainLossAtLevelAndLowersTestLoss() throws {
        let trainSet = Self.gaussians(500, seed: 1), testSet = Self.gaussians(10_000, seed: 2)
        let plain = try train(flood: 0, train: trainSet, test: testSet)
        let flooded = try train(flood: 0.3, train: trainSet, test: testSet)
        let lastQuarter = { (l: [Double]) in l.suffix(75).reduce(0, +) / 75 }
        print("two Gaussians: unflooded train \(plain.trainLoss.last!) test \(plain.testLoss); b = 0.3 train (last quarter) \(lastQuarter(flooded.trainLoss)) test \(flooded.testLoss)")
        // Unflooded: memorised (train BCE near 0) and the test loss well above the flooded one.
        XCTAssertLessThan(plain.trainLoss.last!, 0.02, "unflooded final train BCE")
        XCTAssertEqual(lastQuarter(flooded.trainLoss), 0.3, accuracy: 0.05, "flooded train BCE should float at b = 0.3")
        XCTAssertLessThan(flooded.testLoss, 0.75, "flooded test BCE (reference 0.58)")
        XCTAssertLessThan(flooded.testLoss, 0.6 * plain.testLoss,
                          "test BCE flooded \(flooded.testLoss) vs unflooded \(plain.testLoss) (reference 0.58 vs 1.94)")
    }
}
