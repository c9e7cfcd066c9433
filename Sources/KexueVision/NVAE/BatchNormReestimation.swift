import Kexue
import KexueNN

/// Re-estimates every batch norm's running statistics from generated samples before sampling
/// (NVAE's `--readjust_bn`): BN in training mode, statistics reset, `passes` forward passes
/// without gradients whose batch statistics are averaged cumulatively (momentum 1/i at pass i),
/// then back to evaluation mode with the original momentum. Every statistic must come out finite
/// (official checkpoints gave NaN images here, NVAE #36).
public enum BatchNormReestimation {
    public struct NonFiniteStatistics: Error, CustomStringConvertible {
        public let layers: [String]
        public var description: String {
            "batch-norm re-estimation produced non-finite running statistics in \(layers.count) layer(s): \(layers.prefix(5).joined(separator: ", "))"
        }
    }

    public static func run(_ model: Module, passes: Int, _ pass: () -> Void) throws {
        precondition(passes >= 1, "BatchNormReestimation: passes must be ≥ 1")
        let norms = model.namedModules().compactMap { name, m in (m as? BatchNorm).map { (name, $0) } }
        let saved = norms.map(\.1.momentum)
        for (_, bn) in norms { bn.resetRunningStatistics() }
        model.train()
        defer {
            for ((_, bn), m) in zip(norms, saved) { bn.momentum = m }
            model.eval()
        }
        for i in 1...passes {
            for (_, bn) in norms { bn.momentum = 1 / Double(i) }
            withoutGrad { pass() }
        }
        let bad = norms.filter { _, bn in !(bn.runningMean.doubles + bn.runningVar.doubles).allSatisfy(\.isFinite) }.map(\.0)
        if !bad.isEmpty { throw NonFiniteStatistics(layers: bad) }
    }
}
