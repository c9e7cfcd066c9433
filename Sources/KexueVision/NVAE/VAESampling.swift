import Foundation
import Kexue
import KexueNN

/// Sampling from a trained VAE: BN statistics re-estimated at the target temperature and batch
/// size, then Bernoulli means sigmoid(ℓ) as images.
public enum VAESampling {
    public struct SamplingError: Error, CustomStringConvertible {
        public let description: String
    }

    /// `count` images [count, 784] in [0, 1] at temperature t, after re-estimating batch norm with
    /// `reestimationPasses` generated batches of `count`.
    public static func sample(_ model: some LatentVariableModel, count: Int, temperature: Double,
                              reestimationPasses: Int, using rng: inout RandomGenerator) throws -> [[Float]] {
        guard temperature > 0, temperature.isFinite else {
            throw SamplingError(description: "temperature must be a positive number, got \(temperature)")
        }
        guard count >= 2 else { throw SamplingError(description: "sample count must be ≥ 2 (batch norm re-estimation), got \(count)") }
        if reestimationPasses > 0 {
            var r = rng.split()
            try BatchNormReestimation.run(model, passes: reestimationPasses) {
                _ = model.generate(count: count, temperature: temperature, using: &r)
            }
        }
        model.eval()
        let probs = withoutGrad { model.generate(count: count, temperature: temperature, using: &rng).sigmoid() }.floats
        guard probs.allSatisfy(\.isFinite) else { throw SamplingError(description: "generated images contain NaN/Inf at temperature \(temperature)") }
        return (0..<count).map { Array(probs[($0 * 784)..<(($0 + 1) * 784)]) }
    }
}
