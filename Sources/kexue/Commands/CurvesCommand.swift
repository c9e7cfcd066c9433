import ArgumentParser
import Foundation
import KexueNN

extension TrainingCurves.Axis: ExpressibleByArgument {}

/// `kexue curves RUN…`: one metric of several runs on one PNG, e.g. the NVAE and the conv VAE
/// baseline against training minutes when both had the same time budget.
struct CurvesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curves",
        abstract: "Plot one metric of several runs (their metrics.jsonl) on one PNG, against steps or training minutes; prints each curve's end point as JSON.")

    @Argument(help: "Run folders (holding metrics.jsonl) or metrics.jsonl files.") var runs: [String]
    @Option(help: "Metric name as logged (loss, nelbo, kl, accuracy, …).") var metric = "loss"
    @Option(help: "Split of the metric: train, validation or test.") var split = "train"
    @Option(help: "x axis: step or minutes (training wall time, cumulative across resumes).") var x: TrainingCurves.Axis = .step
    @Option(help: "Moving mean over this many points (1: raw values).") var smoothing = 50
    @Option(help: "Leave out smoothed values above this (the first steps can dwarf the rest).") var yMax: Double?
    @Flag(help: "Logarithmic y axis.") var logY = false
    @Option(parsing: .singleValue, help: "Legend label per run, in order (default: the run folder's name).") var label: [String] = []
    @Option(help: "Figure title.") var title: String?
    @Option(help: "PNG to write.") var output: String

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one run folder or metrics.jsonl") }
        guard label.isEmpty || label.count == runs.count else {
            throw ValidationError("\(label.count) --label values for \(runs.count) runs")
        }
        guard smoothing >= 1 else { throw ValidationError("--smoothing must be ≥ 1, got \(smoothing)") }
    }

    func run() throws {
        var inputs: [(label: String, metrics: URL)] = []
        for (i, path) in runs.enumerated() {
            var url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path): no such run folder or file")
            }
            if isDirectory.boolValue { url.appendPathComponent("metrics.jsonl") }
            guard FileManager.default.fileExists(atPath: url.path) else { throw ValidationError("\(path): no metrics.jsonl in this folder") }
            let name = isDirectory.boolValue ? URL(fileURLWithPath: path).lastPathComponent : url.deletingLastPathComponent().lastPathComponent
            inputs.append((label.isEmpty ? name : label[i], url))
        }
        let curves = try TrainingCurves.compare(runs: inputs, name: metric, split: split, x: x, smoothing: smoothing,
                                                yMax: yMax, logY: logY, title: title ?? "\(split) \(metric)",
                                                to: URL(fileURLWithPath: output))
        for c in curves {
            var object: [String: Any] = ["run": c.label, "metric": metric, "split": split, "points": c.points,
                                         "last_step": c.lastStep, "final_mean": c.finalMean]
            if let m = c.lastMinutes { object["last_minutes"] = (m * 10).rounded() / 10 }
            printJSON(object)
        }
    }
}
