import Foundation
import XCTest
@testable import KexueText

/// Shared fixtures: the real all-MiniLM-L6-v2 tokenizer and the golden files in Tests/Fixtures.
enum TokenizerTestSupport {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("../Fixtures").standardizedFileURL

    /// `$KEXUE_HOME/models/all-MiniLM-L6-v2`, default `~/.cache/kexue`.
    static var modelDirectory: URL {
        let home = ProcessInfo.processInfo.environment["KEXUE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kexue")
        return home.appendingPathComponent("models/all-MiniLM-L6-v2")
    }

    /// The MiniLM tokenizer, or a failure telling how to install it (never a silent skip).
    static func miniLM(file: StaticString = #filePath, line: UInt = #line) throws -> BertTokenizer {
        let vocab = modelDirectory.appendingPathComponent("vocab.txt")
        guard FileManager.default.fileExists(atPath: vocab.path) else {
            XCTFail("all-MiniLM-L6-v2 not found at \(modelDirectory.path): run `make setup` first",
                    file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return try cached.get()
    }

    private static let cached = Result { try BertTokenizer(directory: modelDirectory) }

    /// Writes `lines` to a temporary vocab.txt and returns its URL.
    static func temporaryVocabulary(_ lines: [String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("kexue-vocab-\(UUID().uuidString).txt")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
