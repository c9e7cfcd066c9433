import ArgumentParser
import Foundation
import Kexue

/// Options every training command shares.
struct RunOptions: ParsableArguments {
    @Option(help: "Run name: the folder under $KEXUE_HOME/runs (or --runs-dir).")
    var name: String?

    @Option(help: "Folder holding run folders (default: $KEXUE_HOME/runs).")
    var runsDir: String?

    @Flag(help: "Continue the run from its latest checkpoint.")
    var resume = false

    @Flag(help: "Delete an existing run folder of the same name first.")
    var fresh = false

    @Option(help: "Random seed (initialisation, shuffling, dropout).")
    var seed: UInt64 = 0

    @Option(help: "Threads for kernels and BLAS (default: KEXUE_THREADS or all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        if fresh && resume { throw ValidationError("--fresh and --resume exclude each other") }
    }

    func apply() { if let threads { Runtime.threads = threads } }

    func runDirectory(default defaultName: String) -> URL {
        let base = runsDir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? KexueHome.runs
        let dir = base.appendingPathComponent(name ?? defaultName, isDirectory: true)
        if fresh { try? FileManager.default.removeItem(at: dir) }
        return dir
    }
}

/// Prints one JSON object on stdout (machine-readable results, DESIGN.md §5).
/// Non-finite numbers, which JSON cannot hold, are written as strings ("nan", "inf").
/// A path as a run's config.json records it: absolute and standardised, so resuming from another
/// working directory, or naming the same file another way, still matches the saved config.
func recordedPath(_ path: String) -> String {
    URL(fileURLWithPath: path).absoluteURL.standardized.path
}

func printJSON(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: jsonSafe(object), options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

/// `object` with non-finite numbers replaced by strings, for JSONSerialization.
func jsonSafeSummary(_ object: [String: Any]) -> [String: Any] { jsonSafe(object) as! [String: Any] }

private func jsonSafe(_ value: Any) -> Any {
    switch value {
    case let d as Double: return d.isFinite ? d : String(d)
    case let a as [Any]: return a.map(jsonSafe)
    case let o as [String: Any]: return o.mapValues(jsonSafe)
    default: return value
    }
}

/// `--shard K/N` of the resumable evaluations (`qg eval`, `nvae eval`): this process takes share K
/// (0-based) of N; the shares meet in one `--journal`.
enum Shard {
    static func parse(_ text: String?) throws -> (k: Int, n: Int)? {
        guard let text else { return nil }
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let k = parts[0], let n = parts[1], n >= 1, (0..<n).contains(k) else {
            throw ValidationError("--shard must be K/N with 0 ≤ K < N, got '\(text)'")
        }
        return (k, n)
    }
}
