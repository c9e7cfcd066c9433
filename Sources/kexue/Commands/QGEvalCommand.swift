import ArgumentParser
import Foundation
import Kexue
import KexueText

/// `kexue qg eval`: answer-aware question generation scored with BLEU-4 and ROUGE-L, and the
/// model's own answers scored with EM/F1 and span validity (METHODS.md §4(b)).
struct QGEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a QG model on SQuAD-format files: BLEU-4 / ROUGE-L of questions from gold answers; EM/F1, span validity and length of sampled answers.")

    @Option(help: "A model folder from `kexue qg train`.") var model: String
    @Option(help: "SQuAD v1.1 JSON files (repeatable).") var data: [String] = []
    @Option(help: "Evaluate a fixed seeded subset of this many (passage, answer) items (e.g. 1000 while iterating).") var limit: Int?
    @Option(help: "Answers sampled per passage for the answer metrics (0: skip them).") var pairsPerPassage = 3
    @Flag(help: "Also decode greedily and report its mean log-probability beside the beams'.") var compareGreedy = false
    @Option(help: "Write one JSON line per item (generated question, references) here.") var output: String?
    @OptionGroup var decoding: QGCommand.DecodingOptions
    @Option(help: "Threads.") var threads: Int?

    func validate() throws {
        if data.isEmpty { throw ValidationError("give at least one --data file") }
        if let limit, limit < 1 { throw ValidationError("--limit must be ≥ 1") }
    }

    struct Item { var context: String; var answer: String; var start: Int; var end: Int; var references: [String] }

    func run() throws {
        if let threads { Runtime.threads = threads }
        let qg = try UniLMSeq2Seq(directory: URL(fileURLWithPath: model, isDirectory: true))
        let preset = try decoding.make()
        let generator = QuestionAnswerGenerator(model: qg, preset: preset)
        let dataset = try SQuADDataset.load(data.map { URL(fileURLWithPath: $0) }, skipBadRecords: true)
        if !dataset.skipped.isEmpty { Progress.note("skipped \(dataset.skipped.count) bad records (first: \(dataset.skipped[0]))") }
        // One item per (passage, answer span); every gold question for it is a reference.
        var items: [Item] = [], index: [String: Int] = [:]
        for e in dataset.examples {
            let key = "\(e.answerStart):\(e.answerEnd):\(e.context)"
            if let i = index[key] { items[i].references.append(e.question) }
            else { index[key] = items.count; items.append(Item(context: e.context, answer: e.answer, start: e.answerStart, end: e.answerEnd, references: [e.question])) }
        }
        if let limit, limit < items.count {
            var rng = RandomGenerator(seed: 2020)
            items = Array(items.shuffled(using: &rng).prefix(limit))
        }
        var hyps: [[String]] = [], refs: [[[String]]] = [], rouge = 0.0, logP = 0.0, greedyLogP = 0.0
        var lines: [String] = []
        let progress = Progress(total: items.count, label: "qg eval", every: 20)
        let start = Date()
        var greedyPreset = preset
        greedyPreset.question.numBeams = 1
        let greedy = QuestionAnswerGenerator(model: qg, preset: greedyPreset)
        for (i, item) in items.enumerated() {
            let q = try generator.question(passage: item.context, answerStart: item.start, answerEnd: item.end)
            let text = qg.text(q.tokens)
            let h = QGMetrics.tokens(text), r = item.references.map(QGMetrics.tokens)
            hyps.append(h); refs.append(r)
            rouge += QGMetrics.rougeL(hypothesis: h, references: r)
            logP += q.logProbability
            var line: [String: Any] = ["answer": item.answer, "question": text, "references": item.references, "log_probability": q.logProbability]
            if compareGreedy {
                let g = try greedy.question(passage: item.context, answerStart: item.start, answerEnd: item.end)
                greedyLogP += g.logProbability
                line["greedy_question"] = qg.text(g.tokens)
                line["greedy_log_probability"] = g.logProbability
            }
            if output != nil { lines.append(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self)) }
            progress.update(step: i + 1, [("bleu4", QGMetrics.corpusBLEU(hypotheses: hyps, references: refs))])
        }
        var result: [String: Any] = ["task": "qg-eval", "preset": decoding.preset, "items": items.count,
                                     "bleu4": QGMetrics.corpusBLEU(hypotheses: hyps, references: refs),
                                     "rouge_l": rouge / Double(max(items.count, 1)) * 100,
                                     "mean_log_probability": logP / Double(max(items.count, 1)),
                                     "question_seconds": (Date().timeIntervalSince(start) * 10).rounded() / 10]
        if compareGreedy { result["greedy_mean_log_probability"] = greedyLogP / Double(max(items.count, 1)) }
        if pairsPerPassage > 0 {
            // The model's own answers, per distinct passage: raw span validity before any filtering,
            // EM/F1 against any gold answer of the passage, mean length in words.
            var golds: [String: [String]] = [:]
            for e in dataset.examples { golds[e.context, default: []].append(contentsOf: e.references) }
            var passages: [String] = [], seen = Set<String>()
            for item in items where seen.insert(item.context).inserted { passages.append(item.context) }
            var drawn = 0, valid = 0, em = 0.0, f1 = 0.0, words = 0, answers = 0
            for (i, passage) in passages.enumerated() {
                let r = try generator.generate(passage: passage, count: pairsPerPassage, seed: UInt64(i))
                drawn += r.answersDrawn; valid += r.answersInPassage
                for pair in r.pairs {
                    em += QGMetrics.exactMatch(pair.answer, golds: golds[passage] ?? [])
                    f1 += QGMetrics.f1(pair.answer, golds: golds[passage] ?? [])
                    words += pair.answer.split(whereSeparator: \.isWhitespace).count
                    answers += 1
                }
            }
            result["passages"] = passages.count
            result["answers_drawn"] = drawn
            result["span_validity"] = Double(valid) / Double(max(drawn, 1))
            result["answer_em"] = em / Double(max(answers, 1)) * 100
            result["answer_f1"] = f1 / Double(max(answers, 1)) * 100
            result["mean_answer_words"] = Double(words) / Double(max(answers, 1))
        }
        if let output {
            try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: URL(fileURLWithPath: output))
        }
        printJSON(result)
    }
}
