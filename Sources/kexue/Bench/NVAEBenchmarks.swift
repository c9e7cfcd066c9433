import Kexue
import KexueNN
import KexueVision

/// `kexue bench nvae-step`, matched by `benchmarks/peer_nvae.py`: one training step of the CPU
/// miniature NVAE at batch 64 on a random binary batch — zero grad, forward, NELBO with KL
/// warm-up and balancing (β < 1), spectral penalty (power iteration + BN max|γ|), backward,
/// Adamax(5e-3, eps 1e-3, weight decay 3e-4) step.
enum NVAEBenchmarks {
    static func step(repeat count: Int) -> [BenchRecord] {
        let batch = 64
        var rng = RandomGenerator(seed: 11)
        let model = NVAE(.miniature, seed: 1)
        model.train()
        let x = (Tensor.uniform([batch, 1, 28, 28], using: &rng) .< 0.3).to(.float32)
        let optimizer = Adamax(model.trainableParameters().map { (name: $0.0, tensor: $0.1) }, learningRate: 5e-3,
                               epsilon: 1e-3, weightDecay: 3e-4)
        // Step 100 of 1,000: β = (100 − 0.1)/300 < 1, so KL balancing is on, as in the peer.
        let objective = VAEObjective(totalSteps: 1000, groupsPerScale: model.groupsPerScale)
        let ms = medianMilliseconds(repeat: count) {
            optimizer.zeroGrad()
            objective.terms(model.pass(x, using: &rng), x: x, step: 100, model: model, using: &rng).loss.backward()
            optimizer.step()
        }
        return [BenchRecord(bench: "nvae-step", config: ["batch": batch, "model": "nvae-miniature"], medianMs: ms, rate: nil)]
    }
}
