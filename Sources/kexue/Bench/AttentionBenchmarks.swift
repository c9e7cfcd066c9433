import Kexue
import KexueText

/// Softmax vs linear attention, forward + backward, over sequence length (METHODS.md §3 (d)):
/// batch 1, 8 heads, head size 64, n = 256…16384. Softmax materialises [H, n, n] scores (2 GB per
/// copy at n = 8192), so lengths above `maxSoftmaxN` print a `skipped` line instead of a time.
enum AttentionBenchmarks {
    static let lengths = [256, 512, 1024, 2048, 4096, 8192, 16384]

    static func linearAttention(repeat count: Int, maxN: Int, maxSoftmaxN: Int) throws -> [BenchRecord] {
        var records: [BenchRecord] = []
        let heads = 8, d = 64
        for n in lengths where n <= maxN {
            var rng = RandomGenerator(seed: UInt64(n))
            let q = Tensor.normal([1, heads, n, d], std: 0.5, using: &rng).requiringGrad()
            let k = Tensor.normal([1, heads, n, d], std: 0.5, using: &rng).requiringGrad()
            let v = Tensor.normal([1, heads, n, d], using: &rng).requiringGrad()
            let g = Tensor.normal([1, heads, n, d], using: &rng)
            for attention in ["softmax", "linear"] {
                for causal in [false, true] {
                    let config: [String: Any] = ["n": n, "d": d, "heads": heads, "attention": attention, "causal": causal]
                    if attention == "softmax" && n > maxSoftmaxN {
                        var r = BenchRecord(bench: "linear-attention", config: config, medianMs: 0)
                        r.extra["skipped"] = "softmax scores [\(heads), \(n), \(n)] exceed the memory budget (n > \(maxSoftmaxN))"
                        records.append(r)
                        continue
                    }
                    let body: () throws -> Tensor
                    if attention == "softmax" {
                        let bias = causal ? AttentionMask.causal(keyMask: nil).bias(batch: 1, queries: n, keys: n, dtype: .float32) : nil
                        body = { scaledDotProductAttention(query: q, key: k, value: v, bias: bias) }
                    } else {
                        let mask: AttentionMask = causal ? .causal(keyMask: nil) : .padding(keyMask: nil)
                        body = { try KexueText.linearAttention(query: q, key: k, value: v, mask: mask) }
                    }
                    var failure: Error?
                    let reps = n >= 4096 ? min(count, 3) : count
                    let ms = medianMilliseconds(repeat: reps, warmup: 1) {
                        do { _ = gradients(of: try body(), wrt: [q, k, v], seed: g) } catch { failure = error }
                    }
                    if let failure { throw failure }
                    records.append(BenchRecord(bench: "linear-attention", config: config, medianMs: ms, rate: nil))
                }
            }
        }
        return records
    }
}
