import XCTest
@testable import KexueText

final class PassageWindowingTests: XCTestCase {
    func starts(_ text: String) -> [Int] { SentenceBoundaries.starts(in: Array(text.unicodeScalars)) }

    func testSentenceStartsSkipAbbreviationsAndInitials() {
        let text = "Mr. Smith lived in the U.S. for years. He left! Did he return? \"Yes.\" J. R. R. Tolkien wrote it."
        let s = starts(text)
        let sentences = zip(s, s.dropFirst().map { $0 } + [text.unicodeScalars.count]).map { a, b in
            String(String.UnicodeScalarView(Array(text.unicodeScalars)[a..<b])).trimmingCharacters(in: .whitespaces)
        }
        XCTAssertEqual(sentences, ["Mr. Smith lived in the U.S. for years.", "He left!", "Did he return?", "\"Yes.\"",
                                   "J. R. R. Tolkien wrote it."])
    }

    func testChineseSentencesEndWithoutSpaces() {
        XCTAssertEqual(starts("北京是首都。上海很大！你去过吗？"), [0, 6, 11])
    }

    /// Pieces are the passage's words; each sentence here is 4 words.
    func pieces(_ text: String) -> [Range<Int>] {
        var out: [Range<Int>] = [], start: Int?
        for (i, c) in (Array(text.unicodeScalars) + [" "]).enumerated() {
            if c == " " { if let s = start { out.append(s..<i); start = nil } } else if start == nil { start = i }
        }
        return out
    }

    func testSentenceWindowsHoldWholeSentencesAroundTheAnswer() {
        let text = (0..<10).map { "s\($0) wa wb wc." }.joined(separator: " ")  // 10 sentences × 4 pieces
        let offsets = pieces(text), s = starts(text)
        XCTAssertEqual(s.count, 10)
        // Answer = piece 21 (sentence 5); a budget of 10 pieces holds two whole sentences.
        let (lo, hi) = PassageWindowing.sentences.window(offsets: offsets, sentenceStarts: s, answer: 21...21, budget: 10)
        XCTAssertEqual(lo % 4, 0, "the window starts at a sentence start")
        XCTAssertEqual(hi % 4, 0, "the window ends at a sentence end")
        XCTAssertLessThanOrEqual(hi - lo, 10)
        XCTAssertEqual(hi - lo, 8, "it grows while a whole sentence still fits")
        XCTAssertTrue(lo <= 21 && 21 < hi)
        // Every answer position and budget: the window contains the answer and respects the budget.
        for budget in [4, 7, 12, 39] {
            for a in 0..<40 {
                let (lo, hi) = PassageWindowing.sentences.window(offsets: offsets, sentenceStarts: s, answer: a...min(a + 2, 39), budget: budget)
                XCTAssertTrue(lo <= a && min(a + 2, 39) < hi && hi - lo <= budget, "budget \(budget), answer \(a): \(lo)..<\(hi)")
            }
        }
    }

    func testAnswerSentencesLongerThanTheBudgetFallBackToCentred() {
        let text = (0..<5).map { "s\($0) wa wb wc wd we wf wg." }.joined(separator: " ")  // 8 pieces per sentence
        let offsets = pieces(text), s = starts(text)
        let answer = 18...19
        let sentences = PassageWindowing.sentences.window(offsets: offsets, sentenceStarts: s, answer: answer, budget: 6)
        let centred = PassageWindowing.centred(count: offsets.count, answer: answer, budget: 6)
        XCTAssertEqual(sentences.0, centred.0)
        XCTAssertEqual(sentences.1, centred.1)
        XCTAssertEqual(PassageWindowing.sentences.window(offsets: offsets, sentenceStarts: s, answer: answer, budget: 100).1, 40,
                       "a passage within the budget is kept whole")
    }
}
