import Kexue
import KexueNN

/// A deep hierarchical VAE (Vahdat & Kautz 2020), METHODS.md §6, for binarised 28×28 images
/// padded to 32×32. Read top to bottom: stem → pre-processing (down cells) → bottom-up encoder
/// (finest scale first) → z_1 from the top → shared top-down decoder (coarsest scale first; prior
/// and residual-normal posterior per group) → post-processing (up cells) → Bernoulli logits.
public final class NVAE: Module, LatentVariableModel {
    public let config: NVAEConfig
    // bottom-up
    public let stem: NVAEConv2d
    public let preprocess: [EncoderCell]
    // Flat arrays (module reflection walks arrays of modules, not arrays of arrays): cell c of
    // group g is at g·cellsPerGroup + c.
    public let encoderCells: [EncoderCell]          // per group, encoder order (finest scale first)
    public let encoderDown: [EncoderCell]           // between encoder scales
    public let encoderCombiners: [NVAEConv2d]       // per group 1…L−1 (decoder order): feature + Conv1×1(s)
    public let encoderTop: NVAEConv2d               // ELU → Conv1×1 → ELU
    public let encoderSamplers: [NVAEConv2d]        // per group (decoder order): Conv3×3 → (Δμ, log Δσ)
    // top-down
    public let initialState: Tensor                 // h_0 [1, C, h, w]
    public let decoderCells: [DecoderCell]          // per group 1…L−1 (decoder order); group 0 has none
    public let decoderSamplers: [NVAEConv2d]        // per group 1…L−1: ELU → Conv1×1 → (μ_p, log σ_p)
    public let decoderCombiners: [NVAEConv2d]       // per group: s ← Conv1×1(concat(s, z))
    public let decoderUp: [DecoderCell]             // between decoder scales
    public let postprocess: [DecoderCell]
    public let imageConv: NVAEConv2d                // ELU → Conv3×3 → logits
    public var trace: ((String, Tensor) -> Void)?

    public var groupsPerScale: [Int] { config.groupsPerScale }
    var groupCount: Int { config.groupsPerScale.reduce(0, +) }

    public init(_ config: NVAEConfig = .miniature, seed: UInt64) {
        config.validate()
        self.config = config
        var rng = RandomGenerator(seed: seed)
        let zc = config.latentChannels
        var ch = config.stemChannels
        stem = NVAEConv2d(1, ch, kernel: 3, using: &rng)
        var pre: [EncoderCell] = []
        for _ in 0..<config.preprocessBlocks {
            for c in 0..<config.preprocessCells {
                let down = c == config.preprocessCells - 1
                pre.append(EncoderCell(ch, down: down, using: &rng))
                if down { ch *= 2 }
            }
        }
        preprocess = pre
        // Encoder: scales finest first.
        var encCells: [EncoderCell] = [], encDown: [EncoderCell] = []
        let scales = config.groupsPerScale.count
        for s in (0..<scales).reversed() {
            for _ in 0..<config.groupsPerScale[s] {
                encCells.append(contentsOf: (0..<config.encoderCellsPerGroup).map { _ in EncoderCell(ch, down: false, using: &rng) })
            }
            if s > 0 { encDown.append(EncoderCell(ch, down: true, using: &rng)); ch *= 2 }
        }
        encoderCells = encCells
        encoderDown = encDown
        encoderTop = NVAEConv2d(ch, ch, kernel: 1, using: &rng)
        // Decoder: scales coarsest first; group l lives at decoder scale `scaleOf[l]`.
        var encSamplers: [NVAEConv2d] = [], encComb: [NVAEConv2d] = []
        var decCells: [DecoderCell] = [], decSamplers: [NVAEConv2d] = [], decComb: [NVAEConv2d] = [], decUp: [DecoderCell] = []
        var l = 0
        for s in 0..<scales {
            let c = config.scale(s).channels
            for _ in 0..<config.groupsPerScale[s] {
                encSamplers.append(NVAEConv2d(c, 2 * zc, kernel: 3, using: &rng))
                if l > 0 {
                    encComb.append(NVAEConv2d(c, c, kernel: 1, using: &rng))
                    decCells.append(contentsOf: (0..<config.decoderCellsPerGroup).map { _ in
                        DecoderCell(c, expansion: config.decoderExpansion, up: false, using: &rng) })
                    decSamplers.append(NVAEConv2d(c, 2 * zc, kernel: 1, using: &rng))
                }
                decComb.append(NVAEConv2d(c + zc, c, kernel: 1, using: &rng))
                l += 1
            }
            if s < scales - 1 { decUp.append(DecoderCell(c, expansion: config.decoderExpansion, up: true, using: &rng)) }
        }
        encoderSamplers = encSamplers
        encoderCombiners = encComb
        decoderCells = decCells
        decoderSamplers = decSamplers
        decoderCombiners = decComb
        decoderUp = decUp
        let top = config.scale(0)
        initialState = Tensor.uniform([1, top.channels, top.side, top.side], using: &rng).requiringGrad()
        ch = config.scale(scales - 1).channels
        var post: [DecoderCell] = []
        for _ in 0..<config.postprocessBlocks {
            for c in 0..<config.postprocessCells {
                post.append(DecoderCell(ch, expansion: config.postprocessExpansion, up: c == 0, using: &rng))
                if c == 0 { ch /= 2 }
            }
        }
        postprocess = post
        imageConv = NVAEConv2d(ch, 1, kernel: 3, using: &rng)
        super.init()
    }

    public var groupNames: [String] {
        var names: [String] = []
        for s in 0..<config.groupsPerScale.count {
            let side = config.scale(s).side
            for g in 0..<config.groupsPerScale[s] { names.append("z\(names.count + 1) (scale \(s), group \(g), \(config.latentChannels)×\(side)×\(side))") }
        }
        return names
    }

    private func traced(_ name: String, _ t: Tensor) -> Tensor {
        trace?(name, t)
        return t
    }

    /// x [N, 1, 28, 28] in {0, 1} → the stem input 2x − 1 padded to [N, 1, 32, 32] (padding is −1).
    private func stemInput(_ x: Tensor) -> Tensor {
        let pad = (config.imageSize - x.shape[2]) / 2
        return x.padded([(0, 0), (0, 0), (pad, pad), (pad, pad)]) * 2 - 1
    }

    /// Splits sampler output [N, 2·C_z, h, w] into (μ, log σ).
    private func split(_ p: Tensor) -> (Tensor, Tensor) {
        let parts = p.chunked(2, axis: 1)
        return (parts[0], parts[1])
    }

    public func pass(_ x: Tensor, samples: Int, using rng: inout RandomGenerator) -> VAEPass {
        precondition(x.rank == 4 && x.shape[1] == 1, "NVAE: input must be [N, 1, H, W], got \(x.shape)")
        let n = x.shape[0]
        // Bottom-up.
        var s = traced("stem", stem(stemInput(x)))
        for (i, cell) in preprocess.enumerated() { s = traced("preprocess.\(i)", cell(s)) }
        var features: [Tensor] = []  // encoder order; the last group takes the top instead
        var g = 0
        for si in 0..<config.groupsPerScale.count {
            for _ in 0..<config.groupsPerScale[config.groupsPerScale.count - 1 - si] {
                for c in 0..<config.encoderCellsPerGroup {
                    s = traced("encoder.group\(g).cell\(c)", encoderCells[g * config.encoderCellsPerGroup + c](s))
                }
                if g < groupCount - 1 { features.append(s) }
                g += 1
            }
            if si < encoderDown.count { s = traced("encoder.down\(si)", encoderDown[si](s)) }
        }
        features.reverse()  // decoder order: features[l − 1] serves group l
        features = features.map { repeatedBatch($0, samples) }
        let top = repeatedBatch(encoderTop(s.elu()).elu(), samples)
        // Top-down, once per sample.
        return topDown(batch: n * samples, temperature: 1, using: &rng) { l, state, prior in
            let (dMu, dLogSigma) = self.split(self.traced("encoder.sampler\(l)", self.encoderSamplers[l](
                l == 0 ? top : features[l - 1] + self.encoderCombiners[l - 1](state))))
            guard let (muP, logSigmaP) = prior else { return DiagonalGaussian(mu: dMu, logSigma: dLogSigma) }
            return DiagonalGaussian(mu: muP + dMu, logSigma: logSigmaP + dLogSigma)
        }
    }

    public func generate(count: Int, temperature: Double, using rng: inout RandomGenerator) -> Tensor {
        precondition(temperature > 0, "NVAE.generate: temperature must be positive, got \(temperature)")
        return topDown(batch: count, temperature: temperature, using: &rng, posterior: nil).logits
    }

    /// The shared top-down pass. With `posterior`, z_l is drawn from q (given group index, decoder
    /// state and the raw prior parameters, nil for z_1) and KL, log q, log p are recorded; without
    /// it, z_l is drawn from the prior at `temperature`.
    private func topDown(batch n: Int, temperature: Double, using rng: inout RandomGenerator,
                         posterior: ((Int, Tensor, (Tensor, Tensor)?) -> DiagonalGaussian)?) -> VAEPass {
        var s = initialState.broadcast(to: [n] + Array(initialState.shape.dropFirst()))
        var kls: [Tensor] = [], means: [Tensor] = []
        var logQ: Tensor? = nil, logP: Tensor? = nil
        var l = 0
        for si in 0..<config.groupsPerScale.count {
            let side = config.scale(si).side
            for _ in 0..<config.groupsPerScale[si] {
                for c in 0..<(l == 0 ? 0 : config.decoderCellsPerGroup) {
                    s = traced("decoder.group\(l).cell\(c)", decoderCells[(l - 1) * config.decoderCellsPerGroup + c](s))
                }
                var raw: (Tensor, Tensor)? = nil
                let prior: DiagonalGaussian
                if l == 0 {
                    prior = .standard([n, config.latentChannels, side, side], temperature: posterior == nil ? temperature : 1)
                } else {
                    let p = traced("decoder.sampler\(l)", decoderSamplers[l - 1](s.elu()))
                    raw = split(p)
                    prior = DiagonalGaussian(mu: raw!.0, logSigma: raw!.1, temperature: posterior == nil ? temperature : 1)
                }
                let z: Tensor
                if let posterior {
                    let q = posterior(l, s, raw)
                    z = q.sample(using: &rng)
                    let perImage = { (t: Tensor) in t.sum(axes: [1, 2, 3]) }
                    kls.append(perImage(q.kl(to: prior)))
                    let lq = perImage(q.logProb(z)), lp = perImage(prior.logProb(z))
                    logQ = logQ.map { $0 + lq } ?? lq
                    logP = logP.map { $0 + lp } ?? lp
                    means.append(withoutGrad { q.mu.reshaped([n, q.mu.count / n]).detached() })
                } else {
                    z = prior.sample(using: &rng)
                }
                s = traced("decoder.combiner\(l)", decoderCombiners[l](concat([s, z], axis: 1)))
                l += 1
            }
            if si < decoderUp.count { s = traced("decoder.up\(si)", decoderUp[si](s)) }
        }
        for (i, cell) in postprocess.enumerated() { s = traced("postprocess.\(i)", cell(s)) }
        let full = traced("image", imageConv(s.elu()))  // [N, 1, 32, 32]
        let pad = (config.imageSize - 28) / 2
        let logits = full.sliced(axis: 2, pad, pad + 28).sliced(axis: 3, pad, pad + 28)
        return VAEPass(logits: logits, kl: kls, logQ: logQ ?? Tensor.zeros([n]), logP: logP ?? Tensor.zeros([n]),
                       posteriorMeans: means)
    }

    public func dataDependentInit(_ x: Tensor, using rng: inout RandomGenerator) {
        for (_, m) in namedModules() { (m as? NVAEConv2d)?.pendingDataInit = true }
        _ = withoutGrad { pass(x, using: &rng) }
        for (_, m) in namedModules() { (m as? NVAEConv2d)?.pendingDataInit = false }
    }
}
