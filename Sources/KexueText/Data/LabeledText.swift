import Foundation

/// A text with a class label (and an id that names it in errors and split files).
public struct LabeledText: Sendable, Equatable {
    public var id: String
    public var text: String
    public var label: String

    public init(id: String, text: String, label: String) {
        self.id = id
        self.text = text
        self.label = label
    }
}

public enum TextDataError: Error, CustomStringConvertible {
    case unreadable(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .unreadable(let m), .malformed(let m): return m
        }
    }
}

/// Reads labelled texts from TSV (`text<TAB>label` per line, an optional header `text\tlabel`)
/// or JSONL (`{"text": …, "label": …}` per line; an `id` is kept when present).
public enum LabeledTextFile {
    public static func load(_ url: URL) throws -> [LabeledText] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TextDataError.unreadable("\(url.path): cannot read (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TextDataError.malformed("\(url.path): not valid UTF-8")
        }
        let isJSONL = url.pathExtension.lowercased() == "jsonl" || text.first == "{"
        var out: [LabeledText] = []
        // "\r\n" is one Character in Swift, so split on both forms explicitly.
        for (n, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let where_ = "\(url.lastPathComponent):\(n + 1)"
            if isJSONL {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw TextDataError.malformed("\(where_): not a JSON object")
                }
                guard let t = obj["text"] as? String else { throw TextDataError.malformed("\(where_): missing string \"text\"") }
                guard let l = obj["label"] else { throw TextDataError.malformed("\(where_): missing \"label\"") }
                let id = (obj["id"]).map { "\($0)" } ?? "\(n + 1)"
                out.append(LabeledText(id: id, text: t, label: "\(l)"))
            } else {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard fields.count == 2 else {
                    throw TextDataError.malformed("\(where_): expected text<TAB>label, found \(fields.count) fields")
                }
                if n == 0 && fields[0] == "text" && fields[1] == "label" { continue }
                out.append(LabeledText(id: "\(n + 1)", text: String(fields[0]), label: String(fields[1])))
            }
        }
        guard !out.isEmpty else { throw TextDataError.malformed("\(url.path): no examples") }
        return out
    }
}
