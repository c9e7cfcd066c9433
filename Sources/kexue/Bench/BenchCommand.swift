import ArgumentParser
import Kexue

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run benchmarks; prints one JSON object per line (compare with benchmarks/compare.py).",
        discussion: "Names: \(Bench.names.joined(separator: ", ")). Run on an idle machine; quote ratios against the PyTorch peer, not absolute times."
    )

    static let names = ["matmul", "softmax", "layernorm", "gelu", "cnn-step", "bert-forward", "bert-train", "theseus-forward", "ig", "linear-attention", "decode", "qg-decode", "nvae-step"]

    @Argument(help: "Benchmarks to run (default: all).")
    var benchmarks: [String] = []

    @Option(help: "Threads for kernels and BLAS (default: KEXUE_THREADS or all cores).")
    var threads: Int?

    @Option(name: .customLong("repeat"), help: "Timed repetitions per configuration (median reported).")
    var repetitions = 20

    @Option(help: "linear-attention: the longest sequence to time (256…16384).")
    var maxN = 16384

    @Option(help: "linear-attention: the longest sequence for softmax attention (its scores are [8, n, n]).")
    var maxSoftmaxN = 8192

    @Option(parsing: .upToNextOption, help: "matmul: time these shapes instead of the standard set, each M×K×N or BATCH×M×K×N written with x (e.g. 256x256x256 96x128x32x128).")
    var shapes: [String] = []

    func validate() throws {
        for s in shapes where CoreBenchmarks.matmulCase(s) == nil {
            throw ValidationError("--shapes: '\(s)' is not M×K×N or BATCH×M×K×N with positive sizes (e.g. 256x256x256)")
        }
        for b in benchmarks where !Bench.names.contains(b) {
            throw ValidationError("unknown benchmark '\(b)'; known: \(Bench.names.joined(separator: ", "))")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        if repetitions < 1 { throw ValidationError("--repeat must be ≥ 1, got \(repetitions)") }
    }

    func run() throws {
        if let threads { Runtime.threads = threads }
        BenchEnvironment.env["threads"] = Runtime.threads
        for name in benchmarks.isEmpty ? Bench.names : benchmarks {
            let records: [BenchRecord]
            switch name {
            case "matmul":
                records = CoreBenchmarks.matmul(repeat: repetitions,
                                                cases: shapes.isEmpty ? CoreBenchmarks.matmulCases : shapes.compactMap(CoreBenchmarks.matmulCase))
            case "softmax": records = CoreBenchmarks.rowOp("softmax", repeat: repetitions) { $0.softmax() }
            case "layernorm": records = CoreBenchmarks.rowOp("layernorm", repeat: repetitions, CoreBenchmarks.layerNormOp())
            case "gelu": records = CoreBenchmarks.rowOp("gelu", repeat: repetitions) { $0.gelu() }
            case "cnn-step": records = ModelBenchmarks.cnnStep(repeat: min(repetitions, 10))
            case "bert-forward": records = try ModelBenchmarks.bertForward(repeat: min(repetitions, 10))
            case "bert-train": records = try ModelBenchmarks.bertTrain(repeat: min(repetitions, 10))
            case "theseus-forward": records = try TheseusBenchmark.forward(repeat: min(repetitions, 10))
            case "ig": records = try ExplainBenchmarks.ig(repeat: min(repetitions, 5))
            case "linear-attention":
                records = try AttentionBenchmarks.linearAttention(repeat: min(repetitions, 5), maxN: maxN, maxSoftmaxN: maxSoftmaxN)
            case "decode": records = try DecodingBenchmarks.decode(repeat: min(repetitions, 20))
            case "qg-decode": records = try QGBenchmark.decode(repeat: min(repetitions, 5))
            case "nvae-step": records = NVAEBenchmarks.step(repeat: min(repetitions, 5))
            default: continue
            }
            for r in records { print(r.json()) }
        }
    }
}
