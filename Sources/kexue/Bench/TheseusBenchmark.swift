import Foundation
import KexueText

/// BERT-of-Theseus inference speed: MiniLM's 6 layers (the predecessor) against a 3-layer
/// successor built by `ModuleReplacement` (`.predecessorPrefix`), both in evaluation mode with
/// the same embeddings, batch 8, length 128, measured in alternation in the same run so machine
/// load hits both alike. Embeddings don't shrink, so the ideal speed-up is a little under 2.
enum TheseusBenchmark {
    static func forward(repeat count: Int) throws -> [BenchRecord] {
        let model = try BertDirectory.loadEncoder(KexueHome.require(KexueHome.miniLM, what: "MiniLM")).model
        var rng = RandomGenerator(seed: 8)
        let successor = try ModuleReplacement.successorBlocks(
            from: model.layers, layers: 3, initialisation: .predecessorPrefix,
            makeBlock: { BertLayer(model.config, using: &rng) })
        let replacement = try ModuleReplacement(predecessor: model.layers, successor: successor,
                                                schedule: .constant(0.5, steps: nil), seed: 1)
        model.eval(); replacement.eval()
        let (batch, seq) = (8, 128)
        let ids = ModelBenchmarks.randomIds(batch: batch, seq: seq, using: &rng)
        let mask = AttentionMask.padding(keyMask: Tensor.ones([batch, seq]))
        let bias = mask.bias(batch: batch, queries: seq, keys: seq, dtype: .float32)
        let predecessor: () -> Void = { _ = withoutGrad { model(ids, mask: mask) } }
        let student: () -> Void = { _ = withoutGrad { replacement.forward(model.embeddings(ids, typeIds: nil)) { $0($1, bias: bias) } } }
        precondition(replacement.predecessorBlockCalls == 0)
        var pTimes: [Double] = [], sTimes: [Double] = []
        for _ in 0..<2 { predecessor(); student() }  // warm-up
        for _ in 0..<count {
            pTimes.append(time(predecessor)); sTimes.append(time(student))
        }
        let (p, s) = (median(pTimes), median(sTimes))
        return [
            BenchRecord(bench: "theseus-forward", config: ["batch": batch, "seq": seq, "layers": 6], medianMs: p, rate: nil),
            BenchRecord(bench: "theseus-forward", config: ["batch": batch, "seq": seq, "layers": 3], medianMs: s, rate: ("speedup", p / s)),
        ]
    }

    static func time(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
