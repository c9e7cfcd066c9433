/// Flags of BERT's text normalizer (HF `BertNormalizer`).
public struct BertNormalizerOptions: Sendable, Equatable {
    /// Delete control characters, map every whitespace character to a space.
    public var cleanText: Bool
    /// Put spaces around CJK ideographs so each becomes its own word.
    public var handleChineseCharacters: Bool
    /// NFD, then drop non-spacing marks; `nil` means "same as `lowercase`" (HF's rule).
    public var stripAccents: Bool?
    /// Lowercase every character (full Unicode lowercase mapping, without context).
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool? = nil,
                lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }
}

/// Words of a text after BERT normalization, each scalar remembering where it came from.
///
/// `scalars[i]` came from the original scalar at index `origins[i]`; every normalization step maps
/// one original scalar to zero or more normalized ones (HF's alignments, in scalars instead of bytes),
/// so a token spanning normalized `[s, e)` covers original `[origins[s], origins[e - 1] + 1)`.
struct NormalizedWords {
    var scalars: [Unicode.Scalar] = []
    var origins: [Int32] = []
    /// Words as ranges of `scalars`, in text order.
    var words: [Range<Int>] = []

    /// The original half-open scalar range covered by normalized `range`.
    @inline(__always)
    func originalRange(of range: Range<Int>) -> Range<Int> {
        Int(origins[range.lowerBound])..<Int(origins[range.upperBound - 1]) + 1
    }
}

/// BERT's basic tokenizer: normalization (HF `BertNormalizer`) then splitting on whitespace and
/// punctuation (HF `BertPreTokenizer`), over Unicode-scalar arrays so long inputs stay linear.
struct BasicTokenizer: Sendable {
    let options: BertNormalizerOptions
    private let stripsAccents: Bool

    init(options: BertNormalizerOptions) {
        self.options = options
        self.stripsAccents = options.stripAccents ?? options.lowercase
    }

    /// Normalizes `text[range]` and appends its words to `output`.
    func appendWords(of text: [Unicode.Scalar], in range: Range<Int>, to output: inout NormalizedWords) {
        var staged: [(scalar: Unicode.Scalar, origin: Int32)] = []
        staged.reserveCapacity(range.count)
        for index in range {
            stage(text[index], origin: Int32(index), into: &staged)
        }
        if stripsAccents { reorderCombiningMarks(&staged) }

        let start = output.scalars.count
        for (scalar, origin) in staged {
            if stripsAccents && BertCharacterClasses.isNonspacingMark(scalar) { continue }
            if options.lowercase {
                appendLowercased(scalar, origin: origin, to: &output)
            } else {
                output.scalars.append(scalar)
                output.origins.append(origin)
            }
        }
        splitWords(output.scalars, from: start, into: &output.words)
    }

    /// Cleanup, CJK spacing and canonical decomposition of one original scalar.
    @inline(__always)
    private func stage(_ original: Unicode.Scalar, origin: Int32,
                       into staged: inout [(scalar: Unicode.Scalar, origin: Int32)]) {
        var scalar = original
        if options.cleanText {
            if BertCharacterClasses.isRemovedByCleanup(scalar) { return }
            if BertCharacterClasses.isWhitespace(scalar) { scalar = " " }
        }
        let spaced = options.handleChineseCharacters && BertCharacterClasses.isChineseCharacter(scalar)
        // The spaces only separate words and are dropped by the word split, so their origin is moot.
        if spaced { staged.append((" ", origin)) }
        if stripsAccents, let decomposition = BertCharacterClasses.canonicalDecomposition(scalar) {
            for part in decomposition { staged.append((part, origin)) }
        } else {
            staged.append((scalar, origin))
        }
        if spaced { staged.append((" ", origin)) }
    }

    /// NFD's canonical ordering: within each run of combining marks, a stable sort by combining class.
    /// It only matters when marks arrive out of order and one of them survives accent stripping.
    private func reorderCombiningMarks(_ staged: inout [(scalar: Unicode.Scalar, origin: Int32)]) {
        var index = 1
        while index < staged.count {
            let combiningClass = staged[index].scalar.properties.canonicalCombiningClass.rawValue
            if combiningClass != 0 {
                var position = index
                while position > 0 {
                    let previousClass = staged[position - 1].scalar.properties.canonicalCombiningClass.rawValue
                    if previousClass <= combiningClass { break }
                    staged.swapAt(position - 1, position)
                    position -= 1
                }
            }
            index += 1
        }
    }

    /// Full lowercase mapping per scalar (Rust `char::to_lowercase`: "İ" becomes "i\u{307}").
    @inline(__always)
    private func appendLowercased(_ scalar: Unicode.Scalar, origin: Int32, to output: inout NormalizedWords) {
        if scalar.value < 0x80 {
            let isUpper = scalar.value >= 0x41 && scalar.value <= 0x5A
            output.scalars.append(isUpper ? Unicode.Scalar(scalar.value + 0x20)! : scalar)
            output.origins.append(origin)
        } else if scalar.properties.changesWhenLowercased {
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                output.scalars.append(lower)
                output.origins.append(origin)
            }
        } else {
            output.scalars.append(scalar)
            output.origins.append(origin)
        }
    }

    /// Splits `scalars[start...]` on whitespace (dropped) and punctuation (kept, one scalar per word).
    private func splitWords(_ scalars: [Unicode.Scalar], from start: Int, into words: inout [Range<Int>]) {
        var wordStart = start
        for index in start..<scalars.count {
            let scalar = scalars[index]
            if BertCharacterClasses.isWhitespace(scalar) {
                if wordStart < index { words.append(wordStart..<index) }
                wordStart = index + 1
            } else if BertCharacterClasses.isPunctuation(scalar) {
                if wordStart < index { words.append(wordStart..<index) }
                words.append(index..<index + 1)
                wordStart = index + 1
            }
        }
        if wordStart < scalars.count { words.append(wordStart..<scalars.count) }
    }
}
