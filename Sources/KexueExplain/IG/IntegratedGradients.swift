import Kexue

/// Integrated gradients over any differentiable scalar function of a tensor (METHODS.md §7(a)):
/// IG = (x − x̄) ⊙ Σ_k w_k ∇F(x̄ + α_k(x − x̄)), with several baselines averaged.
///
/// The function receives a batch of path points [K, ...input shape] and returns one scalar per point [K];
/// points must be computed independently (no batch statistics), as in any eval-mode model.
/// Path points run in chunks of `internalBatchSize` into a running Float64 sum, so memory is
/// O(internalBatchSize·|x|) and the result does not depend on the chunking beyond summation order.
/// With `quantity: .suCompatible` the same machinery computes Su's demo quantity (not IG; see `PathQuantity`).
public struct IntegratedGradients: Sendable {
    public var steps: Int
    public var method: QuadratureRule
    /// Path points per forward/backward pass; nil runs all `steps` points at once.
    public var internalBatchSize: Int?
    /// false drops the (x − x̄) factor (captum's `multiply_by_inputs`): no completeness then.
    public var multiplyByInputs: Bool
    /// `.suCompatible` computes Su's demo quantity instead of IG (`method` is then ignored): not complete.
    public var quantity: PathQuantity

    public init(steps: Int = 50, method: QuadratureRule = .gaussLegendre, internalBatchSize: Int? = nil,
                multiplyByInputs: Bool = true, quantity: PathQuantity = .integratedGradients) {
        self.steps = steps
        self.method = method
        self.internalBatchSize = internalBatchSize
        self.multiplyByInputs = multiplyByInputs
        self.quantity = quantity
    }

    /// METHODS.md §7(b) `.default`: 50 Gauss–Legendre steps.
    public static let `default` = IntegratedGradients()
    /// Su's demo quantity (METHODS.md §7(a)): n = 20 path points α_k = k/(n−1); use with a zero baseline
    /// and F = probability of the predicted label (`TextExplainerPreset.suCompatible` sets all of it).
    public static let suCompatible = IntegratedGradients(steps: 20, quantity: .suCompatible)

    /// Attributions of F at `input` against the mean over `baselines`.
    public func attribute(_ input: Tensor, baselines: [Tensor],
                          function f: (Tensor) throws -> Tensor) throws -> Attribution {
        guard steps >= 1 else { throw IntegratedGradientsError.badSteps(steps) }
        if let b = internalBatchSize, b < 1 { throw IntegratedGradientsError.badInternalBatchSize(b) }
        guard !baselines.isEmpty else { throw IntegratedGradientsError.noBaselines }
        for b in baselines where b.shape != input.shape {
            throw IntegratedGradientsError.baselineShape(expected: input.shape, got: b.shape)
        }
        let (alphas, weights) = try quantity.nodesAndWeights(steps, rule: method)
        let x = input.detached().to(.float64).doubles
        let d = x.count
        let chunk = Swift.min(internalBatchSize ?? steps, steps)

        let fx = try evaluate(f, points: [x], shape: input.shape, dtype: input.dtype)[0]
        var fBaselines: [Double] = []
        var fPath = [Double](repeating: 0, count: steps)  // Σ over baselines of F(x̄ + α_k(x − x̄))
        var total = [Double](repeating: 0, count: d)  // Σ over baselines of (x − x̄) ⊙ ∫∇F
        for baseline in baselines {
            let xb = baseline.detached().to(.float64).doubles
            fBaselines.append(try evaluate(f, points: [xb], shape: input.shape, dtype: input.dtype)[0])
            var integral = [Double](repeating: 0, count: d)  // running Σ_k w_k ∇F(γ(α_k))
            var start = 0
            while start < steps {
                let end = Swift.min(start + chunk, steps)
                let k = end - start
                // [k, ...input shape] path points x̄ + α(x − x̄), in the input's dtype.
                var points = [Double](repeating: 0, count: k * d)
                for j in 0..<k {
                    let a = alphas[start + j]
                    for i in 0..<d { points[j * d + i] = xb[i] + a * (x[i] - xb[i]) }
                }
                let batch = Self.tensor(points, shape: [k] + input.shape, dtype: input.dtype).requiringGrad()
                let y = try f(batch)
                guard y.shape == [k] else {
                    throw IntegratedGradientsError.badOutputShape(expected: "[\(k)]", got: y.shape)
                }
                for (j, v) in y.detached().to(.float64).doubles.enumerated() { fPath[start + j] += v }
                // Seeding the backward with the weights gives Σ_j w_j ∇F_j in one pass per chunk.
                let seed = Self.tensor(Array(weights[start..<end]), shape: [k], dtype: y.dtype)
                let g = gradients(of: y, wrt: [batch], seed: seed)[0].to(.float64).doubles
                for j in 0..<k { for i in 0..<d { integral[i] += g[j * d + i] } }
                start = end
            }
            for i in 0..<d { total[i] += multiplyByInputs ? (x[i] - xb[i]) * integral[i] : integral[i] }
        }
        let m = Double(baselines.count)
        let attributions = total.map { $0 / m }
        let fBaseline = fBaselines.reduce(0, +) / m
        return Attribution(attributions: Self.tensor(attributions, shape: input.shape, dtype: .float64),
                           outputAtInput: fx, outputAtBaseline: fBaseline, steps: steps, method: method,
                           quantity: quantity, pathNodes: alphas, outputsOnPath: fPath.map { $0 / m },
                           complete: multiplyByInputs && quantity == .integratedGradients)
    }

    /// F at a few points without recording, one scalar each.
    private func evaluate(_ f: (Tensor) throws -> Tensor, points: [[Double]], shape: [Int], dtype: DType) throws -> [Double] {
        try withoutGrad {
            let batch = Self.tensor(points.flatMap { $0 }, shape: [points.count] + shape, dtype: dtype)
            let y = try f(batch)
            guard y.shape == [points.count] else {
                throw IntegratedGradientsError.badOutputShape(expected: "[\(points.count)]", got: y.shape)
            }
            return y.to(.float64).doubles
        }
    }

    static func tensor(_ values: [Double], shape: [Int], dtype: DType) -> Tensor {
        dtype == .float64 ? Tensor(doubles: values, shape: shape) : Tensor(values.map { Float($0) }, shape: shape)
    }
}

/// The result of integrated gradients: attributions shaped like the input (Float64), F at the input and
/// at the (mean) baseline, and the convergence delta δ = Σ attributions − (F(x) − F(x̄)).
public struct Attribution: @unchecked Sendable {
    public let attributions: Tensor
    public let outputAtInput: Double
    public let outputAtBaseline: Double
    public let steps: Int
    /// The quadrature rule; ignored (not used) when `quantity` is `.suCompatible`.
    public let method: QuadratureRule
    public let quantity: PathQuantity
    /// The path nodes α_k and F(x̄ + α_k(x − x̄)) at each (averaged over baselines): a by-product of the
    /// forward passes, used to check Su's by-parts identity Σ A ≈ F(x) − mean_k F(α_k x).
    public let pathNodes: [Double]
    public let outputsOnPath: [Double]
    /// false for quantities that do not satisfy completeness (no input factor, `suCompatible`).
    public let complete: Bool

    /// What produced the numbers: the rule's name for IG, "suCompatible" for Su's quantity.
    public var methodName: String { quantity == .integratedGradients ? method.rawValue : quantity.rawValue }
    /// mean_k F(x̄ + α_k(x − x̄)).
    public var meanOutputOnPath: Double { outputsOnPath.reduce(0, +) / Double(Swift.max(outputsOnPath.count, 1)) }

    public var outputDifference: Double { outputAtInput - outputAtBaseline }
    public var attributionSum: Double { attributions.doubles.reduce(0, +) }
    public var delta: Double { attributionSum - outputDifference }
    /// |δ| / |F(x) − F(x̄)| (infinite when the difference is 0 and δ is not).
    public var relativeDelta: Double {
        let diff = Swift.abs(outputDifference)
        return diff == 0 ? (delta == 0 ? 0 : .infinity) : Swift.abs(delta) / diff
    }
}
