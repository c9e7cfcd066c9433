import Kexue
import KexueNN

/// One pass of a VAE over a batch with one posterior sample per image.
public struct VAEPass {
    public let logits: Tensor           // [N, 1, 28, 28] Bernoulli logits
    public let kl: [Tensor]             // per latent group (decoder order): [N], analytic KL summed over its dims
    public let logQ: Tensor             // [N] Σ_l log q(z_l | x, z_<l) at the sample
    public let logP: Tensor             // [N] Σ_l log p(z_l | z_<l) at the sample
    public let posteriorMeans: [Tensor] // per group: [N, D_l], E_q[z_l] (no gradient)

    /// log p(x|z) = Σ_pixels [x·ℓ − softplus(ℓ)] for binary x [N, 1, 28, 28]: [N].
    public func logLikelihood(_ x: Tensor) -> Tensor {
        (x * logits - logits.softplus()).sum(axes: [1, 2, 3])
    }
}

/// What the VAE trainer, evaluator and sampler need from a model: NVAE and the plain conv VAE.
public protocol LatentVariableModel: Module {
    /// Groups per latent scale, coarsest first (for KL balancing's α; [1] for a single latent).
    var groupsPerScale: [Int] { get }
    /// Names of the latent groups in decoder order, with their shapes (reports).
    var groupNames: [String] { get }
    /// Encoder once, then `samples` posterior samples per image through the decoder, sample-major:
    /// row j·N + i of every output is image i's j-th sample ([samples·N, …]). The encoder is
    /// deterministic, so this equals one pass over `samples` stacked copies of x, with the same
    /// random draws, at the encoder's cost once (importance sampling's k samples).
    /// x: binary [N, 1, 28, 28].
    func pass(_ x: Tensor, samples: Int, using rng: inout RandomGenerator) -> VAEPass
    /// Bernoulli logits [count, 1, 28, 28] of samples from the prior, σ of every prior group × t.
    func generate(count: Int, temperature: Double, using rng: inout RandomGenerator) -> Tensor
    /// Called with each named stage output during `pass` when set (locating a NaN).
    var trace: ((String, Tensor) -> Void)? { get set }
    /// Data-dependent initialisation of the weight-normalised convs from one batch.
    func dataDependentInit(_ x: Tensor, using rng: inout RandomGenerator)
}

extension LatentVariableModel {
    /// Encoder, one posterior sample per image, decoder. x: binary [N, 1, 28, 28].
    public func pass(_ x: Tensor, using rng: inout RandomGenerator) -> VAEPass {
        pass(x, samples: 1, using: &rng)
    }
}

/// `samples` stacked copies of t along the batch axis (sample-major), or t itself for one.
func repeatedBatch(_ t: Tensor, _ samples: Int) -> Tensor {
    precondition(samples >= 1, "samples must be ≥ 1, got \(samples)")
    return samples == 1 ? t : concat(Array(repeating: t, count: samples), axis: 0)
}
