/// The shape of an NVAE (METHODS.md §6(b)); the default is the CPU miniature for MNIST.
public struct NVAEConfig: Codable, Sendable, Equatable {
    /// Channels at full resolution (32×32); each pre-processing block doubles them and halves H, W.
    public var stemChannels = 16
    public var preprocessBlocks = 2
    public var preprocessCells = 1
    public var postprocessBlocks = 2
    public var postprocessCells = 1
    /// Latent groups per scale, coarsest first: 2 at 4×4, 4 at 8×8 (adaptive: halved per coarser scale).
    public var groupsPerScale = [2, 4]
    public var latentChannels = 20
    public var encoderCellsPerGroup = 1
    public var decoderCellsPerGroup = 1
    public var decoderExpansion = 6
    public var postprocessExpansion = 3
    /// The padded image side (MNIST 28 → 32).
    public var imageSize = 32

    public init() {}

    public static let miniature = NVAEConfig()

    /// Channels and side length at latent scale s (0 coarsest).
    func scale(_ s: Int) -> (channels: Int, side: Int) {
        let finest = (stemChannels << preprocessBlocks, imageSize >> preprocessBlocks)
        let up = groupsPerScale.count - 1 - s
        return (finest.0 << up, finest.1 >> up)
    }

    func validate() {
        precondition(!groupsPerScale.isEmpty && groupsPerScale.allSatisfy { $0 >= 1 }, "NVAEConfig: groupsPerScale \(groupsPerScale)")
        precondition(imageSize >> (preprocessBlocks + groupsPerScale.count - 1) >= 1, "NVAEConfig: too many down-samplings for \(imageSize)")
    }
}
