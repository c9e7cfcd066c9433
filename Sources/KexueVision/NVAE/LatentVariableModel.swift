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
    /// Encoder, one posterior sample per image, decoder. x: binary [N, 1, 28, 28].
    func pass(_ x: Tensor, using rng: inout RandomGenerator) -> VAEPass
    /// Bernoulli logits [count, 1, 28, 28] of samples from the prior, σ of every prior group × t.
    func generate(count: Int, temperature: Double, using rng: inout RandomGenerator) -> Tensor
    /// Called with each named stage output during `pass` when set (locating a NaN).
    var trace: ((String, Tensor) -> Void)? { get set }
    /// Data-dependent initialisation of the weight-normalised convs from one batch.
    func dataDependentInit(_ x: Tensor, using rng: inout RandomGenerator)
}
