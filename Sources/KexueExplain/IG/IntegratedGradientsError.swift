/// Bad input to integrated gradients, each naming what is wrong.
public enum IntegratedGradientsError: Error, CustomStringConvertible, Equatable {
    case badSteps(Int)
    case badInternalBatchSize(Int)
    case targetOutOfRange(target: Int, classes: Int)
    case baselineShape(expected: [Int], got: [Int])
    case noBaselines
    case badOutputShape(expected: String, got: [Int])

    public var description: String {
        switch self {
        case .badSteps(let n):
            return "integrated gradients: steps must be ≥ 1 (≥ 2 for riemannTrapezoid and suCompatible), got \(n)"
        case .badInternalBatchSize(let n):
            return "integrated gradients: internalBatchSize must be ≥ 1, got \(n)"
        case .targetOutOfRange(let t, let c):
            return "integrated gradients: target class \(t) is out of range for a model with \(c) classes (0..<\(c))"
        case .baselineShape(let e, let g):
            return "integrated gradients: baseline shape \(g) differs from the input shape \(e)"
        case .noBaselines:
            return "integrated gradients: at least one baseline is needed"
        case .badOutputShape(let e, let g):
            return "integrated gradients: the function returned shape \(g), expected \(e)"
        }
    }
}
