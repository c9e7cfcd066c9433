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
    @Option(help: "Append each finished item to this JSON-lines journal and skip items already in it, so a long evaluation can stop and resume.") var journal: String?
    @Option(help: "Work on share K of N (K/N, 0-based) of the items and passages; shards run as separate processes sharing one --journal, then a run without --shard prints the totals.") var shard: String?

    func validate() throws {
        if data.isEmpty { throw ValidationError("give at least one --data file") }
        if let limit, limit < 1 { throw ValidationError("--limit must be ≥ 1") }
        if shard != nil, journal == nil { throw ValidationError("--shard needs --journal (the shards' results meet there)") }
        _ = try Shard.parse(shard)
    }

    struct Item { var id: String; var context: String; var answer: String; var start: Int; var end: Int; var references: [String] }

    func run() throws {
        if let threads { Runtime.threads = threads }
        let (shardK, shardN) = try Shard.parse(shard) ?? (0, 1)
        let qg = try UniLMSeq2Seq(directory: URL(fileURLWithPath: model, isDirectory: true))
        let preset = try decoding.make()
        let generator = try decoding.generator(qg)
        let dataset = try SQuADDataset.load(data.map { URL(fileURLWithPath: $0) }, skipBadRecords: true)
        if !dataset.skipped.isEmpty { Progress.note("skipped \(dataset.skipped.count) bad records (first: \(dataset.skipped[0]))") }
        // One item per (passage, answer span); every gold question for it is a reference.
        var items: [Item] = [], index: [String: Int] = [:]
        for e in dataset.examples {
            let key = "\(e.answerStart):\(e.answerEnd):\(e.context)"
            if let i = index[key] { items[i].references.append(e.question) }
            else { index[key] = items.count; items.append(Item(id: e.id, context: e.context, answer: e.answer, start: e.answerStart, end: e.answerEnd, references: [e.question])) }
        }
        if let limit, limit < items.count {
            var rng = RandomGenerator(seed: 2020)
            items = Array(items.shuffled(using: &rng).prefix(limit))
        }
        var passages: [String] = [], passageIDs: [String] = [], seen = Set<String>()
        for item in items where seen.insert(item.context).inserted { passages.append(item.context); passageIDs.append(item.id) }

        // Finished work: from the journal, then from this run.
        var questionRecords: [Int: [String: Any]] = [:], answerRecords: [Int: [String: Any]] = [:]
        let log = try journal.map { try RecordJournal(url: URL(fileURLWithPath: $0)) }
        if let log {
            for r in log.records {
                guard let kind = r["kind"] as? String, let i = r["index"] as? Int, let id = r["id"] as? String else { continue }
                let expected = kind == "question" ? (i < items.count ? items[i].id : nil) : (i < passages.count ? passageIDs[i] : nil)
                guard expected == id else {
                    throw ValidationError("journal \(log.url.path) was written for other data or another --limit: its \(kind) \(i) is '\(id)', here it is '\(expected ?? "absent")'")
                }
                if kind == "answers", (r["constrained"] as? Bool ?? false) != decoding.constrainAnswers {
                    throw ValidationError("journal \(log.url.path) holds answers drawn \(decoding.constrainAnswers ? "without" : "with") --constrain-answers; use another journal")
                }
                if kind == "question" { questionRecords[i] = r } else if kind == "answers" { answerRecords[i] = r }
            }
            if log.unreadableLines > 0 { Progress.note("journal: \(log.unreadableLines) torn line(s) ignored; their items are redone") }
            Progress.note("journal: \(questionRecords.count)/\(items.count) questions and \(answerRecords.count)/\(passages.count) passages already done")
        }

        var greedyPreset = preset
        greedyPreset.question.numBeams = 1
        let greedy = QuestionAnswerGenerator(model: qg, preset: greedyPreset)
        let todo = items.indices.filter { $0 % shardN == shardK && questionRecords[$0] == nil }
        let todoPassages = pairsPerPassage > 0 ? passages.indices.filter { $0 % shardN == shardK && answerRecords[$0] == nil } : []
        let progress = Progress(total: todo.count, label: "qg eval", every: 20)
        let start = Date()
        for (n, i) in todo.enumerated() {
            let item = items[i]
            let q = try generator.question(passage: item.context, answerStart: item.start, answerEnd: item.end)
            var record: [String: Any] = ["kind": "question", "index": i, "id": item.id, "answer": item.answer, "question": qg.text(q.tokens),
                                         "references": item.references, "log_probability": q.logProbability]
            if compareGreedy {
                let g = try greedy.question(passage: item.context, answerStart: item.start, answerEnd: item.end)
                record["greedy_question"] = qg.text(g.tokens)
                record["greedy_log_probability"] = g.logProbability
            }
            try log?.append(record)
            questionRecords[i] = record
            progress.update(step: n + 1, [])
        }
        let questionSeconds = Date().timeIntervalSince(start)
        // The model's own answers, per distinct passage: raw span validity before any filtering.
        let answerProgress = Progress(total: todoPassages.count, label: "qg eval answers", every: 20)
        for (n, j) in todoPassages.enumerated() {
            let r = try generator.generate(passage: passages[j], count: pairsPerPassage, seed: UInt64(j), askQuestions: false)
            let record: [String: Any] = ["kind": "answers", "index": j, "id": passageIDs[j], "drawn": r.answersDrawn,
                                         "valid": r.answersInPassage, "answers": r.pairs.map(\.answer),
                                         "constrained": decoding.constrainAnswers]
            try log?.append(record)
            answerRecords[j] = record
            answerProgress.update(step: n + 1, [])
        }

        // Totals over every finished item, whichever process finished it.
        var hyps: [[String]] = [], refs: [[[String]]] = [], rouge = 0.0, logP = 0.0, greedyLogP = 0.0, greedyCount = 0
        var lines: [String] = []
        for i in items.indices {
            guard let r = questionRecords[i], let text = r["question"] as? String else { continue }
            let h = QGMetrics.tokens(text), refTokens = items[i].references.map(QGMetrics.tokens)
            hyps.append(h); refs.append(refTokens)
            rouge += QGMetrics.rougeL(hypothesis: h, references: refTokens)
            logP += r["log_probability"] as? Double ?? .nan
            if let g = r["greedy_log_probability"] as? Double { greedyLogP += g; greedyCount += 1 }
            if output != nil { lines.append(String(decoding: try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys]), as: UTF8.self)) }
        }
        let questionsDone = hyps.count
        var result: [String: Any] = ["task": "qg-eval", "preset": decoding.preset, "items": items.count, "constrained_answers": decoding.constrainAnswers,
                                     "complete": questionsDone == items.count && (pairsPerPassage == 0 || answerRecords.count == passages.count),
                                     "questions_done": questionsDone,
                                     "bleu4": QGMetrics.corpusBLEU(hypotheses: hyps, references: refs),
                                     "rouge_l": rouge / Double(max(questionsDone, 1)) * 100,
                                     "mean_log_probability": logP / Double(max(questionsDone, 1)),
                                     "question_seconds_this_run": (questionSeconds * 10).rounded() / 10]
        if compareGreedy, greedyCount > 0 {
            result["greedy_mean_log_probability"] = greedyLogP / Double(greedyCount)
            result["greedy_items"] = greedyCount
        }
        if pairsPerPassage > 0 {
            var golds: [String: [String]] = [:]
            for e in dataset.examples { golds[e.context, default: []].append(contentsOf: e.references) }
            var drawn = 0, valid = 0, em = 0.0, f1 = 0.0, words = 0, tokens = 0, answers = 0
            for (j, passage) in passages.enumerated() {
                guard let r = answerRecords[j] else { continue }
                drawn += r["drawn"] as? Int ?? 0; valid += r["valid"] as? Int ?? 0
                for answer in r["answers"] as? [String] ?? [] {
                    em += QGMetrics.exactMatch(answer, golds: golds[passage] ?? [])
                    f1 += QGMetrics.f1(answer, golds: golds[passage] ?? [])
                    words += answer.split(whereSeparator: \.isWhitespace).count
                    tokens += QGMetrics.tokens(answer).count
                    answers += 1
                }
            }
            result["passages"] = passages.count
            result["passages_done"] = answerRecords.count
            result["answers_drawn"] = drawn
            result["span_validity"] = Double(valid) / Double(max(drawn, 1))
            result["answer_em"] = em / Double(max(answers, 1)) * 100
            result["answer_f1"] = f1 / Double(max(answers, 1)) * 100
            result["mean_answer_words"] = Double(words) / Double(max(answers, 1))
            // The metrics' tokens: words, and Chinese characters one by one.
            result["mean_answer_tokens"] = Double(tokens) / Double(max(answers, 1))
        }
        if let output {
            try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: URL(fileURLWithPath: output))
        }
        printJSON(result)
    }
}
