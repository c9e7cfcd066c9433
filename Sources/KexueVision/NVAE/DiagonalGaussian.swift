import Foundation
import Kexue

/// A factorised Gaussian over a latent group, as NVAE's `Normal`: μ and log σ pass through the soft
/// clamp 5·tanh(x/5), σ = exp(clamped log σ) + 1e-2, and a temperature t multiplies σ. The
/// residual-normal posterior of group l is `DiagonalGaussian(μ_p + Δμ, log σ_p + log Δσ)`.
public struct DiagonalGaussian {
    public let mu: Tensor     // [N, C, H, W]
    public let sigma: Tensor  // [N, C, H, W]

    public init(mu: Tensor, logSigma: Tensor, temperature: Double = 1) {
        precondition(mu.shape == logSigma.shape, "DiagonalGaussian: μ \(mu.shape) and log σ \(logSigma.shape) differ")
        precondition(temperature > 0, "DiagonalGaussian: temperature must be positive, got \(temperature)")
        self.mu = DiagonalGaussian.softClamp(mu)
        let s = DiagonalGaussian.softClamp(logSigma).exp() + 1e-2
        self.sigma = temperature == 1 ? s : s * temperature
    }

    /// Unclamped parameters (invariant tests, the N(0, 1) prior of z_1).
    public init(mu: Tensor, sigma: Tensor) {
        self.mu = mu
        self.sigma = sigma
    }

    /// The standard normal N(0, t²) of shape `shape` — p(z_1).
    public static func standard(_ shape: [Int], temperature: Double = 1) -> DiagonalGaussian {
        DiagonalGaussian(mu: Tensor.zeros(shape), sigma: Tensor.full(temperature, shape: shape))
    }

    /// 5·tanh(x/5): keeps μ and log σ in (−5, 5) with slope 1 near 0.
    public static func softClamp(_ x: Tensor) -> Tensor { (x / 5).tanh() * 5 }

    /// z = μ + σ·ε, ε ~ N(0, 1) (reparameterised).
    public func sample(using rng: inout RandomGenerator) -> Tensor {
        mu + sigma * Tensor.normal(mu.shape, dtype: mu.dtype, using: &rng)
    }

    /// log N(z; μ, σ²) per element.
    public func logProb(_ z: Tensor) -> Tensor {
        let d = (z - mu) / sigma
        return -0.5 * d * d - sigma.log() - 0.5 * Foundation.log(2 * Double.pi)
    }

    /// KL(self ‖ other) per element, in the generic form NVAE uses:
    /// ½((μ_q − μ_p)/σ_p)² + ½(σ_q/σ_p)² − ½ − log(σ_q/σ_p).
    public func kl(to other: DiagonalGaussian) -> Tensor {
        let t1 = (mu - other.mu) / other.sigma
        let t2 = sigma / other.sigma
        return 0.5 * (t1 * t1 + t2 * t2) - 0.5 - t2.log()
    }

    /// The residual-normal closed form (NVAE eq. 2) for prior σ_p and posterior offsets Δμ, Δσ:
    /// ½(Δμ²/σ_p² + Δσ² − log Δσ² − 1). Equals `kl(to:)` of N(μ_p + Δμ, (σ_p·Δσ)²) ‖ N(μ_p, σ_p²).
    public static func residualKL(deltaMu: Tensor, deltaSigma: Tensor, priorSigma: Tensor) -> Tensor {
        let ds2 = deltaSigma * deltaSigma
        return 0.5 * (deltaMu * deltaMu / (priorSigma * priorSigma) + ds2 - ds2.log() - 1)
    }
}
