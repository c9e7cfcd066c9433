import Foundation

/// The Rotten Tomatoes sentence-polarity set of Hutto & Gilbert (ICWSM 2014), shipped in the
/// `vaderSentiment` source archive: `id<TAB>mean score (−4…+4)<TAB>sentence` per line.
/// Polarity is the sign of the mean score; sentences scored exactly 0 are dropped.
public enum RottenTomatoes {
    public static var defaultURL: URL { KexueHome.data("vader/movieReviewSnippets_GroundTruth.txt") }

    public static func load(_ url: URL = defaultURL) throws -> [LabeledText] {
        _ = try KexueHome.require(url, what: "Rotten Tomatoes sentences (movieReviewSnippets_GroundTruth.txt)")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TextDataError.malformed("\(url.path): not readable as UTF-8")
        }
        var out: [LabeledText] = []
        // "\r\n" is one Character in Swift, so split on both forms explicitly.
        for (n, line) in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            if line.isEmpty { continue }
            let f = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3, let score = Double(f[1]) else {
                throw TextDataError.malformed("\(url.lastPathComponent):\(n + 1): expected id<TAB>score<TAB>sentence")
            }
            if score == 0 { continue }
            out.append(LabeledText(id: String(f[0]), text: String(f[2]), label: score > 0 ? "positive" : "negative"))
        }
        return out
    }

    /// Seeded 80/10/10 split of sentence ids. `Tests/Fixtures/rotten_tomatoes_splits.json` holds its
    /// output for seed 2020 (printed by `kexue splits`), and `RottenTomatoesSplitTests` keeps the
    /// two identical, so every experiment uses the same split.
    public static func split(_ items: [LabeledText], seed: UInt64 = 2020) -> (train: [LabeledText], validation: [LabeledText], test: [LabeledText]) {
        var order = Array(items.indices)
        var rng = RandomGenerator(seed: seed)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        let nTrain = items.count * 8 / 10, nVal = items.count / 10
        let pick = { (r: Range<Int>) in order[r].sorted().map { items[$0] } }
        return (pick(0..<nTrain), pick(nTrain..<(nTrain + nVal)), pick((nTrain + nVal)..<items.count))
    }
}
