import Foundation

/// The character classes of BERT's basic tokenizer, as HF `tokenizers` computes them.
///
/// HF mixes Unicode versions: "control" (`is_other`), "punctuation" and "non-spacing mark" come from
/// the `unicode_categories` crate, whose tables are Unicode 8.0; its NFD tables predate Unicode 13;
/// whitespace and lowercasing are current. So a category test here also checks the scalar's age (a
/// mark added in Unicode 9 or later is an ordinary character to HF), and the few scalars whose
/// category changed since 8.0 are listed. The exhaustive per-scalar test
/// (Tests/Fixtures/tokenizer_unicode.json) pins every one of these.
enum BertCharacterClasses {
    /// Last Unicode version of the category tables in HF's `unicode_categories` dependency.
    private static let categoryTablesVersion = (major: 8, minor: 0)

    /// Last Unicode version of HF's NFD tables (Dives Akuru U+11938, from 13.0, does not decompose).
    private static let decompositionTablesVersion = (major: 12, minor: 1)

    /// Punctuation in Unicode 8.0 that is not any more (U+166D became So, U+111C9 became Mn).
    private static let formerPunctuation: Set<UInt32> = [0x166D, 0x111C9]
    /// Mn in Unicode 8.0, Mc now.
    private static let formerNonspacingMarks: Set<UInt32> = [0x1734, 0x1171E]
    /// Mn now, another category in Unicode 8.0.
    private static let laterNonspacingMarks: Set<UInt32> = [0x1885, 0x1886, 0xA9BD, 0x111C9]

    @inline(__always)
    private static func inCategoryTables(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return (age.major, age.minor) <= categoryTablesVersion
    }

    /// Characters `clean_text` deletes: NUL, U+FFFD and "other" (Cc, Cf, Co) except tab, LF, CR.
    @inline(__always)
    static func isRemovedByCleanup(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value == 0x09 || value == 0x0A || value == 0x0D { return false }
        if value < 0x20 || value == 0xFFFD { return true }
        if value < 0x7F { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse: return inCategoryTables(scalar)
        default: return false
        }
    }

    /// Unicode White_Space (Rust `char::is_whitespace`); tab, LF and CR included.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            return scalar == " " || (0x09...0x0D).contains(scalar.value)
        }
        return scalar.properties.isWhitespace
    }

    /// BERT punctuation: every ASCII non-alphanumeric symbol (so `$`, `+`, `^` split) and Unicode P*.
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value)
                || (0x5B...0x60).contains(value) || (0x7B...0x7E).contains(value)
        }
        if formerPunctuation.contains(value) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return inCategoryTables(scalar)
        default:
            return false
        }
    }

    /// Mn characters, which accent stripping drops after NFD.
    @inline(__always)
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value >= 0x300 else { return false }
        if scalar.properties.generalCategory == .nonspacingMark {
            return inCategoryTables(scalar) && !laterNonspacingMarks.contains(scalar.value)
        }
        return formerNonspacingMarks.contains(scalar.value)
    }

    /// The CJK ideograph blocks of Google's original BERT, which get spaces around them.
    @inline(__always)
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// The full canonical decomposition (NFD) of one scalar, or nil if it has none.
    @inline(__always)
    static func canonicalDecomposition(_ scalar: Unicode.Scalar) -> [Unicode.Scalar]? {
        let value = scalar.value
        if value < 0xC0 { return nil }
        if (0xAC00...0xD7A3).contains(value) { return hangulDecomposition(value) }
        return decompositions[value]
    }

    /// Hangul syllables decompose arithmetically (Unicode §3.12), so they stay out of the table.
    private static func hangulDecomposition(_ value: UInt32) -> [Unicode.Scalar] {
        let index = value - 0xAC00
        let leading = Unicode.Scalar(0x1100 + index / 588)!
        let vowel = Unicode.Scalar(0x1161 + (index % 588) / 28)!
        let trailing = index % 28
        return trailing == 0 ? [leading, vowel] : [leading, vowel, Unicode.Scalar(0x11A7 + trailing)!]
    }

    /// Every non-Hangul scalar with a canonical decomposition, built once from Foundation's NFD.
    /// The skipped ranges (CJK unified ideographs, Yi, Hangul, surrogates, unified extensions) hold no
    /// decomposable scalar.
    private static let decompositions: [UInt32: [Unicode.Scalar]] = {
        let ranges: [ClosedRange<UInt32>] = [0xC0...0x33FF, 0xA000...0xABFF, 0xD7A4...0xD7FF,
                                              0xE000...0x1FFFF, 0x2F800...0x2FA1F]
        var table: [UInt32: [Unicode.Scalar]] = [:]
        for range in ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value), let age = scalar.properties.age,
                      (age.major, age.minor) <= decompositionTablesVersion else { continue }
                let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                if decomposed.count != 1 || decomposed.first != scalar {
                    table[value] = Array(decomposed)
                }
            }
        }
        return table
    }()
}
