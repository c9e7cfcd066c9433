import Foundation

/// Summary of a `LongTailExperiment` over seeds: balanced error mean ± std per method, recall per
/// shot group, paired differences against plain cross-entropy, and the figures.
public struct LongTailReport {
    public let name: String
    public let classNames: [String]
    public let results: [LongTailExperiment.SeedResult]
    public let methods = LongTailExperiment.Method.allCases

    public init(name: String, classNames: [String], results: [LongTailExperiment.SeedResult]) throws {
        guard let first = results.first else { throw TrainingError.badConfig("long-tail report: no finished seeds") }
        for r in results {
            for m in LongTailExperiment.Method.allCases where r.methods[m.rawValue] == nil {
                throw TrainingError.badConfig("long-tail report: seed \(r.seed) lacks method \(m.rawValue)")
            }
        }
        _ = first
        self.name = name
        self.classNames = classNames
        self.results = results
    }

    func values(_ m: LongTailExperiment.Method, _ f: (LongTailExperiment.Evaluation) -> Double) -> [Double] {
        results.map { f($0.methods[m.rawValue]!) }
    }

    /// Mean, sample standard deviation and standard error.
    static func stats(_ v: [Double]) -> (mean: Double, std: Double, se: Double) {
        let n = Double(v.count), mean = v.reduce(0, +) / n
        let std = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot() : 0
        return (mean, std, std / n.squareRoot())
    }

    /// BER(CE) − BER(method) per seed, its mean and standard error; `clears` when mean > 2·SE.
    public func pairedImprovement(_ m: LongTailExperiment.Method) -> (mean: Double, se: Double, clears: Bool) {
        let ce = values(.crossEntropy, \.balancedError), other = values(m, \.balancedError)
        let s = Self.stats(zip(ce, other).map { $0 - $1 })
        // One seed has no spread to compare against: never claimed as clearing the bar.
        return (s.mean, s.se, ce.count >= 2 && s.mean > 2 * s.se)
    }

    /// Many / medium / few-shot groups (Liu et al.) and count terciles, from seed 0's counts (the
    /// counts are the same formula for every seed).
    var groups: [(name: String, classes: [Int])] {
        let counts = results[0].trainCounts
        let liu = ShotGroups.byCount(counts), t = ShotGroups.terciles(counts)
        return [("many (>100)", liu.many), ("medium (20–100)", liu.medium), ("few (<20)", liu.few),
                ("head third", t.head), ("middle third", t.middle), ("tail third", t.tail)]
    }

    public var markdown: String {
        func pct(_ x: Double) -> String { String(format: "%.2f", 100 * x) }
        let seeds = results.map { String($0.seed) }.joined(separator: ", ")
        var s = "### \(name)-LT, ρ = 100: balanced error on the balanced test set (%), seeds \(seeds)\n\n"
        s += "Training counts per class: \(results[0].trainCounts.map(String.init).joined(separator: ", ")).\n\n"
        let shown = groups.filter { !$0.classes.isEmpty }
        s += "| method | balanced error | accuracy | " + shown.map { "recall \($0.name)" }.joined(separator: " | ") + " | BER gain vs (a), paired ± SE |\n"
        s += "|---|---|---|" + String(repeating: "---|", count: shown.count) + "---|\n"
        for m in methods {
            let ber = Self.stats(values(m, \.balancedError)), acc = Self.stats(values(m, \.accuracy))
            var row = "| \(m.title) | \(pct(ber.mean)) ± \(pct(ber.std)) | \(pct(acc.mean)) ± \(pct(acc.std)) | "
            for g in shown {
                let r = Self.stats(values(m) { e in g.classes.map { e.perClassAccuracy[$0] }.reduce(0, +) / Double(g.classes.count) })
                row += "\(pct(r.mean)) | "
            }
            if m == .crossEntropy { row += "— |" } else {
                let p = pairedImprovement(m)
                row += "\(pct(p.mean)) ± \(pct(p.se))\(p.clears ? " ✓" : "") |"
            }
            s += row + "\n"
        }
        if let tuned = results.first?.methods[LongTailExperiment.Method.posthocTuned.rawValue]?.tau {
            s += "\nτ tuned on validation (seed \(results[0].seed)): \(tuned). ✓: the mean paired gain exceeds twice its standard error. "
        }
        s += "Empty shot groups are omitted (with ρ = 100 the rarest class still has ≥ 20 images).\n"
        return s
    }

    /// Per-class recall of each method (mean over seeds, ± std), one bar per method.
    public func perClassChart() throws -> BarChart {
        let counts = results[0].trainCounts
        // Short names ("T-shirt/top" → "T-shirt") so that the label and its count fit under the bars.
        let short = classNames.map { $0.split(separator: "/").first.map(String.init) ?? $0 }
        var chart = BarChart(categories: short.enumerated().map { "\($1) (\(counts[$0]))" },
                             title: "\(name)-LT (rho = 100): per-class test recall, mean of \(results.count) seeds",
                             xLabel: "class (training images)", yLabel: "recall", width: 1100, height: 520)
        chart.valueAxisAtLeast = 1.25   // the legend sits above the bars
        for m in [LongTailExperiment.Method.crossEntropy, .posthoc, .logitAdjustedLoss, .weighted] {
            var means: [Double] = [], stds: [Double] = []
            for k in classNames.indices {
                let s = Self.stats(values(m) { $0.perClassAccuracy[k] })
                means.append(s.mean); stds.append(s.std)
            }
            try chart.add(m.title.replacingOccurrences(of: "τ", with: "tau"), values: means, errors: stds)
        }
        return chart
    }

    /// Confusion matrices of plain CE and the logit-adjusted loss (first seed), side by side.
    public func confusionFigure() throws -> Canvas {
        let short = classNames.map { $0.count > 8 ? String($0.prefix(7)) + "." : $0 }
        var panels: [Canvas] = []
        for m in [LongTailExperiment.Method.crossEntropy, .logitAdjustedLoss] {
            let c = results[0].methods[m.rawValue]!.confusion
            panels.append(try MatrixHeatmap(values: c.map { $0.map(Double.init) }, rowLabels: short, columnLabels: short,
                                            title: "\(m.title.replacingOccurrences(of: "τ", with: "tau")), seed \(results[0].seed)", cellSize: 40).render())
        }
        var canvas = Canvas(width: panels.map(\.width).reduce(0, +), height: panels.map(\.height).max() ?? 0)
        var x = 0
        for p in panels { canvas.draw(p, x: x, y: 0); x += p.width }
        return canvas
    }

    /// One JSON object for stdout.
    public var summary: [String: Any] {
        var methodsOut: [String: Any] = [:]
        for m in methods {
            let ber = Self.stats(values(m, \.balancedError)), acc = Self.stats(values(m, \.accuracy))
            var o: [String: Any] = ["balanced_error_mean": ber.mean, "balanced_error_std": ber.std,
                                    "accuracy_mean": acc.mean, "per_seed_balanced_error": values(m, \.balancedError)]
            if m != .crossEntropy {
                let p = pairedImprovement(m)
                o["paired_gain_mean"] = p.mean; o["paired_gain_se"] = p.se; o["gain_exceeds_2se"] = p.clears
            }
            methodsOut[m.rawValue] = o
        }
        return ["task": "longtail", "dataset": name, "seeds": results.map { Int($0.seed) }, "train_counts": results[0].trainCounts,
                "methods": methodsOut]
    }
}
