import Kexue
import KexueNN

/// The skip of a ×2 down-sampling cell: Swish, then four stride-2 1×1 convs on the input shifted
/// by (0,0), (1,1), (0,1), (1,0), concatenated — every input pixel reaches the output, unlike a
/// single strided 1×1. [N, C, H, W] → [N, C_out, H/2, W/2] (H, W even, C_out divisible by 4).
public final class FactorizedReduce: Module, UnaryLayer {
    public let convs: [NVAEConv2d]

    public init(_ inChannels: Int, _ outChannels: Int, using rng: inout RandomGenerator) {
        precondition(outChannels % 4 == 0, "FactorizedReduce: output channels \(outChannels) not divisible by 4")
        convs = (0..<4).map { _ in NVAEConv2d(inChannels, outChannels / 4, kernel: 1, stride: 2, padding: 0, using: &rng) }
        super.init()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape[2] % 2 == 0 && x.shape[3] % 2 == 0, "FactorizedReduce: odd spatial size \(x.shape)")
        let a = x.silu()
        let (h, w) = (a.shape[2], a.shape[3])
        let shifted = [a,
                       a.sliced(axis: 2, 1, h).sliced(axis: 3, 1, w),
                       a.sliced(axis: 3, 1, w),
                       a.sliced(axis: 2, 1, h)]
        return concat(zip(convs, shifted).map { $0.0($0.1) }, axis: 1)
    }
}
