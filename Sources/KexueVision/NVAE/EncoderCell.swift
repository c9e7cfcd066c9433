import Kexue
import KexueNN

/// NVAE's encoder residual cell: skip(x) + 0.1·branch(x) with
/// branch = [BN → Swish → Conv3×3] × 2 → SE (weight-normalised convs).
/// A down cell (stride 2 in the first conv) doubles the channels and halves H and W, with the
/// factorised-reduce skip; otherwise the skip is the identity.
public final class EncoderCell: Module, UnaryLayer {
    public let norm1: BatchNorm
    public let conv1: NVAEConv2d
    public let norm2: BatchNorm
    public let conv2: NVAEConv2d
    public let se: SqueezeExcitation
    public let downSkip: FactorizedReduce?

    public init(_ channels: Int, down: Bool, using rng: inout RandomGenerator) {
        let out = down ? 2 * channels : channels
        norm1 = .nvae(channels)
        conv1 = NVAEConv2d(channels, out, kernel: 3, stride: down ? 2 : 1, using: &rng)
        norm2 = .nvae(out)
        conv2 = NVAEConv2d(out, out, kernel: 3, using: &rng)
        se = SqueezeExcitation(out, using: &rng)
        downSkip = down ? FactorizedReduce(channels, out, using: &rng) : nil
        super.init()
    }

    /// [N, C, H, W] → [N, C, H, W], or [N, 2C, H/2, W/2] for a down cell.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let branch = se(conv2(norm2(conv1(norm1(x).silu())).silu()))
        let skip = downSkip.map { $0(x) } ?? x
        return skip + 0.1 * branch
    }
}
