import Foundation

/// Performer's positive random features (FAVOR+, Choromanski et al., ICLR 2021):
/// φ(x) = m^{−1/2}·exp(W·x′ − ‖x′‖²/2) with x′ = x·D^{−1/4}, so that E[φ(q)ᵀφ(k)] = exp(qᵀk/√D),
/// the softmax kernel. W [m, D] stacks orthogonalised Gaussian blocks whose rows are rescaled to
/// χ_D-distributed norms (the paper's orthogonal random features, lower variance than i.i.d. rows).
///
/// Overflow cannot happen for keys: W·x′ − ‖x′‖²/2 ≤ ‖w‖²/2 for every x′, so the exponent is bounded by
/// the largest row norm of W. For queries the per-row maximum is subtracted (a constant factor per
/// query cancels between numerator and denominator); keys keep the raw exponent because recurrent
/// decoding sums them one step at a time and a shared constant would change as keys arrive.
/// The same W serves the parallel and the recurrent forms; `resample(using:)` draws a new one.
public struct RandomFeatures: FeatureMap {
    public private(set) var projection: Tensor  // W [m, D]
    public let features: Int, headDim: Int

    public init(features: Int, headDim: Int, using rng: inout RandomGenerator) {
        precondition(features > 0 && headDim > 0, "random features: need m > 0 and D > 0, got m = \(features), D = \(headDim)")
        self.features = features
        self.headDim = headDim
        projection = Self.orthogonalGaussian(rows: features, columns: headDim, using: &rng)
    }

    public mutating func resample(using rng: inout RandomGenerator) {
        projection = Self.orthogonalGaussian(rows: features, columns: headDim, using: &rng)
    }

    public func queries(_ x: Tensor) -> Tensor {
        let e = exponent(x)  // [B, H, N, m]
        return (e - e.detached().max(axis: -1, keepDims: true)).exp() * (1 / Double(features).squareRoot())
    }

    public func keys(_ x: Tensor) -> Tensor {
        exponent(x).exp() * (1 / Double(features).squareRoot())
    }

    /// W·x′ − ‖x′‖²/2 for x [.., D] → [.., m].
    func exponent(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == headDim, "random features: inputs \(x.shape) do not end in head size \(headDim)")
        let scaled = x * pow(Double(headDim), -0.25)
        let w = projection.to(x.dtype)
        let flat = scaled.reshaped([x.count / headDim, headDim])
        let proj = matmul(flat, w, transposeB: true).reshaped(Array(x.shape.dropLast()) + [features])
        return proj - (scaled * scaled).sum(axis: -1, keepDims: true) * 0.5
    }

    /// [rows, columns] made of ⌈rows/columns⌉ Gaussian blocks orthogonalised by Gram–Schmidt, each
    /// row rescaled to the norm of an independent Gaussian vector.
    static func orthogonalGaussian(rows: Int, columns d: Int, using rng: inout RandomGenerator) -> Tensor {
        var out: [Double] = []
        out.reserveCapacity(rows * d)
        while out.count < rows * d {
            var block = (0..<(d * d)).map { _ in rng.nextNormal() }
            for i in 0..<d {
                for j in 0..<i {
                    var dot = 0.0
                    for t in 0..<d { dot += block[i * d + t] * block[j * d + t] }
                    for t in 0..<d { block[i * d + t] -= dot * block[j * d + t] }
                }
                var norm = 0.0
                for t in 0..<d { norm += block[i * d + t] * block[i * d + t] }
                norm = norm.squareRoot()
                for t in 0..<d { block[i * d + t] /= Swift.max(norm, 1e-12) }
            }
            for i in 0..<d where out.count < rows * d {
                var chi = 0.0
                for _ in 0..<d { let g = rng.nextNormal(); chi += g * g }
                out.append(contentsOf: block[(i * d)..<((i + 1) * d)].map { $0 * chi.squareRoot() })
            }
        }
        return Tensor(doubles: out, shape: [rows, d]).to(.float32)
    }
}
