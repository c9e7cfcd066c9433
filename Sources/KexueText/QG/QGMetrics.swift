import Foundation

/// Question-generation and answer metrics as METHODS.md §4(b) states them, following the
/// coco-caption code that nlg-eval and the Du et al. (2017) evaluation use.
public enum QGMetrics {
    /// Lower-cased word tokens (letters/digits runs, each other non-space character alone); CJK
    /// ideographs one per token, as the metrics count Chinese by characters.
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = [], word = ""
        func flush() { if !word.isEmpty { out.append(word); word = "" } }
        for s in text.lowercased().unicodeScalars {
            if BertCharacterClasses.isChineseCharacter(s) { flush(); out.append(String(s)) }
            else if CharacterSet.alphanumerics.contains(s) { word.unicodeScalars.append(s) }
            else if CharacterSet.whitespacesAndNewlines.contains(s) { flush() }
            else { flush(); out.append(String(s)) }
        }
        flush()
        return out
    }

    /// Corpus BLEU-4 ×100: clipped n-gram matches summed over the corpus (n = 1…4, uniform weights),
    /// brevity penalty against the closest reference length, unsmoothed (coco-caption's
    /// `option='closest'`, whose 1e-15/1e-9 guards are kept so an empty n-gram order gives ~0, not NaN).
    public static func corpusBLEU(hypotheses: [[String]], references: [[[String]]], maxN: Int = 4) -> Double {
        precondition(hypotheses.count == references.count, "BLEU: \(hypotheses.count) hypotheses for \(references.count) reference sets")
        var correct = [Double](repeating: 0, count: maxN), guess = [Double](repeating: 0, count: maxN)
        var hypLength = 0.0, refLength = 0.0
        for (hyp, refs) in zip(hypotheses, references) {
            hypLength += Double(hyp.count)
            // Closest reference length (ties: the shorter one).
            var closest = Int.max
            for r in refs {
                let d = abs(r.count - hyp.count), best = abs(closest - hyp.count)
                if closest == Int.max || d < best || (d == best && r.count < closest) { closest = r.count }
            }
            if closest == Int.max { closest = 0 }
            refLength += Double(closest)
            for n in 1...maxN {
                let h = ngrams(hyp, n)
                var maxRef: [ArraySlice<String>: Int] = [:]
                for r in refs { for (g, c) in ngrams(r, n) { maxRef[g] = Swift.max(maxRef[g] ?? 0, c) } }
                for (g, c) in h { correct[n - 1] += Double(Swift.min(c, maxRef[g] ?? 0)) }
                guess[n - 1] += Double(Swift.max(hyp.count - n + 1, 0))
            }
        }
        let tiny = 1e-15, small = 1e-9
        var logSum = 0.0
        for n in 0..<maxN { logSum += Foundation.log((correct[n] + tiny) / (guess[n] + small)) }
        var bleu = Foundation.exp(logSum / Double(maxN))
        let ratio = (hypLength + tiny) / (refLength + small)
        if ratio < 1 { bleu *= Foundation.exp(1 - 1 / ratio) }
        return bleu * 100
    }

    static func ngrams(_ t: [String], _ n: Int) -> [ArraySlice<String>: Int] {
        var out: [ArraySlice<String>: Int] = [:]
        if t.count >= n { for i in 0...(t.count - n) { out[t[i..<(i + n)], default: 0] += 1 } }
        return out
    }

    /// ROUGE-L of one hypothesis: LCS precision and recall, each the maximum over references,
    /// combined as F_β with β = 1.2 (coco-caption `Rouge`).
    public static func rougeL(hypothesis: [String], references: [[String]], beta: Double = 1.2) -> Double {
        guard !hypothesis.isEmpty, !references.isEmpty else { return 0 }
        var precision = 0.0, recall = 0.0
        for r in references where !r.isEmpty {
            let l = Double(lcs(hypothesis, r))
            precision = Swift.max(precision, l / Double(hypothesis.count))
            recall = Swift.max(recall, l / Double(r.count))
        }
        guard precision > 0 && recall > 0 else { return 0 }
        return (1 + beta * beta) * precision * recall / (recall + beta * beta * precision)
    }

    static func lcs(_ a: [String], _ b: [String]) -> Int {
        var prev = [Int](repeating: 0, count: b.count + 1), cur = prev
        for x in a {
            for (j, y) in b.enumerated() { cur[j + 1] = x == y ? prev[j] + 1 : Swift.max(prev[j + 1], cur[j]) }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }

    /// The official SQuAD v1.1 `normalize_answer`: lower case, punctuation removed, articles
    /// removed, whitespace collapsed.
    public static func normalizeAnswer(_ s: String) -> String {
        // Python's string.punctuation: ASCII only, as the official script.
        let punctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)
        let kept = String(String.UnicodeScalarView(s.lowercased().unicodeScalars.filter { !punctuation.contains($0) }))
        return kept.split(whereSeparator: \.isWhitespace).filter { !["a", "an", "the"].contains($0) }.joined(separator: " ")
    }

    /// SQuAD exact match against any gold answer (0 or 1).
    public static func exactMatch(_ prediction: String, golds: [String]) -> Double {
        golds.contains { normalizeAnswer($0) == normalizeAnswer(prediction) } ? 1 : 0
    }

    /// SQuAD token F1, the maximum over gold answers.
    public static func f1(_ prediction: String, golds: [String]) -> Double {
        let p = normalizeAnswer(prediction).split(separator: " ")
        return golds.map { gold -> Double in
            let g = normalizeAnswer(gold).split(separator: " ")
            var counts: [Substring: Int] = [:]
            for t in g { counts[t, default: 0] += 1 }
            var same = 0
            for t in p where (counts[t] ?? 0) > 0 { same += 1; counts[t]! -= 1 }
            guard same > 0 else { return 0 }
            let precision = Double(same) / Double(p.count), recall = Double(same) / Double(g.count)
            return 2 * precision * recall / (precision + recall)
        }.max() ?? 0
    }
}
