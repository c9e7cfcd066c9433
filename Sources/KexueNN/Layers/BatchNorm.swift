/// Batch normalisation over axis 1 of [N, C] (1-d) or [N, C, H, W] (2-d) inputs.
///
/// Training mode normalises with batch statistics and updates the running ones in place
/// (running ← (1 − momentum)·running + momentum·batch, unbiased variance, as PyTorch);
/// eval mode uses the running statistics.
public final class BatchNorm: Module, UnaryLayer {
    public let weight: Tensor        // [C], γ
    public let bias: Tensor          // [C], β
    public let runningMean: Tensor   // [C] (buffer)
    public let runningVar: Tensor    // [C] (buffer)
    public var momentum: Double
    public let eps: Double

    public init(_ channels: Int, momentum: Double = 0.1, eps: Double = 1e-5) {
        weight = Tensor.ones([channels]).requiringGrad()
        bias = Tensor.zeros([channels]).requiringGrad()
        runningMean = Tensor.zeros([channels])
        runningVar = Tensor.ones([channels])
        self.momentum = momentum
        self.eps = eps
        super.init()
    }

    public override var bufferNames: Set<String> { ["runningMean", "runningVar"] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 || x.rank == 4, "BatchNorm: input must be [N, C] or [N, C, H, W], got \(x.shape)")
        precondition(x.shape[1] == weight.count, "BatchNorm(\(weight.count)): input has \(x.shape[1]) channels (\(x.shape))")
        return batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                         training: isTraining, momentum: momentum, eps: eps)
    }

    /// Resets the running statistics (before re-estimating them, as NVAE does before sampling).
    public func resetRunningStatistics() {
        runningMean.assign(Tensor.zeros(runningMean.shape))
        runningVar.assign(Tensor.ones(runningVar.shape))
    }
}

/// Nearest-neighbour up-sampling by an integer factor, [N, C, H, W] → [N, C, sH, sW].
public final class UpsampleNearest: Module, UnaryLayer {
    public let scale: Int
    public init(scale: Int = 2) { self.scale = scale; super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { upsampleNearest2d(x, scale: scale) }
}

/// Bilinear up-sampling by an integer factor (PyTorch's align_corners = false by default).
public final class UpsampleBilinear: Module, UnaryLayer {
    public let scale: Int
    public let alignCorners: Bool
    public init(scale: Int = 2, alignCorners: Bool = false) { self.scale = scale; self.alignCorners = alignCorners; super.init() }
    public func callAsFunction(_ x: Tensor) -> Tensor { upsampleBilinear2d(x, scale: scale, alignCorners: alignCorners) }
}
