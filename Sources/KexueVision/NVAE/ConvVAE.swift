import Kexue
import KexueNN

/// The baseline: a plain single-latent conv VAE (one D-dimensional Gaussian z, prior N(0, I)) with
/// the same input padding, Bernoulli decoder, convs and objective as NVAE, so the comparison is
/// about the hierarchy. Encoder: Conv3×3 at 32×32, then three [BN → Swish → stride-2 Conv3×3]
/// (32 → 4), Linear → (μ, log σ). Decoder: Linear → [N, 8w, 4, 4], three
/// [BN → Swish → nearest ×2 → Conv3×3] (4 → 32), BN → Swish → Conv3×3 → logits cropped to 28×28.
public final class ConvVAE: Module, LatentVariableModel {
    public let width: Int
    public let latentDim: Int
    public let encoderConvs: [NVAEConv2d]
    public let encoderNorms: [BatchNorm]
    public let encoderHead: Linear
    public let decoderHead: Linear
    public let decoderNorms: [BatchNorm]
    public let decoderConvs: [NVAEConv2d]
    public var trace: ((String, Tensor) -> Void)?

    public var groupsPerScale: [Int] { [1] }
    public var groupNames: [String] { ["z (\(latentDim))"] }

    public init(width: Int = 40, latentDim: Int = 64, seed: UInt64) {
        self.width = width
        self.latentDim = latentDim
        var rng = RandomGenerator(seed: seed)
        let chans = [width, 2 * width, 4 * width, 8 * width]
        encoderConvs = [NVAEConv2d(1, chans[0], kernel: 3, using: &rng)]
            + (0..<3).map { NVAEConv2d(chans[$0], chans[$0 + 1], kernel: 3, stride: 2, using: &rng) }
        encoderNorms = (0..<3).map { BatchNorm.nvae(chans[$0]) }
        encoderHead = Linear(chans[3] * 16, 2 * latentDim, using: &rng)
        decoderHead = Linear(latentDim, chans[3] * 16, using: &rng)
        decoderNorms = (0..<4).map { BatchNorm.nvae(chans[3 - $0]) }
        decoderConvs = (0..<3).map { NVAEConv2d(chans[3 - $0], chans[2 - $0], kernel: 3, using: &rng) }
            + [NVAEConv2d(chans[0], 1, kernel: 3, using: &rng)]
        super.init()
    }

    private func traced(_ name: String, _ t: Tensor) -> Tensor {
        trace?(name, t)
        return t
    }

    public func pass(_ x: Tensor, samples: Int, using rng: inout RandomGenerator) -> VAEPass {
        precondition(x.rank == 4 && x.shape[1] == 1, "ConvVAE: input must be [N, 1, H, W], got \(x.shape)")
        let n = x.shape[0]
        let pad = (32 - x.shape[2]) / 2
        var h = traced("encoder.conv0", encoderConvs[0](x.padded([(0, 0), (0, 0), (pad, pad), (pad, pad)]) * 2 - 1))
        for i in 0..<3 { h = traced("encoder.conv\(i + 1)", encoderConvs[i + 1](encoderNorms[i](h).silu())) }
        let params = traced("encoder.head", encoderHead(h.reshaped([n, h.count / n])))  // [N, 2D]
        let parts = repeatedBatch(params, samples).chunked(2, axis: 1)   // [samples·N, D] each
        let q = DiagonalGaussian(mu: parts[0], logSigma: parts[1])
        let prior = DiagonalGaussian.standard([n * samples, latentDim])
        let z = q.sample(using: &rng)
        let logits = decode(z)
        return VAEPass(logits: logits, kl: [q.kl(to: prior).sum(axis: 1)], logQ: q.logProb(z).sum(axis: 1),
                       logP: prior.logProb(z).sum(axis: 1), posteriorMeans: [withoutGrad { q.mu.detached() }])
    }

    /// z [N, D] → logits [N, 1, 28, 28]
    private func decode(_ z: Tensor) -> Tensor {
        let n = z.shape[0]
        var h = traced("decoder.head", decoderHead(z).reshaped([n, 8 * width, 4, 4]))
        for i in 0..<3 {
            h = traced("decoder.conv\(i)", decoderConvs[i](upsampleNearest2d(decoderNorms[i](h).silu(), scale: 2)))
        }
        let full = traced("image", decoderConvs[3](decoderNorms[3](h).silu()))  // [N, 1, 32, 32]
        return full.sliced(axis: 2, 2, 30).sliced(axis: 3, 2, 30)
    }

    public func generate(count: Int, temperature: Double, using rng: inout RandomGenerator) -> Tensor {
        precondition(temperature > 0, "ConvVAE.generate: temperature must be positive, got \(temperature)")
        return decode(DiagonalGaussian.standard([count, latentDim], temperature: temperature).sample(using: &rng))
    }

    public func dataDependentInit(_ x: Tensor, using rng: inout RandomGenerator) {
        for (_, m) in namedModules() { (m as? NVAEConv2d)?.pendingDataInit = true }
        _ = withoutGrad { pass(x, using: &rng) }
        for (_, m) in namedModules() { (m as? NVAEConv2d)?.pendingDataInit = false }
    }
}
