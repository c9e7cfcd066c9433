/// What `IntegratedGradients` sums along the straight path x̄ + α·e, e = x − x̄ (METHODS.md §7(a)).
public enum PathQuantity: String, Sendable, CaseIterable {
    /// Integrated gradients: e ⊙ Σ_k w_k ∇F(x̄ + α_k e) with the quadrature rule's nodes and weights.
    /// Complete: Σ attributions → F(x) − F(x̄).
    case integratedGradients
    /// Su's demo quantity (kexue.fm/archives/7533): A = (1/n)·Σ_{k=0}^{n−1} ∇F(x̄ + α_k e) ⊙ (α_k e),
    /// α_k = k/(n−1). **Not IG and not complete**: each gradient is multiplied by the *scaled* input
    /// α_k e instead of e, so by parts Σ A ≈ F(x) − ∫₀¹ F(x̄ + αe) dα, not F(x) − F(x̄). The quadrature
    /// rule is ignored; n ≥ 2.
    case suCompatible

    /// The n path nodes α_k and weights w_k with A = e ⊙ Σ_k w_k ∇F(x̄ + α_k e).
    /// For `suCompatible`, w_k = α_k/n moves the α_k of (α_k e) into the weight (e is common to all terms).
    func nodesAndWeights(_ n: Int, rule: QuadratureRule) throws -> (alphas: [Double], weights: [Double]) {
        switch self {
        case .integratedGradients:
            return try rule.nodesAndWeights(n)
        case .suCompatible:
            guard n >= 2 else { throw IntegratedGradientsError.badSteps(n) }
            let alphas = (0..<n).map { Double($0) / Double(n - 1) }
            return (alphas, alphas.map { $0 / Double(n) })
        }
    }
}
