/// Everything that can go wrong while loading a tokenizer or encoding text.
///
/// Loading errors name the file (and line, where there is one) so a broken vocabulary can be fixed
/// without a debugger.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// A vocabulary lists the same token twice; ids would be ambiguous.
    case duplicateToken(token: String, file: String, line: Int, firstLine: Int)
    /// A vocabulary line is not valid UTF-8.
    case invalidUTF8(file: String, line: Int)
    /// A token the tokenizer needs (`[UNK]`, `[CLS]`, `[SEP]`, `[PAD]`) is not in the vocabulary.
    case missingToken(token: String, file: String)
    /// `tokenizer.json` is not a BERT WordPiece tokenizer we can reproduce exactly.
    case unsupportedConfiguration(file: String, reason: String)
    /// Truncation cannot meet `maxLength` (same cases as HF `tokenizers`).
    case truncationImpossible(reason: String)

    public var description: String {
        switch self {
        case let .duplicateToken(token, file, line, firstLine):
            return "\(file):\(line): duplicate token \"\(token)\" (first seen on line \(firstLine))"
        case let .invalidUTF8(file, line):
            return "\(file):\(line): line is not valid UTF-8"
        case let .missingToken(token, file):
            return "\(file): vocabulary has no \"\(token)\" token"
        case let .unsupportedConfiguration(file, reason):
            return "\(file): unsupported tokenizer configuration: \(reason)"
        case let .truncationImpossible(reason):
            return "truncation impossible: \(reason)"
        }
    }
}
