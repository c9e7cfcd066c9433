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

    /// The seed of batch `index`'s importance samples: a batch draws the same samples whichever
    /// process, shard or resumed run evaluates it.
    public static func batchSeed(_ seed: UInt64, batch index: Int) -> UInt64 {
        seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)
    }

    /// log p̂_k(x) of each image of batch `index` of `data` (batches of `batchSize` in order): [count].
    public static func batchLogLikelihoods(_ model: some LatentVariableModel, data: ImageDataset, batch index: Int,
                                           batchSize: Int, k: Int, seed: UInt64) -> [Double] {
        let idx = Array(index * batchSize..<min((index + 1) * batchSize, data.count))
        precondition(!idx.isEmpty, "VAEEvaluation: batch \(index) of size \(batchSize) lies beyond the \(data.count) images")
        var rng = RandomGenerator(seed: batchSeed(seed, batch: index))
        // k samples in chunks of ~500 image copies: large products, bounded memory.
        return importanceLogLikelihood(model, x: data.batch(idx).images, k: k, chunk: max(1, 500 / batchSize), using: &rng)
    }

    /// One-sample statistics over all of `data`: NELBO and KL per group (nats per image) and
    /// Burda's active units per group from the posterior means.
    public static func oneSampleSummary(_ model: some LatentVariableModel, data: ImageDataset, batchSize: Int = 100,
                                        seed: UInt64 = 0) -> (nelbo: Double, klPerGroup: [Double], activeUnits: [Int], unitsPerGroup: [Int]) {
        precondition(data.count > 0, "VAEEvaluation: empty data set")
        model.eval()
        var rng = RandomGenerator(seed: seed)
        var nelboSum = 0.0
        var klSums: [Double] = []
        var means: [[Tensor]] = []
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
            start += idx.count
        }
        let n = Double(data.count)
        return (nelboSum / n, klSums.map { $0 / n }, means.map { activeUnits(concat($0, axis: 0)) }, means.map { $0[0].shape[1] })
    }

    /// Evaluates on `data` (already binarised): IW-NLL batch by batch (`done` supplies batches
    /// finished earlier, e.g. from a journal; `finished` hears of each new one), then the
    /// one-sample summary.
    public static func evaluate(_ model: some LatentVariableModel, data: ImageDataset, k: Int, batchSize: Int = 100,
                                seed: UInt64 = 0, progress: Bool = false, done: [Int: [Double]] = [:],
                                finished: (Int, [Double]) throws -> Void = { _, _ in }) rethrows -> Result {
        precondition(data.count > 0, "VAEEvaluation: empty data set")
        model.eval()
        let batches = (data.count + batchSize - 1) / batchSize
        var logP = done
        let bar = progress ? Progress(total: data.count, label: "eval k=\(k) (images)", every: 1, startingAt: 0) : nil
        var images = 0, nllSum = 0.0
        for b in 0..<batches {
            let values: [Double]
            if let known = logP[b] { values = known } else {
                values = batchLogLikelihoods(model, data: data, batch: b, batchSize: batchSize, k: k, seed: seed)
                logP[b] = values
                try finished(b, values)
            }
            images += values.count
            nllSum -= values.reduce(0, +)
            bar?.update(step: images, [("nll", nllSum / Double(images))])
        }
        let summary = oneSampleSummary(model, data: data, batchSize: batchSize, seed: seed)
        let nll = nllSum / Double(data.count)
        return Result(images: data.count, k: k, nelbo: summary.nelbo, nll: nll, bitsPerDim: nll / (784 * Foundation.log(2.0)),
                      klPerGroup: summary.klPerGroup, activeUnits: summary.activeUnits, unitsPerGroup: summary.unitsPerGroup)
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
