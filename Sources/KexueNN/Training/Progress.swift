import Foundation

/// Progress on stderr (DESIGN.md §5): on a terminal one updating line with step/total, loss,
/// rate and ETA; otherwise (logs, CI) a plain line every `every` steps and at the end.
public final class Progress {
    public let total: Int
    public let label: String
    private let every: Int
    private let isTerminal: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    /// The step this process started from (a resumed run's rate counts only its own steps).
    private var firstStep: Int?

    /// `startingAt`: the step this process starts from, when updates advance by more than one
    /// step at a time (by default the first update is taken to be one step past the start).
    public init(total: Int, label: String, every: Int = 50, startingAt: Int? = nil) {
        self.total = total
        self.label = label
        self.every = Swift.max(1, every)
        isTerminal = isatty(STDERR_FILENO) != 0
        firstStep = startingAt
    }

    /// Reports that `step` of `total` is done; `values` are shown as name=value.
    public func update(step: Int, _ values: [(String, Double)] = []) {
        if firstStep == nil { firstStep = step - 1 }
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(step - firstStep!) / Swift.max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - step) / rate : 0
        let shown = values.map { "\($0.0)=\(Progress.format($0.1))" }.joined(separator: " ")
        let line = "\(label) \(step)/\(total) \(shown) \(String(format: "%.1f", rate))/s eta \(Progress.duration(eta))"
        if isTerminal {
            guard step == total || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (step == total ? "\n" : "")).utf8))
        } else if step % every == 0 || step == total {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// A plain message on its own line (clearing an updating line first).
    public static func note(_ message: String) {
        let prefix = isatty(STDERR_FILENO) != 0 ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }

    static func format(_ v: Double) -> String {
        v.magnitude >= 1e4 || (v.magnitude < 1e-3 && v != 0) ? String(format: "%.3e", v) : String(format: "%.4f", v)
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t % 3600 / 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
