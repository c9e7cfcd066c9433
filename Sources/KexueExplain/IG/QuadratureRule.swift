import Foundation

/// How the path integral ∫₀¹ ∂F(x̄ + α(x − x̄)) dα is approximated (METHODS.md §7(a)).
/// Nodes α_k ∈ [0, 1] and weights w_k; the weights of every rule sum to 1, so a constant gradient
/// integrates exactly (unlike captum's trapezoid, whose weights sum to (n − 1)/n).
public enum QuadratureRule: String, Sendable, CaseIterable {
    case riemannLeft, riemannRight, riemannMiddle, riemannTrapezoid, gaussLegendre

    /// n nodes and weights on [0, 1]. Throws when n is too small for the rule.
    public func nodesAndWeights(_ n: Int) throws -> (alphas: [Double], weights: [Double]) {
        guard n >= 1 else { throw IntegratedGradientsError.badSteps(n) }
        let dn = Double(n)
        switch self {
        case .riemannLeft:
            return ((0..<n).map { Double($0) / dn }, Array(repeating: 1 / dn, count: n))
        case .riemannRight:
            return ((1...n).map { Double($0) / dn }, Array(repeating: 1 / dn, count: n))
        case .riemannMiddle:
            return ((0..<n).map { (Double($0) + 0.5) / dn }, Array(repeating: 1 / dn, count: n))
        case .riemannTrapezoid:
            guard n >= 2 else { throw IntegratedGradientsError.badSteps(n) }
            let h = 1 / Double(n - 1)
            var w = Array(repeating: h, count: n)
            w[0] = h / 2; w[n - 1] = h / 2
            return ((0..<n).map { Double($0) * h }, w)
        case .gaussLegendre:
            let (t, omega) = QuadratureRule.gaussLegendreOnMinusOneOne(n)
            return (t.map { ($0 + 1) / 2 }, omega.map { $0 / 2 })
        }
    }

    /// n-point Gauss–Legendre nodes and weights on [−1, 1]: roots of P_n by Newton's method from
    /// Chebyshev-like starting points, weights 2 / ((1 − t²) P_n′(t)²). Accurate to ~1e-15 for any n.
    static func gaussLegendreOnMinusOneOne(_ n: Int) -> ([Double], [Double]) {
        var nodes = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        for i in 0..<(n + 1) / 2 {
            var t = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                // Three-term recurrence: P_{k+1} = ((2k+1) t P_k − k P_{k−1}) / (k+1).
                var p0 = 1.0, p1 = t
                if n == 1 { p1 = t; p0 = 1 } else {
                    for k in 1..<n {
                        let p2 = ((2 * Double(k) + 1) * t * p1 - Double(k) * p0) / Double(k + 1)
                        p0 = p1; p1 = p2
                    }
                }
                // p1 = P_n(t), p0 = P_{n−1}(t).
                derivative = Double(n) * (t * p1 - p0) / (t * t - 1)
                let step = p1 / derivative
                t -= step
                if abs(step) < 1e-16 { break }
            }
            // Recompute the derivative at the converged root for the weight.
            var p0 = 1.0, p1 = t
            if n > 1 {
                for k in 1..<n {
                    let p2 = ((2 * Double(k) + 1) * t * p1 - Double(k) * p0) / Double(k + 1)
                    p0 = p1; p1 = p2
                }
            }
            derivative = n == 1 ? 1 : Double(n) * (t * p1 - p0) / (t * t - 1)
            let w = 2 / ((1 - t * t) * derivative * derivative)
            nodes[i] = -t; nodes[n - 1 - i] = t
            weights[i] = w; weights[n - 1 - i] = w
        }
        return (nodes, weights)
    }
}
