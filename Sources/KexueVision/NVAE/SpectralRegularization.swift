import Kexue
import KexueNN

/// NVAE's spectral regularisation: λ·(Σ_convs σ_max(W) + Σ_BN max_c |γ_c|), METHODS.md §6(a).
///
/// σ_max comes from a persistent power iteration per conv weight W [O, C/g·k·k] (after weight
/// norm): v ← normalize(Wᵀu), u ← normalize(Wv) with eps 1e-3, 4 iterations per call and 40 on the
/// first; u and v carry no gradient, so σ_max = uᵀWv has gradient u·vᵀ. (NVAE batches same-shape
/// weights into one bmm; here each conv iterates alone, which gives the same numbers.)
public enum SpectralRegularization {
    /// Iterations per call, and on the first call (u still zero).
    public static let iterations = 4
    public static let firstIterations = 40

    /// Runs the power iteration on `matrix` [O, K] in place on `u` [O] and `v` [K]; u = 0 means
    /// "never iterated": it is then started from N(0, 1) draws and iterated `firstIterations` times.
    public static func powerIterate(_ matrix: Tensor, u: Tensor, v: Tensor, using rng: inout RandomGenerator,
                                    iterations: Int = iterations, firstIterations: Int = firstIterations) {
        precondition(matrix.rank == 2 && u.shape == [matrix.shape[0]] && v.shape == [matrix.shape[1]],
                     "powerIterate: matrix \(matrix.shape), u \(u.shape), v \(v.shape)")
        withoutGrad {
            var count = iterations
            if u.doubles.allSatisfy({ $0 == 0 }) {
                u.assign(normalize(Tensor.normal(u.shape, dtype: u.dtype, using: &rng)))
                v.assign(normalize(Tensor.normal(v.shape, dtype: v.dtype, using: &rng)))
                count = firstIterations
            }
            var uu = u.reshaped([u.count, 1]), vv = v.reshaped([v.count, 1])
            for _ in 0..<count {
                vv = normalize(matmul(matrix, uu, transposeA: true))  // [K, 1]
                uu = normalize(matmul(matrix, vv))                    // [O, 1]
            }
            u.assign(uu.reshaped([u.count]))
            v.assign(vv.reshaped([v.count]))
        }
    }

    /// σ_max = uᵀWv for the current u, v; differentiable in W (gradient u·vᵀ).
    public static func sigmaMax(_ matrix: Tensor, u: Tensor, v: Tensor) -> Tensor {
        let outer = withoutGrad { matmul(u.reshaped([u.count, 1]), v.reshaped([1, v.count])) }  // [O, K]
        return (matrix * outer).sum()
    }

    /// x / max(‖x‖, 1e-3)
    static func normalize(_ x: Tensor) -> Tensor {
        let norm = (x * x).sum().sqrt().item
        return x / Swift.max(norm, 1e-3)
    }

    /// Σ σ_max over every `NVAEConv2d` below `model` (one power-iteration call each) plus
    /// Σ max_c |γ_c| over every `BatchNorm`: the unweighted penalty, a scalar.
    public static func penalty(_ model: Module, using rng: inout RandomGenerator) -> Tensor {
        var terms: [Tensor] = []
        for (_, m) in model.namedModules() {
            if let conv = m as? NVAEConv2d {
                let w = conv.normalizedWeight()
                let matrix = w.reshaped([w.shape[0], w.count / w.shape[0]])  // [O, C/g·k·k]
                powerIterate(withoutGrad { matrix.detached() }, u: conv.spectralU, v: conv.spectralV, using: &rng)
                terms.append(sigmaMax(matrix, u: conv.spectralU, v: conv.spectralV))
            } else if let bn = m as? BatchNorm {
                terms.append(bn.weight.abs().max(axis: 0))
            }
        }
        precondition(!terms.isEmpty, "SpectralRegularization.penalty: the model has no conv or batch norm")
        return terms.dropFirst().reduce(terms[0], +)
    }
}
