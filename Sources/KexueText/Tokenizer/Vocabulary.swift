import Foundation

/// A WordPiece vocabulary: token strings and their ids (the id is the line number in `vocab.txt`,
/// counting from 0).
///
/// Tokens are matched scalar by scalar, never by Swift's canonical string equality, so a vocabulary
/// behaves exactly as in HF `tokenizers`.
public struct Vocabulary: Sendable {
    /// Token of each id.
    public let tokens: [String]
    /// Where the vocabulary came from, for error messages.
    public let source: String
    let trie: TokenTrie

    /// Number of tokens.
    public var count: Int { tokens.count }

    /// Builds a vocabulary where `tokens[i]` gets id `i`.
    /// - Throws: `TokenizerError.duplicateToken` if a token appears twice (lines count from 1).
    public init(tokens: [String], source: String = "<memory>") throws {
        var trie = TokenTrie()
        for (index, token) in tokens.enumerated() {
            if let first = trie.insert(token.unicodeScalars, id: Int32(index)) {
                throw TokenizerError.duplicateToken(token: token, file: source, line: index + 1,
                                                    firstLine: Int(first) + 1)
            }
        }
        self.tokens = tokens
        self.source = source
        self.trie = trie
    }

    /// Reads a BERT `vocab.txt`: one token per line, UTF-8, `\n` or `\r\n` line ends.
    public init(contentsOf file: URL) throws {
        let data = try Data(contentsOf: file)
        var tokens: [String] = []
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the final newline ends a line, it does not start one
        tokens.reserveCapacity(lines.count)
        for (index, var line) in lines.enumerated() {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard let token = String(validating: line, as: UTF8.self) else {
                throw TokenizerError.invalidUTF8(file: file.path, line: index + 1)
            }
            tokens.append(token)
        }
        try self.init(tokens: tokens, source: file.path)
    }

    /// The id of `token`, compared scalar by scalar.
    public func id(of token: String) -> Int32? {
        trie.id(of: token.unicodeScalars)
    }

    /// The id of `token`, or `TokenizerError.missingToken`.
    func requireId(of token: String) throws -> Int32 {
        guard let id = id(of: token) else { throw TokenizerError.missingToken(token: token, file: source) }
        return id
    }

    /// The token string of `id`.
    public func token(of id: Int32) -> String {
        tokens[Int(id)]
    }
}
