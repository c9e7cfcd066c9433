import Kexue
import KexueNN

/// NVAE's decoder residual cell, an inverted residual: skip(x) + 0.1·branch(x) with
/// branch = [nearest ×2 if up] BN → Conv1×1 (C → eC) → BN → Swish → depthwise Conv5×5 → BN → Swish
/// → Conv1×1 (eC → C_out) → BN → SE. Expansion e = 6 in the decoder tower, 3 in post-processing.
/// An up cell halves the channels and doubles H and W; its skip is bilinear ×2 + Conv1×1.
/// The convs inside are plain (no weight norm), as METHODS.md §6 places weight norm.
public final class DecoderCell: Module, UnaryLayer {
    public let up: Bool
    public let norm0: BatchNorm
    public let expandConv: NVAEConv2d
    public let norm1: BatchNorm
    public let depthwise: NVAEConv2d
    public let norm2: BatchNorm
    public let projectConv: NVAEConv2d
    public let norm3: BatchNorm
    public let se: SqueezeExcitation
    public let upSkip: UpsampleSkip?

    public init(_ channels: Int, expansion: Int, up: Bool, using rng: inout RandomGenerator) {
        let out = up ? channels / 2 : channels
        let hidden = channels * expansion
        self.up = up
        norm0 = .nvae(channels)
        expandConv = NVAEConv2d(channels, hidden, kernel: 1, bias: false, weightNorm: false, using: &rng)
        norm1 = .nvae(hidden)
        depthwise = NVAEConv2d(hidden, hidden, kernel: 5, groups: hidden, bias: false, weightNorm: false, using: &rng)
        norm2 = .nvae(hidden)
        projectConv = NVAEConv2d(hidden, out, kernel: 1, bias: false, weightNorm: false, using: &rng)
        norm3 = .nvae(out)
        se = SqueezeExcitation(out, using: &rng)
        upSkip = up ? UpsampleSkip(channels, out, using: &rng) : nil
        super.init()
    }

    /// [N, C, H, W] → [N, C, H, W], or [N, C/2, 2H, 2W] for an up cell.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let input = up ? upsampleNearest2d(x, scale: 2) : x
        var h = norm1(expandConv(norm0(input))).silu()
        h = norm2(depthwise(h)).silu()
        let branch = se(norm3(projectConv(h)))
        let skip = upSkip.map { $0(x) } ?? x
        return skip + 0.1 * branch
    }
}
