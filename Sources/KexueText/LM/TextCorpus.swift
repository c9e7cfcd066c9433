import Foundation

/// Documents of plain text for language modelling: the contexts of SQuAD-format JSON files
/// (deduplicated — several questions share one passage), or the non-empty lines of text files.
public enum TextCorpus {
    private struct SQuADContexts: Decodable {
        struct Article: Decodable { let paragraphs: [Paragraph] }
        struct Paragraph: Decodable { let context: String }
        let data: [Article]
    }

    public static func load(_ files: [URL]) throws -> [String] {
        var seen = Set<String>(), documents: [String] = []
        for url in files {
            let data = try Data(contentsOf: try KexueHome.require(url, what: "text corpus"))
            let texts: [String]
            if url.pathExtension.lowercased() == "json" {
                do { texts = try JSONDecoder().decode(SQuADContexts.self, from: data).data.flatMap { $0.paragraphs.map(\.context) } }
                catch { throw TextDataError.malformed("\(url.path): not SQuAD-format JSON (data → paragraphs → context): \(error)") }
            } else {
                guard let s = String(data: data, encoding: .utf8) else { throw TextDataError.malformed("\(url.path): not UTF-8 text") }
                texts = s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            }
            for t in texts where !t.isEmpty && seen.insert(t).inserted { documents.append(t) }
        }
        guard !documents.isEmpty else { throw TextDataError.malformed("no text in \(files.map(\.path))") }
        return documents
    }

    /// A seeded split by document: the last `validationFraction` of a shuffled order is held out,
    /// so no passage is shared between training and validation.
    public static func split(_ documents: [String], validationFraction: Double = 0.1, seed: UInt64 = 2020) -> (train: [String], validation: [String]) {
        var order = Array(documents.indices)
        var rng = RandomGenerator(seed: seed)
        order.shuffle(using: &rng)
        let held = Swift.max(1, Int((Double(documents.count) * validationFraction).rounded()))
        precondition(documents.count > held, "text corpus: \(documents.count) documents are too few to hold out \(held)")
        return (order.dropLast(held).map { documents[$0] }, order.suffix(held).map { documents[$0] })
    }

    /// One token stream: each document as [CLS] text, so the model sees document starts.
    public static func stream(_ documents: [String], vocabulary: CharacterVocabulary) -> [Int32] {
        var out: [Int32] = []
        for d in documents { out.append(vocabulary.startId); out += vocabulary.encode(d) }
        return out
    }
}
