import Foundation
import Kexue
import KexueNN

/// NVAE's convolution: optionally weight-normalised, and carrying the persistent power-iteration
/// vectors of the spectral regulariser (METHODS.md §6(a)).
///
/// Weight norm (every conv outside the inverted residual): W = exp(g)·V/(‖V‖ + 1e-5) per output
/// channel, g initialised to log(‖V‖ + 1e-2) so W starts equal to V. `u` [O] and `v` [C/groups·k·k]
/// are buffers, not parameters, so a checkpoint resumes the power iteration where it stopped.
public final class NVAEConv2d: Module, UnaryLayer {
    public let weight: Tensor          // V, [O, C/groups, k, k]
    public let logWeightNorm: Tensor?  // g, [O, 1, 1, 1] (weight-normalised convs only)
    public let bias: Tensor?           // [O]
    public let spectralU: Tensor       // [O]        (buffer; zeros until the first power iteration)
    public let spectralV: Tensor       // [C/g·k·k]  (buffer)
    public let stride: Int
    public let padding: Int
    public let groups: Int
    /// Set by `NVAE.dataDependentInit`: the next forward rescales g and b so that the outputs of
    /// this batch have mean 0 and standard deviation 1/5 per channel, as NVAE's `data_init`.
    var pendingDataInit = false

    public init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int? = nil,
                groups: Int = 1, bias: Bool = true, weightNorm: Bool = true, using rng: inout RandomGenerator) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "NVAEConv2d: channels \(inChannels) → \(outChannels) not divisible by groups \(groups)")
        let fanIn = inChannels / groups * kernel * kernel
        let bound = 1 / Double(fanIn).squareRoot()
        let v = Tensor.uniform([outChannels, inChannels / groups, kernel, kernel], low: -bound, high: bound, using: &rng)
        weight = v.requiringGrad()
        if weightNorm {
            let norms = withoutGrad { (v * v).sum(axes: [1, 2, 3], keepDims: true).sqrt() }  // [O, 1, 1, 1]
            logWeightNorm = withoutGrad { (norms + 1e-2).log() }.requiringGrad()
        } else {
            logWeightNorm = nil
        }
        self.bias = bias ? Tensor.zeros([outChannels]).requiringGrad() : nil
        spectralU = Tensor.zeros([outChannels])
        spectralV = Tensor.zeros([fanIn])
        self.stride = stride
        self.padding = padding ?? kernel / 2
        self.groups = groups
        super.init()
    }

    public override var bufferNames: Set<String> { ["spectralU", "spectralV"] }

    /// The effective weight [O, C/groups, k, k]: V itself, or exp(g)·V/(‖V‖ + 1e-5).
    public func normalizedWeight() -> Tensor {
        guard let g = logWeightNorm else { return weight }
        let norms = (weight * weight).sum(axes: [1, 2, 3], keepDims: true).sqrt()  // [O, 1, 1, 1]
        return g.exp() * weight / (norms + 1e-5)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        if pendingDataInit { initializeFromData(x) }
        return conv2d(x, weight: normalizedWeight(), bias: bias, stride: (stride, stride),
                      padding: (padding, padding), groups: groups)
    }

    private func initializeFromData(_ x: Tensor) {
        pendingDataInit = false
        guard let g = logWeightNorm else { return }
        withoutGrad {
            let v = weight
            let unit = v / ((v * v).sum(axes: [1, 2, 3], keepDims: true).sqrt() + 1e-5)
            let out = conv2d(x, weight: unit, stride: (stride, stride), padding: (padding, padding), groups: groups)
            let mean = out.mean(axes: [0, 2, 3])                                         // [O]
            let std = out.variance(axes: [0, 2, 3], unbiased: true).sqrt() * 5           // [O]
            if let bias { bias.assign(0 - mean / (std + 1e-5)) }
            g.assign((0 - (std + 1e-5).log()).reshaped(g.shape))
        }
    }
}
