import Foundation
import Kexue

/// NVAE's KL warm-up and KL balancing (METHODS.md §6(a)).
public enum KLSchedule {
    /// β_t = max(min((t − t_c)/t_a, 1), 1e-4) with t_a = 0.3·T, t_c = 1e-4·T.
    public static func beta(step: Int, totalSteps: Int) -> Double {
        let total = Double(max(totalSteps, 1))
        let ta = 0.3 * total, tc = 1e-4 * total
        return max(min((Double(step) - tc) / ta, 1), 1e-4)
    }

    /// α_l = 4^s/G_s for a group at scale s (s = 0 coarsest), divided by the minimum, in decoder
    /// order (coarsest scale first). `groupsPerScale` is coarsest first too.
    public static func alpha(groupsPerScale: [Int]) -> [Double] {
        var a: [Double] = []
        for (s, g) in groupsPerScale.enumerated() {
            a += Array(repeating: Foundation.pow(4, Double(s)) / Double(g), count: g)
        }
        let m = a.min() ?? 1
        return a.map { $0 / m }
    }

    /// γ_l ∝ c_l/α_l with c_l = mean_batch |KL_l| + 0.01, rescaled to mean 1; all ones once β ≥ 1.
    /// `klPerGroup[l]` is [N] (values only: γ is held constant, no gradient flows through it).
    public static func balance(klPerGroup: [[Double]], alpha: [Double], beta: Double) -> [Double] {
        precondition(klPerGroup.count == alpha.count, "KLSchedule.balance: \(klPerGroup.count) groups, \(alpha.count) α")
        guard beta < 1 else { return Array(repeating: 1, count: alpha.count) }
        let c = klPerGroup.map { v in v.reduce(0) { $0 + abs($1) } / Double(max(v.count, 1)) + 0.01 }
        let raw = zip(c, alpha).map { $0 / $1 }
        let mean = raw.reduce(0, +) / Double(raw.count)
        return raw.map { $0 / mean }
    }
}
