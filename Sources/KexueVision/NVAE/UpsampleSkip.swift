import Kexue
import KexueNN

/// The skip of a ×2 up-sampling cell: bilinear ×2, then a 1×1 conv to the new channel count.
/// [N, C, H, W] → [N, C_out, 2H, 2W].
public final class UpsampleSkip: Module, UnaryLayer {
    public let conv: NVAEConv2d

    public init(_ inChannels: Int, _ outChannels: Int, using rng: inout RandomGenerator) {
        conv = NVAEConv2d(inChannels, outChannels, kernel: 1, using: &rng)
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv(upsampleBilinear2d(x, scale: 2))
    }
}
