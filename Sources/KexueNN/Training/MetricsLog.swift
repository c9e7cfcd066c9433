import Foundation

/// Appends metrics as JSON lines: `{"step", "epoch", "split", "name", "value", "time"}`.
/// Each line is written with one `write` call and flushed, so a crash loses at most the line
/// being written; on resume, lines past the restored step are dropped first, and `time` goes on
/// from the last kept line, so it is the run's training wall time across resumes (what a
/// time-budget comparison of runs plots), not the time since the latest process started.
public final class MetricsLog {
    public let url: URL
    private let handle: FileHandle
    private let start: Date

    public init(url: URL, truncateAfterStep step: Int? = nil) throws {
        self.url = url
        let fm = FileManager.default
        if !fm.fileExists(atPath: url.path) { fm.createFile(atPath: url.path, contents: nil) }
        var elapsed = 0.0
        if let step {
            let kept = try MetricsLog.read(url).filter { $0.step <= step }
            let text = kept.map(\.line).joined(separator: "\n") + (kept.isEmpty ? "" : "\n")
            try AtomicFile.write(Data(text.utf8), to: url)
            elapsed = kept.compactMap(\.time).max() ?? 0
        }
        start = Date(timeIntervalSinceNow: -elapsed)
        guard let h = FileHandle(forWritingAtPath: url.path) else {
            throw TrainingError.io("cannot open \(url.path) for writing")
        }
        handle = h
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    public func log(step: Int, epoch: Int, split: String, name: String, value: Double) {
        let object: [String: Any] = ["step": step, "epoch": epoch, "split": split, "name": name,
                                     "value": value.isFinite ? value : String(value),
                                     "time": (Date().timeIntervalSince(start) * 1000).rounded() / 1000]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        handle.write(data + Data("\n".utf8))
    }

    public struct Entry {
        public let step: Int
        public let epoch: Int
        public let split: String
        public let name: String
        public let value: Double
        /// Seconds of training wall time when the value was logged (nil in files written without it).
        public let time: Double?
        let line: String
    }

    /// Reads a metrics file (for curves and resume).
    public static func read(_ url: URL) throws -> [Entry] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = obj["step"] as? Int, let name = obj["name"] as? String else { return nil }
            let value = (obj["value"] as? Double) ?? Double((obj["value"] as? String) ?? "") ?? .nan
            return Entry(step: step, epoch: obj["epoch"] as? Int ?? 0, split: obj["split"] as? String ?? "",
                         name: name, value: value, time: (obj["time"] as? NSNumber)?.doubleValue, line: String(line))
        }
    }
}

public enum TrainingError: Error, CustomStringConvertible {
    case io(String)
    case nonFinite(String)
    case badCheckpoint(String)
    case badConfig(String)

    public var description: String {
        switch self {
        case .io(let m), .nonFinite(let m), .badCheckpoint(let m), .badConfig(let m): return m
        }
    }
}
