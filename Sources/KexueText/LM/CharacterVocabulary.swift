import Foundation

/// A vocabulary of single Unicode scalars built from data, for character-level models (the causal
/// LM here; a Chinese seq2seq model later). Special symbols come first so their ids are fixed.
/// Saved as `vocab.json` (a JSON array: control characters and newlines survive, unlike vocab.txt).
public struct CharacterVocabulary: Sendable, Equatable {
    public static let pad = "[PAD]", unknown = "[UNK]", start = "[CLS]", end = "[SEP]"
    public static let specials = [pad, unknown, start, end]
    public let symbols: [String]
    private let index: [String: Int32]

    public var count: Int { symbols.count }
    public var padId: Int32 { 0 }
    public var unknownId: Int32 { 1 }
    public var startId: Int32 { 2 }
    public var endId: Int32 { 3 }

    public init(symbols: [String]) throws {
        guard Array(symbols.prefix(Self.specials.count)) == Self.specials else {
            throw TextDataError.malformed("character vocabulary: must start with \(Self.specials), got \(symbols.prefix(4))")
        }
        var index: [String: Int32] = [:]
        for (i, s) in symbols.enumerated() {
            guard index[s] == nil else { throw TextDataError.malformed("character vocabulary: '\(s)' appears twice") }
            index[s] = Int32(i)
        }
        self.symbols = symbols
        self.index = index
    }

    /// Every scalar seen at least `minCount` times, most frequent first (ties by scalar value).
    public init(building texts: [String], minCount: Int = 1) {
        var counts: [Unicode.Scalar: Int] = [:]
        for t in texts { for s in t.unicodeScalars { counts[s, default: 0] += 1 } }
        let kept = counts.filter { $0.value >= minCount }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.value < $1.key.value }
        try! self.init(symbols: Self.specials + kept.map { String($0.key) })
    }

    /// Text → ids, one per Unicode scalar (unseen scalars → [UNK]).
    public func encode(_ text: String) -> [Int32] {
        text.unicodeScalars.map { index[String($0)] ?? unknownId }
    }

    /// Ids → text; special symbols other than [UNK] are dropped.
    public func decode(_ ids: [Int32]) -> String {
        var out = ""
        for id in ids {
            let i = Int(id)
            guard i >= 0, i < symbols.count else { continue }
            if i == Int(unknownId) { out += "\u{FFFD}" } else if i >= Self.specials.count { out += symbols[i] }
        }
        return out
    }

    public func save(to url: URL) throws {
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: symbols, options: []), to: url)
    }

    public static func load(_ url: URL) throws -> CharacterVocabulary {
        let data = try Data(contentsOf: try KexueHome.require(url, what: "character vocabulary"))
        guard let symbols = try? JSONSerialization.jsonObject(with: data) as? [String] else {
            throw TextDataError.malformed("\(url.path): not a JSON array of strings")
        }
        return try CharacterVocabulary(symbols: symbols)
    }
}
