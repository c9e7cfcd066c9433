import Foundation
import KexueText
import KexueVision

/// Whole-model benchmarks, each matched by `benchmarks/peer_models.py`: an MNIST CNN training
/// step, and MiniLM forward passes and a classifier training step at sequence length 128.
enum ModelBenchmarks {
    /// zero grad, forward, cross-entropy, backward, Adam step of `MNISTCNN` on a random batch.
    static func cnnStep(repeat count: Int) -> [BenchRecord] {
        let batch = 128
        var rng = RandomGenerator(seed: 5)
        let model = MNISTCNN(seed: 1)
        model.train()
        let x = Tensor.uniform([batch, 1, 28, 28], using: &rng)
        let y = Tensor(indices: (0..<batch).map { _ in Int32(rng.next() % 10) }, shape: [batch])
        let optimizer = Adam(model.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: 1e-3)
        let ms = medianMilliseconds(repeat: count) {
            optimizer.zeroGrad()
            crossEntropy(logits: model(x), targets: y).backward()
            optimizer.step()
        }
        return [BenchRecord(bench: "cnn-step", config: ["batch": batch], medianMs: ms, rate: nil)]
    }

    static func randomIds(batch: Int, seq: Int, using rng: inout RandomGenerator) -> Tensor {
        Tensor(indices: (0..<(batch * seq)).map { _ in Int32(1000 + rng.next() % 29000) }, shape: [batch, seq])
    }

    static func bertForward(repeat count: Int) throws -> [BenchRecord] {
        let model = try BertDirectory.loadEncoder(KexueHome.require(KexueHome.miniLM, what: "MiniLM")).model
        model.eval()
        var rng = RandomGenerator(seed: 6)
        return [1, 8].map { batch in
            let ids = randomIds(batch: batch, seq: 128, using: &rng)
            let mask = Tensor.ones([batch, 128])
            let ms = medianMilliseconds(repeat: count) { _ = withoutGrad { model(ids, mask: .padding(keyMask: mask)) } }
            return BenchRecord(bench: "bert-forward", config: ["batch": batch, "seq": 128], medianMs: ms, rate: nil)
        }
    }

    /// One fine-tuning step of a MiniLM classifier (dropout on): forward, loss, backward, AdamW.
    static func bertTrain(repeat count: Int) throws -> [BenchRecord] {
        let dir = try KexueHome.require(KexueHome.miniLM, what: "MiniLM")
        let model = try BertClassifier(pretrained: dir, labels: ["a", "b"], seed: 1)
        model.train()
        var rng = RandomGenerator(seed: 7)
        let batch = 8
        let ids = randomIds(batch: batch, seq: 128, using: &rng)
        let mask = Tensor.ones([batch, 128])
        let y = Tensor(indices: (0..<batch).map { _ in Int32(rng.next() % 2) }, shape: [batch])
        let params = model.trainableParameters().map { (name: $0.0, tensor: $0.1) }
        let optimizer = AdamW(ParameterGroup.decayGroups(params, weightDecay: 0.01), learningRate: 5e-5)
        let ms = medianMilliseconds(repeat: count) {
            optimizer.zeroGrad()
            crossEntropy(logits: model(ids, keyMask: mask), targets: y).backward()
            optimizer.step()
        }
        return [BenchRecord(bench: "bert-train", config: ["batch": batch, "seq": 128], medianMs: ms, rate: nil)]
    }
}
