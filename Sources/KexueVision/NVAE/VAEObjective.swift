import Kexue
import KexueNN

/// NVAE's training objective (METHODS.md §6(a)):
/// loss = mean_batch[recon + β_t·Σ_l γ_l·KL_l] + λ·(Σ_convs σ_max(W) + Σ_BN max_c |γ_c|).
public struct VAEObjective {
    public var totalSteps: Int
    public var alpha: [Double]
    public var spectralLambda: Double = 1e-2

    public init(totalSteps: Int, groupsPerScale: [Int], spectralLambda: Double = 1e-2) {
        self.totalSteps = totalSteps
        self.alpha = KLSchedule.alpha(groupsPerScale: groupsPerScale)
        self.spectralLambda = spectralLambda
    }

    public struct Terms {
        public let loss: Tensor       // scalar, differentiable
        public let nelbo: Double      // mean_batch[recon + Σ KL] (nats per image)
        public let recon: Double
        public let kl: [Double]       // per group, batch mean
        public let beta: Double
        public let gamma: [Double]
        public let penalty: Double
    }

    public func terms(_ pass: VAEPass, x: Tensor, step: Int, model: Module, using rng: inout RandomGenerator) -> Terms {
        let recon = 0 - pass.logLikelihood(x)                                        // [N]
        let beta = KLSchedule.beta(step: step, totalSteps: totalSteps)
        let klValues = pass.kl.map { $0.doubles }
        let gamma = KLSchedule.balance(klPerGroup: klValues, alpha: alpha, beta: beta)
        var weighted = pass.kl[0] * gamma[0]
        for l in 1..<pass.kl.count { weighted = weighted + pass.kl[l] * gamma[l] }  // [N]
        var loss = (recon + beta * weighted).mean()
        var penaltyValue = 0.0
        if spectralLambda > 0 {
            let penalty = SpectralRegularization.penalty(model, using: &rng)
            penaltyValue = penalty.item
            loss = loss + spectralLambda * penalty
        }
        let klMeans = klValues.map { $0.reduce(0, +) / Double($0.count) }
        let reconMean = recon.mean().item
        return Terms(loss: loss, nelbo: reconMean + klMeans.reduce(0, +), recon: reconMean, kl: klMeans,
                     beta: beta, gamma: gamma, penalty: penaltyValue)
    }
}
