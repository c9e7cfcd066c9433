import Foundation
import KexueExplain

/// Integrated-gradients benchmark, matched by `benchmarks/peer_ig.py` (captum LayerIntegratedGradients).
enum ExplainBenchmarks {
    /// One `kexue explain` of a 32-token sentence on a MiniLM classifier (new head, seed 1): prediction,
    /// F at input and baseline, 50 Gauss–Legendre path points in chunks of 25, forward and backward.
    static func ig(repeat count: Int) throws -> [BenchRecord] {
        let dir = try KexueHome.require(KexueHome.miniLM, what: "MiniLM")
        let model = try BertClassifier(pretrained: dir, labels: ["negative", "positive"], seed: 1)
        let explainer = TextExplainer(classifier: model, ig: IntegratedGradients(steps: 50, internalBatchSize: 25))
        let sentence = Array(repeating: "the film is good and", count: 6).joined(separator: " ")
        guard try model.tokenizer.encode(sentence).count == 32 else { throw ExplainError.badInput("bench sentence is not 32 tokens") }
        var failure: Error?
        let ms = medianMilliseconds(repeat: count) {
            do { _ = try explainer.explain(sentence, target: 1) } catch { failure = error }
        }
        if let failure { throw failure }
        return [BenchRecord(bench: "ig", config: ["steps": 50, "seq": 32, "internal_batch": 25], medianMs: ms, rate: nil)]
    }
}
