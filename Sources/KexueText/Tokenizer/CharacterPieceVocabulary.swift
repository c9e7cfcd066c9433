import Foundation

/// A character-level WordPiece vocabulary built from data, for training a BERT from scratch where
/// no pretrained one exists (the Chinese QG demonstration): every character that starts a word, and
/// `##c` for every character seen inside a word, kept when seen `minCount` times. CJK ideographs are
/// words of their own after BERT's pre-tokenisation, so Chinese text becomes one token per
/// character; Latin words and numbers become runs of `c ##c ##c`. Written as `vocab.txt` (BERT
/// specials first), which `BertTokenizer(directory:)` reads with the uncased default configuration.
public enum CharacterPieceVocabulary {
    public static let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    public static func build(_ texts: [String], minCount: Int = 2) throws -> [String] {
        // Normalise and pre-tokenise with an uncased BERT tokenizer over a vocabulary of specials.
        let normaliser = try BertTokenizer(vocabulary: Vocabulary(tokens: specials))
        var counts: [String: Int] = [:]
        for text in texts {
            for word in normaliser.words(text) {
                for (i, s) in word.unicodeScalars.enumerated() { counts[(i == 0 ? "" : "##") + String(s), default: 0] += 1 }
            }
        }
        let kept = counts.filter { $0.value >= minCount }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        return specials + kept.map(\.key)
    }

    /// Writes `vocab.txt` into `dir` (created), atomically.
    public static func write(_ tokens: [String], to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(Data((tokens.joined(separator: "\n") + "\n").utf8), to: dir.appendingPathComponent("vocab.txt"))
    }
}
