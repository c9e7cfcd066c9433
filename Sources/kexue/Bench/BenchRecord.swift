import Foundation
import Kexue

/// One benchmark result, printed as one JSON line (DESIGN.md §7); `benchmarks/peer_*.py`
/// prints the same shape for PyTorch and `benchmarks/compare.py` pairs them by (bench, config).
struct BenchRecord {
    var bench: String
    var config: [String: Any]
    var medianMs: Double
    /// "gflops" or "gbps" and its value.
    var rate: (String, Double)?
    var extra: [String: Any] = [:]

    func json() -> String {
        var object: [String: Any] = ["bench": bench, "config": config, "median_ms": medianMs,
                                     "peak_mb": BenchEnvironment.peakMegabytes(), "env": BenchEnvironment.env]
        if let (k, v) = rate { object[k] = v }
        for (k, v) in extra { object[k] = v }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

enum BenchEnvironment {
    nonisolated(unsafe) static var env: [String: Any] = [
        "impl": "kexue", "commit": commit(), "threads": Runtime.threads, "blas": BLAS.config, "cpu": cpuModel(),
    ]

    static func commit() -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "unknown" }
        p.waitUntilExit()
        let s = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? "unknown" : s
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }

    /// Peak resident memory of the process so far, in MB.
    static func peakMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

/// Median wall time of `body` in milliseconds over `repeat` runs after at least `warmup` runs and
/// `warmupSeconds` of them. The time matters for sub-millisecond kernels: right after MKL's OpenMP
/// team starts, the kernel sometimes leaves its worker on the caller's core until load balancing
/// moves it, and a 256³ product then takes 0.57 ms instead of 0.12 for the first few ms (seen in
/// 1 of 4–10 processes; never after 1,000 calls). The PyTorch peers likewise time ≥ 5 ms per repetition.
func medianMilliseconds(repeat count: Int, warmup: Int = 3, warmupSeconds: Double = 0.2, _ body: () -> Void) -> Double {
    let warmupStart = DispatchTime.now().uptimeNanoseconds
    var warmed = 0
    while warmed < warmup || Double(DispatchTime.now().uptimeNanoseconds - warmupStart) / 1e9 < warmupSeconds {
        body()
        warmed += 1
    }
    var times: [Double] = []
    for _ in 0..<count {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}
