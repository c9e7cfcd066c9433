import Foundation
import Kexue
import KexueNN

/// Evaluation of a trained VAE in eval mode (running BN statistics, never batch or re-estimated
/// ones): NELBO, importance-weighted NLL and Burda's active units.
public enum VAEEvaluation {
    public struct Result: Sendable {
        public let images: Int
        public let k: Int
        public let nelbo: Double            // nats per image, one sample
        public let nll: Double              // −mean log p̂_k(x), nats
        public let bitsPerDim: Double       // nll / (784·ln 2)
        public let klPerGroup: [Double]
        public let activeUnits: [Int]       // per group
        public let unitsPerGroup: [Int]
    }

    /// log p̂_k(x) = logsumexp_i[log p(x|z_i) + log p(z_i) − log q(z_i|x)] − log k, z_i ~ q(z|x),
    /// for binary x [N, 1, 28, 28]: [N]. The k samples run in chunks of `chunk` copies of the batch.
    public static func importanceLogLikelihood(_ model: some LatentVariableModel, x: Tensor, k: Int, chunk: Int = 1,
                                               using rng: inout RandomGenerator) -> [Double] {
        logWeights(model, x: x, k: k, chunk: chunk, using: &rng).map { w in
            let mx = w.max()!
            return mx + Foundation.log(w.reduce(0) { $0 + Foundation.exp($1 - mx) }) - Foundation.log(Double(w.count))
        }
    }

    /// The k importance log-weights log p(x|z_i) + log p(z_i) − log q(z_i|x) per image: [N][k].
    public static func logWeights(_ model: some LatentVariableModel, x: Tensor, k: Int, chunk: Int = 1,
                                  using rng: inout RandomGenerator) -> [[Double]] {
        precondition(k >= 1, "importance sampling: k must be ≥ 1, got \(k)")
        let n = x.shape[0]
        var weights = [[Double]](repeating: [], count: n)
        var done = 0
        while done < k {
            let m = min(max(chunk, 1), k - done)
            let xs = repeatedBatch(x, m)  // [m·N, 1, 28, 28]
            let pass = withoutGrad { model.pass(x, samples: m, using: &rng) }  // the encoder once, m samples
            let logW = withoutGrad { pass.logLikelihood(xs) + pass.logP - pass.logQ }.doubles  // [m·N]
            for j in 0..<m { for i in 0..<n { weights[i].append(logW[j * n + i]) } }
            done += m
        }
        return weights
    }

    /// Evaluates on `data` (already binarised) in batches.
    public static func evaluate(_ model: some LatentVariableModel, data: ImageDataset, k: Int, batchSize: Int = 100,
                                seed: UInt64 = 0, progress: Bool = false) -> Result {
        precondition(data.count > 0, "VAEEvaluation: empty data set")
        model.eval()
        var rng = RandomGenerator(seed: seed)
        var nelboSum = 0.0, nllSum = 0.0
        var klSums: [Double] = []
        var means: [[Tensor]] = []
        let chunk = max(1, 500 / batchSize)
        let bar = progress ? Progress(total: data.count, label: "eval k=\(k) (images)", every: 1, startingAt: 0) : nil
        var start = 0
        while start < data.count {
            let idx = Array(start..<min(start + batchSize, data.count))
            let x = data.batch(idx).images
            let pass = withoutGrad { model.pass(x, using: &rng) }
            let recon = withoutGrad { 0 - pass.logLikelihood(x) }.doubles
            let kls = pass.kl.map { $0.doubles }
            if klSums.isEmpty { klSums = Array(repeating: 0, count: kls.count); means = Array(repeating: [], count: kls.count) }
            for i in 0..<idx.count { nelboSum += recon[i] + kls.reduce(0) { $0 + $1[i] } }
            for l in 0..<kls.count { klSums[l] += kls[l].reduce(0, +); means[l].append(pass.posteriorMeans[l]) }
            nllSum -= importanceLogLikelihood(model, x: x, k: k, chunk: chunk, using: &rng).reduce(0, +)
            start += idx.count
            bar?.update(step: start, [("nll", nllSum / Double(start))])
        }
        let n = Double(data.count)
        let active = means.map { activeUnits(concat($0, axis: 0)) }
        let nll = nllSum / n
        return Result(images: data.count, k: k, nelbo: nelboSum / n, nll: nll, bitsPerDim: nll / (784 * Foundation.log(2.0)),
                      klPerGroup: klSums.map { $0 / n }, activeUnits: active, unitsPerGroup: means.map { $0[0].shape[1] })
    }

    /// Burda et al.'s active units: dimensions u with Cov_x(E_q[z_u]) > threshold, from posterior
    /// means [N, D].
    public static func activeUnits(_ means: Tensor, threshold: Double = 0.01) -> Int {
        let (n, d) = (means.shape[0], means.shape[1])
        guard n > 1 else { return 0 }
        let v = means.doubles
        var count = 0
        for j in 0..<d {
            var s = 0.0, s2 = 0.0
            for i in 0..<n { let a = v[i * d + j]; s += a; s2 += a * a }
            let mean = s / Double(n)
            if s2 / Double(n) - mean * mean > threshold { count += 1 }
        }
        return count
    }
}
