import Foundation

/// A learning-rate schedule: a pure function of the optimizer step (0-based, the number of
/// updates already applied), giving either a multiplier of the base learning rate (HF's
/// `LambdaLR` lambdas; set `optimizer.learningRateMultiplier`) or an absolute learning rate
/// (`scaled(by:)`, NVAE's style; set `optimizer.learningRate`). Being a function of the step,
/// a resumed run gets its rate back from the restored step count alone.
///
/// The loop, matching HF's `optimizer.step(); scheduler.step()` order:
///
///     for step in 0..<total {
///         optimizer.learningRateMultiplier = schedule(step)   // step 0 gets schedule(0)
///         …backward…; optimizer.step(); optimizer.zeroGrad()
///     }
public struct LRSchedule: Sendable, CustomStringConvertible {
    public let description: String
    private let value: @Sendable (Int) -> Double

    public init(_ description: String, _ value: @escaping @Sendable (Int) -> Double) {
        self.description = description
        self.value = value
    }

    public func callAsFunction(_ step: Int) -> Double {
        precondition(step >= 0, "LRSchedule: step must be ≥ 0, got \(step)")
        return value(step)
    }

    /// `factor · self(step)`: turns a multiplier schedule into learning rates.
    public func scaled(by factor: Double) -> LRSchedule {
        let base = self
        return LRSchedule("\(factor) × \(description)") { factor * base.value($0) }
    }

    /// `value` at every step.
    public static func constant(_ value: Double = 1) -> LRSchedule {
        LRSchedule("constant(\(value))") { _ in value }
    }

    /// HF `get_linear_schedule_with_warmup` (W = warmupSteps, T = totalSteps):
    ///
    ///     s < W:  s / max(1, W)                          (0 at s = 0; 1 is reached at s = W)
    ///     s ≥ W:  max(0, (T − s) / max(1, T − W))        (1 at s = W, 0 at s ≥ T)
    public static func linearWarmupDecay(warmupSteps: Int, totalSteps: Int) -> LRSchedule {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps,
                     "LRSchedule: need 0 ≤ warmupSteps ≤ totalSteps, got \(warmupSteps), \(totalSteps)")
        let w = Double(warmupSteps), t = Double(totalSteps)
        return LRSchedule("linearWarmupDecay(warmup: \(warmupSteps), total: \(totalSteps))") { step in
            let s = Double(step)
            if step < warmupSteps { return s / max(1, w) }
            return max(0, (t - s) / max(1, t - w))
        }
    }

    /// HF `get_cosine_schedule_with_warmup`, with HF's `min_lr_rate` as `floor`
    /// (`get_cosine_with_min_lr_schedule_with_warmup`):
    ///
    ///     s < W:  s / max(1, W)
    ///     s ≥ W:  progress = min(1, (s − W) / max(1, T − W))
    ///             c = ½·(1 + cos(π · 2·cycles · progress))
    ///             floor + (1 − floor)·c                  (1 at s = W, `floor` at s ≥ T)
    ///
    /// With the default half cycle the rate falls monotonically from 1 to `floor`. Unlike HF,
    /// progress is clamped at T, so steps past the end stay at the cycle's final value instead of
    /// climbing back up the cosine.
    public static func cosineWarmupDecay(warmupSteps: Int, totalSteps: Int, cycles: Double = 0.5,
                                         floor: Double = 0) -> LRSchedule {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps,
                     "LRSchedule: need 0 ≤ warmupSteps ≤ totalSteps, got \(warmupSteps), \(totalSteps)")
        let w = Double(warmupSteps), t = Double(totalSteps)
        return LRSchedule("cosineWarmupDecay(warmup: \(warmupSteps), total: \(totalSteps), cycles: \(cycles), floor: \(floor))") { step in
            let s = Double(step)
            if step < warmupSteps { return s / max(1, w) }
            let progress = min(1, (s - w) / max(1, t - w))
            let c = 0.5 * (1 + cos(Double.pi * 2 * cycles * progress))
            return max(0, floor + (1 - floor) * c)
        }
    }

    /// NVAE's learning rate, in absolute terms: linear warm-up from 0 to `peak` over `warmupSteps`,
    /// then cosine annealing (`CosineAnnealingLR`) from `peak` down to `floor` (NVAE: 1e-4) at
    /// `totalSteps`:
    ///
    ///     s < W:  peak · s / W
    ///     s ≥ W:  floor + (peak − floor) · ½·(1 + cos(π · min(1, (s − W) / (T − W))))
    ///
    /// NVAE anneals once per epoch; pass steps = epochs × batches per epoch to get the same curve
    /// continuously.
    public static func warmupCosine(peak: Double, floor: Double = 1e-4, warmupSteps: Int, totalSteps: Int) -> LRSchedule {
        precondition(peak > 0, "LRSchedule: peak must be > 0, got \(peak)")
        let shape = cosineWarmupDecay(warmupSteps: warmupSteps, totalSteps: totalSteps, floor: floor / peak)
        return LRSchedule("warmupCosine(peak: \(peak), floor: \(floor), warmup: \(warmupSteps), total: \(totalSteps))") {
            peak * shape.value($0)
        }
    }

    /// Linear interpolation through `(step, value)` points (steps strictly increasing): the first
    /// value before the first point, the last value after the last point.
    public static func piecewiseLinear(_ points: [(step: Int, value: Double)]) -> LRSchedule {
        precondition(!points.isEmpty, "LRSchedule.piecewiseLinear: no points")
        precondition(zip(points, points.dropFirst()).allSatisfy { $0.step < $1.step },
                     "LRSchedule.piecewiseLinear: steps must be strictly increasing")
        let steps = points.map(\.step), values = points.map(\.value)
        let shown = points.map { "(\($0.step), \($0.value))" }.joined(separator: ", ")
        return LRSchedule("piecewiseLinear(\(shown))") { step in
            if step <= steps[0] { return values[0] }
            if step >= steps[steps.count - 1] { return values[values.count - 1] }
            // The segment [steps[k−1], steps[k]) containing step.
            var k = 1
            while steps[k] <= step { k += 1 }
            let (s0, s1) = (Double(steps[k - 1]), Double(steps[k]))
            let f = (Double(step) - s0) / (s1 - s0)
            return values[k - 1] + f * (values[k] - values[k - 1])
        }
    }
}
