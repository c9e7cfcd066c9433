import Foundation

/// One question of a SQuAD v1.1 file, answers[0] as the target (METHODS.md §4(b); the data README).
public struct QAExample: Sendable, Equatable {
    /// The question id, prefixed with the file's base name when several files are merged.
    public var id: String
    public var title: String
    public var context: String
    public var question: String
    /// answers[0]: text and Unicode-scalar offsets [start, end) into `context`.
    public var answer: String
    public var answerStart: Int, answerEnd: Int
    /// Every gold answer's text (crowd references for EM/F1).
    public var references: [String]
}

/// SQuAD v1.1 JSON (`data → paragraphs → qas → answers`) → questions. Offsets are Unicode scalars
/// (Python `str` indices), checked against the context. A record that fails a check is an error
/// naming the file and the id, or, with `skipBadRecords` (long runs), reported in `skipped`.
public struct SQuADDataset: Sendable {
    public var examples: [QAExample]
    /// "file: id: reason" for every skipped record.
    public var skipped: [String]

    private struct File: Decodable {
        struct Article: Decodable { let title: String?; let paragraphs: [Paragraph]? }
        struct Paragraph: Decodable { let context: String?; let qas: [QA]? }
        struct QA: Decodable { let id: String?; let question: String?; let answers: [Answer]? }
        struct Answer: Decodable { let text: String?; let answer_start: Int? }
        let data: [Article]?
    }

    public static func load(_ files: [URL], skipBadRecords: Bool = false) throws -> SQuADDataset {
        var out = SQuADDataset(examples: [], skipped: [])
        for url in files {
            let name = url.deletingPathExtension().lastPathComponent
            let data = try Data(contentsOf: try KexueHome.require(url, what: "SQuAD JSON"))
            let file: File
            do { file = try JSONDecoder().decode(File.self, from: data) }
            catch { throw TextDataError.malformed("\(url.path): not SQuAD v1.1 JSON (\(error))") }
            guard let articles = file.data, !articles.isEmpty else {
                throw TextDataError.malformed("\(url.path): no \"data\" articles")
            }
            var count = 0
            for (a, article) in articles.enumerated() {
                for (p, paragraph) in (article.paragraphs ?? []).enumerated() {
                    guard let context = paragraph.context else {
                        let problem = "\(url.lastPathComponent): article \(a) paragraph \(p): no context"
                        if skipBadRecords { out.skipped.append(problem); continue }
                        throw TextDataError.malformed(problem)
                    }
                    let scalars = Array(context.unicodeScalars)
                    for (i, qa) in (paragraph.qas ?? []).enumerated() {
                        let id = qa.id ?? "article\(a)-paragraph\(p)-qa\(i)"
                        do {
                            guard let question = qa.question, !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                                throw TextDataError.malformed("empty question")
                            }
                            guard let answers = qa.answers, let first = answers.first, let text = first.text, let start = first.answer_start else {
                                throw TextDataError.malformed("no answers[0] with text and answer_start")
                            }
                            let n = text.unicodeScalars.count
                            guard start >= 0, start + n <= scalars.count,
                                  String(String.UnicodeScalarView(scalars[start..<(start + n)])) == text else {
                                throw TextDataError.malformed("answer '\(text)' is not at answer_start \(start) of its context (Unicode-scalar offsets)")
                            }
                            out.examples.append(QAExample(id: files.count > 1 ? "\(name):\(id)" : id, title: article.title ?? "",
                                                          context: context, question: question, answer: text,
                                                          answerStart: start, answerEnd: start + n,
                                                          references: answers.compactMap(\.text)))
                            count += 1
                        } catch let error as TextDataError {
                            let problem = "\(url.lastPathComponent): \(id): \(error)"
                            if skipBadRecords { out.skipped.append(problem) } else { throw TextDataError.malformed(problem) }
                        }
                    }
                }
            }
            if count == 0 && !skipBadRecords { throw TextDataError.malformed("\(url.path): no questions with answers") }
        }
        guard !out.examples.isEmpty else { throw TextDataError.malformed("\(files.map(\.path)): no usable questions") }
        return out
    }
}
