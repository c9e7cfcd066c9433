/// Flooding (Ishida et al., ICML 2020) and its per-sample variant iFlood (METHODS.md §1).
///
/// Batch flooding: L_b = |L − b| + b on the mean loss L — descent above the flood level b, ascent
/// below it, so the training loss floats around b. Per-sample: mean_i(|ℓ_i − b| + b), each
/// example descending or ascending alone. b = 0 is the plain loss. Log the raw loss beside the
/// flooded one, and never flood evaluation losses.
public struct Flooding: Sendable, Equatable {
    public enum Mode: String, Sendable { case batch, perSample }

    public let level: Double
    public let mode: Mode
    /// Flooding starts at this step (plain loss before).
    public let startStep: Int

    public init(level: Double, mode: Mode = .batch, startStep: Int = 0) throws {
        guard level.isFinite, level >= 0 else { throw FloodingError(message: "flood level must be a finite number ≥ 0, got \(level)") }
        guard startStep >= 0 else { throw FloodingError(message: "flood startStep must be ≥ 0, got \(startStep)") }
        self.level = level
        self.mode = mode
        self.startStep = startStep
    }

    /// Floods per-example losses ℓ [B] (reduction `.none`); returns a scalar.
    /// The gradient is sign(L − b)·∇L with sign(0) = 0, as PyTorch's |·|.
    public func apply(_ perExample: Tensor, step: Int = .max) -> Tensor {
        guard step >= startStep else { return perExample.mean() }
        switch mode {
        case .batch: return (perExample.mean() - level).abs() + level
        case .perSample: return ((perExample - level).abs() + level).mean()
        }
    }
}

public struct FloodingError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
