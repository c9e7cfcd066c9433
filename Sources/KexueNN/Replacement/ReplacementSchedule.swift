/// The replacement rate p_t: the probability that a module is replaced by its successor block at
/// training step t (METHODS.md §5 — p is the *replacement* rate; Su's ε = 1 − r).
public enum ReplacementSchedule: Sendable, CustomStringConvertible {
    /// p for the first `steps` steps, then 1 (nil steps: p forever — Su's constant 0.5).
    case constant(Double, steps: Int?)
    /// p_t = min(1, k·t + b) (the paper: b = 0.3, k = 6e-4 reaches 1 at t ≈ 1,167).
    case linear(k: Double, b: Double)
    /// Any curriculum; values are clamped to [0, 1].
    case custom(@Sendable (Int) -> Double)

    /// p at step t (t counts from 0).
    public func rate(at step: Int) -> Double {
        switch self {
        case let .constant(p, steps):
            if let steps, step >= steps { return 1 }
            return p
        case let .linear(k, b):
            return min(1, k * Double(step) + b)
        case let .custom(f):
            return min(1, max(0, f(step)))
        }
    }

    /// Checks the knobs (p and b in [0, 1], k ≥ 0, steps ≥ 0).
    public func validate() throws {
        switch self {
        case let .constant(p, steps):
            guard (0...1).contains(p) else { throw ReplacementError.badSchedule("constant rate \(p) is not in [0, 1]") }
            if let steps, steps < 0 { throw ReplacementError.badSchedule("constant schedule steps \(steps) < 0") }
        case let .linear(k, b):
            guard k >= 0, k.isFinite else { throw ReplacementError.badSchedule("linear slope k = \(k) must be finite and ≥ 0") }
            guard (0...1).contains(b) else { throw ReplacementError.badSchedule("linear intercept b = \(b) is not in [0, 1]") }
        case .custom: break
        }
    }

    /// Parses `linear:K:B` or `constant:P` / `constant:P:STEPS` (the command line's form).
    public init(parsing spec: String) throws {
        let parts = spec.split(separator: ":").map(String.init)
        let numbers = parts.dropFirst().map { Double($0) }
        func bad() -> ReplacementError {
            .badSchedule("'\(spec)' is not linear:K:B, constant:P or constant:P:STEPS (e.g. linear:6e-4:0.3, constant:0.5:2500)")
        }
        guard !numbers.contains(where: { $0 == nil }) else { throw bad() }
        let n = numbers.map { $0! }
        switch (parts.first, n.count) {
        case ("linear", 2): self = .linear(k: n[0], b: n[1])
        case ("constant", 1): self = .constant(n[0], steps: nil)
        case ("constant", 2):
            guard n[1] == n[1].rounded(), n[1] >= 0 else { throw bad() }
            self = .constant(n[0], steps: Int(n[1]))
        default: throw bad()
        }
        try validate()
    }

    public var description: String {
        switch self {
        case let .constant(p, steps): return steps.map { "constant(\(p), steps: \($0)) then 1" } ?? "constant(\(p))"
        case let .linear(k, b): return "linear min(1, \(k)·t + \(b))"
        case .custom: return "custom"
        }
    }
}
