import Kexue

/// Kernel benchmarks of the tensor engine: matmul through the tensor API, and the fused
/// softmax / layer norm / GELU forward and backward over a BERT-sized activation.
enum CoreBenchmarks {
    struct MatmulCase { let batch, m, k, n: Int; let transA, transB: Bool }

    static let matmulCases: [MatmulCase] = {
        var cases: [MatmulCase] = [256, 512, 1024, 2048].map { MatmulCase(batch: 1, m: $0, k: $0, n: $0, transA: false, transB: false) }
        for (m, k, n) in [(1024, 384, 384), (1024, 384, 1536), (1024, 1536, 384)] {
            cases.append(MatmulCase(batch: 1, m: m, k: k, n: n, transA: false, transB: false))
            cases.append(MatmulCase(batch: 1, m: m, k: k, n: n, transA: false, transB: true))
        }
        cases.append(MatmulCase(batch: 1, m: 1024, k: 384, n: 1536, transA: true, transB: false))
        cases.append(MatmulCase(batch: 96, m: 128, k: 32, n: 128, transA: false, transB: false))
        cases.append(MatmulCase(batch: 96, m: 128, k: 128, n: 32, transA: false, transB: false))
        return cases
    }()

    /// Parses `M×K×N` or `BATCH×M×K×N` (with `x`), e.g. "256x256x256", "96x128x32x128".
    static func matmulCase(_ text: String) -> MatmulCase? {
        let parts = text.lowercased().split(separator: "x").map { Int($0) }
        guard parts.allSatisfy({ ($0 ?? 0) >= 1 }), parts.count == 3 || parts.count == 4 else { return nil }
        let v = parts.map { $0! }
        return v.count == 3 ? MatmulCase(batch: 1, m: v[0], k: v[1], n: v[2], transA: false, transB: false)
                            : MatmulCase(batch: v[0], m: v[1], k: v[2], n: v[3], transA: false, transB: false)
    }

    static func matmul(repeat count: Int, cases: [MatmulCase] = matmulCases) -> [BenchRecord] {
        var rng = RandomGenerator(seed: 0)
        return cases.map { c in
            let aShape = c.transA ? [c.k, c.m] : [c.m, c.k]
            let bShape = c.transB ? [c.n, c.k] : [c.k, c.n]
            let batchDims = c.batch > 1 ? [c.batch] : []
            let a = Tensor.normal(batchDims + aShape, using: &rng)
            let b = Tensor.normal(batchDims + bShape, using: &rng)
            let ms = medianMilliseconds(repeat: count) { _ = Kexue.matmul(a, b, transposeA: c.transA, transposeB: c.transB) }
            let flops = 2.0 * Double(c.batch * c.m * c.k * c.n)
            return BenchRecord(bench: "matmul",
                               config: ["batch": c.batch, "m": c.m, "k": c.k, "n": c.n, "transA": c.transA, "transB": c.transB],
                               medianMs: ms, rate: ("gflops", flops / ms / 1e6))
        }
    }

    /// Forward and backward of a pointwise/row op over [8, 128, 1536]. Bytes moved: forward reads
    /// x and writes y (2 tensors); backward reads x (or y) and g and writes dx (3 tensors).
    static func rowOp(_ name: String, repeat count: Int, _ f: @escaping (Tensor) -> Tensor) -> [BenchRecord] {
        let shape = [8, 128, 1536]
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.normal(shape, using: &rng).requiringGrad()
        let g = Tensor.normal(shape, using: &rng)
        let bytes = Double(x.count * 4)
        let forward = medianMilliseconds(repeat: count) { _ = withoutGrad { f(x) } }
        let y = f(x)
        let backward = medianMilliseconds(repeat: count) { _ = gradients(of: y, wrt: [x], seed: g) }
        return [
            BenchRecord(bench: name, config: ["shape": shape, "pass": "forward"], medianMs: forward,
                        rate: ("gbps", 2 * bytes / forward / 1e6)),
            BenchRecord(bench: name, config: ["shape": shape, "pass": "backward"], medianMs: backward,
                        rate: ("gbps", 3 * bytes / backward / 1e6)),
        ]
    }

    static func layerNormOp() -> (Tensor) -> Tensor {
        let w = Tensor.ones([1536]).requiringGrad(), b = Tensor.zeros([1536]).requiringGrad()
        return { x in layerNorm(x, weight: w, bias: b, eps: 1e-12) }
    }
}
