import Foundation
import KexueText

/// A word → valence table such as VADER's `vader_lexicon.txt` (token, mean valence −4…+4, sd, raw
/// ratings; tab-separated), looked up by lower-cased words with surrounding punctuation removed.
public struct SentimentLexicon: Sendable {
    public let valence: [String: Double]

    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) }
        catch { throw ExplainError.badInput("\(url.path): cannot read the lexicon (\(error.localizedDescription))") }
        var table: [String: Double] = [:]
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {  // the file has CRLF endings
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let v = Double(fields[1]) else {
                throw ExplainError.badInput("\(url.path): line \(n + 1) is not `token<TAB>valence…`: \(line.prefix(60))")
            }
            table[String(fields[0]).lowercased()] = v
        }
        valence = table
    }

    /// The valence of a text word ("Brilliant," → "brilliant"), if listed.
    public func lookup(_ word: String) -> Double? {
        let trimmed = word.lowercased().trimmingCharacters(in: .punctuationCharacters.union(.symbols).union(.whitespaces))
        return valence[trimmed] ?? valence[word.lowercased()]
    }
}

/// Do attributions point at the words a sentiment lexicon calls strong, with the lexicon's sign?
/// (METHODS.md §7(d)[E], the mechanical check.) Every correctly classified sentence that
/// holds a lexicon word with |valence| ≥ `minimumValence` is explained toward the positive class's
/// logit; for its strongest such word we record whether the word's attribution has the valence's
/// sign, and whether the word is among the `topK` words by |attribution|.
public struct LexiconAgreement {
    public struct Case: Sendable {
        public var text: String
        public var word: String
        public var valence: Double
        public var score: Double
        /// 1 = the word with the largest |attribution|.
        public var rank: Int
        public var delta: Double
        public var outputDifference: Double
    }

    public struct Summary: Sendable {
        public var cases: [Case]
        public var sentencesSeen: Int
        public var misclassified: Int
        public var withoutStrongWord: Int
        public var topK: Int
        public var signAgreement: Double { share { ($0.score > 0) == ($0.valence > 0) && $0.score != 0 } }
        public var inTopK: Double { share { $0.rank <= topK } }
        func share(_ p: (Case) -> Bool) -> Double { cases.isEmpty ? .nan : Double(cases.filter(p).count) / Double(cases.count) }
    }

    public let explainer: TextExplainer
    public let lexicon: SentimentLexicon
    public var minimumValence = 2.0
    public var topK = 3

    public init(explainer: TextExplainer, lexicon: SentimentLexicon) {
        self.explainer = explainer
        self.lexicon = lexicon
    }

    /// `positive`: the label whose logit is explained; `progress` is called after each sentence.
    public func run(_ items: [LabeledText], positive: String, progress: ((Int) -> Void)? = nil) throws -> Summary {
        guard let target = explainer.classifier.labels.firstIndex(of: positive) else {
            throw ExplainError.badInput("label '\(positive)' is not one of \(explainer.classifier.labels)")
        }
        var summary = Summary(cases: [], sentencesSeen: 0, misclassified: 0, withoutStrongWord: 0, topK: topK)
        for (i, item) in items.enumerated() {
            defer { progress?(i + 1) }
            summary.sentencesSeen += 1
            // Cheap filter first: no strong lexicon word, no explanation needed.
            let candidates = item.text.split(whereSeparator: \.isWhitespace).compactMap { w in
                lexicon.lookup(String(w)).map { (String(w), $0) }
            }.filter { abs($0.1) >= minimumValence }
            guard !candidates.isEmpty else { summary.withoutStrongWord += 1; continue }
            let e = try explainer.explain(item.text, target: target)
            guard e.predictedLabel == item.label else { summary.misclassified += 1; continue }
            // The strongest word as the explanation's words see it (whitespace chunks, from offsets).
            let scored = e.words.compactMap { w in lexicon.lookup(w.text).map { (w, $0) } }.filter { abs($0.1) >= minimumValence }
            guard let (word, valence) = scored.max(by: { abs($0.1) < abs($1.1) }) else { summary.withoutStrongWord += 1; continue }
            let byMagnitude = e.words.sorted { abs($0.score) > abs($1.score) }
            let rank = 1 + (byMagnitude.firstIndex { $0.start == word.start && $0.end == word.end } ?? byMagnitude.count)
            summary.cases.append(Case(text: item.text, word: word.text, valence: valence, score: word.score, rank: rank,
                                      delta: e.attribution.delta, outputDifference: e.attribution.outputDifference))
        }
        return summary
    }
}
