import XCTest
@testable import NewsdropCore

final class CanonicalTextTests: XCTestCase {
    private func assertSameCanonical(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(CanonicalText.make(a), CanonicalText.make(b), "\(a.debugDescription) vs \(b.debugDescription)",
                       file: file, line: line)
    }

    func testBasicForm() {
        XCTAssertEqual(CanonicalText.make("The Bridge, it said, will CLOSE on Monday!"),
                       "the bridge it said will close on monday")
        XCTAssertEqual(CanonicalText.make("  48,000 vehicles; $14 million.  "), "48 000 vehicles 14 million")
        XCTAssertEqual(CanonicalText.make(""), "")
        XCTAssertEqual(CanonicalText.make(" .,;—“” "), "")
    }

    func testTypographyDoesNotMatter() {
        let straight = "\"We are not willing to gamble,\" she said - it's a long-term fix -- maybe."
        let curly = "“We are not willing to gamble,” she said — it’s a long–term fix — maybe."
        assertSameCanonical(straight, curly)
        XCTAssertEqual(CanonicalText.make(curly), "we are not willing to gamble she said its a long term fix maybe")
        assertSameCanonical("‘single’ quotes", "'single' quotes")
        assertSameCanonical("«guillemets» and „low quotes“", "guillemets and low quotes")
    }

    func testCaseAndSpacingDoNotMatter() {
        assertSameCanonical("HARBOR BRIDGE Closes", "harbor bridge closes")
        assertSameCanonical("harbor  bridge \t closes", "harbor bridge closes")
        assertSameCanonical("harbor\nbridge\r\n\r\ncloses", "harbor bridge closes")
        assertSameCanonical("harbor\u{00A0}bridge\u{2009}closes\u{3000}now", "harbor bridge closes now")
    }

    func testNFKCFoldsCompatibilityCharacters() {
        XCTAssertEqual(CanonicalText.make("ﬁnal ﬂight"), "final flight")
        XCTAssertEqual(CanonicalText.make("ＰＯＲＴＬＡＮＤ　１２３"), "portland 123")
        XCTAssertEqual(CanonicalText.make("Ⅻ km²"), "xii km2")
    }

    func testApostrophesAreRemovedNotSeparators() {
        XCTAssertEqual(CanonicalText.make("Moscow’s"), "moscows")
        assertSameCanonical("Moscow’s request", "Moscows request")
        assertSameCanonical("Moscow's request", "Moscows request")
        assertSameCanonical("Moscowʼs request", "Moscows request")  // U+02BC modifier letter apostrophe
        assertSameCanonical("Moscow＇s request", "Moscows request")  // U+FF07 full-width apostrophe
        assertSameCanonical("the city’s bridge", "the citys bridge")
    }

    func testNonLatinTextIsKept() {
        XCTAssertEqual(CanonicalText.make("Мост в Киеве ЗАКРЫТ."), "мост в киеве закрыт")
        XCTAssertEqual(CanonicalText.make("Η γέφυρα κλείνει!"), "η γέφυρα κλείνει")
        XCTAssertEqual(CanonicalText.make("東京の橋が閉鎖"), "東京の橋が閉鎖")
        XCTAssertEqual(CanonicalText.make("Zürich, São Paulo"), "zürich são paulo")
    }

    func testGreekFinalSigmaMatchesAcrossCase() {
        // "ΟΔΟΣ" and "οδος" are the same word in different case; canonical text should not care.
        // BUG: String.lowercased() maps every Σ to σ, never to final ς, so these differ
        // ("οδοσ" vs "οδος"). Case folding (which maps ς to σ) would make them agree.
        assertSameCanonical("ΟΔΟΣ ΚΛΕΙΣΤΗ", "οδος κλειστη")
    }

    func testComposedAndDecomposedAccentsAgree() {
        let composed = "Café São José Ñandú Київ"
        let decomposed = composed.decomposedStringWithCanonicalMapping
        XCTAssertNotEqual(Array(composed.unicodeScalars), Array(decomposed.unicodeScalars))
        assertSameCanonical(composed, decomposed)
        XCTAssertEqual(CanonicalText.make(decomposed), "café são josé ñandú київ")
    }

    func testCombiningMarksStayInsideTheirWord() {
        // Hindi vowel signs are spacing/nonspacing marks: the word must not split at them.
        XCTAssertEqual(CanonicalText.make("पुल बंद"), "पुल बंद")
    }

    func testASCIIFastPathAgreesWithUnicodePath() {
        // Appending an em dash (a separator) forces the Unicode path without changing the words.
        let samples = [
            "Harbor bridge to close for repairs as engineers find deeper cracks.",
            "It's 48,000 vehicles a day; $14 million (est.) -- \"we looked hard,\" Lindqvist said.",
            "MiXeD   case\ttabs\nnew lines\r\n and_underscores, ~tilde~ `back` ^caret^ {braces} [x] <y> |z| 100%",
            "a'b ''c'' d'", "", "!!!", "\u{7F}\u{01}control\u{1B}chars",
        ]
        for sample in samples {
            XCTAssertEqual(CanonicalText.make(sample), CanonicalText.make(sample + "\u{2014}"), sample.debugDescription)
            XCTAssertEqual(CanonicalText.make(sample), CanonicalText.make("\u{2014}" + sample), sample.debugDescription)
        }
        // Every printable ASCII character, one at a time, between two words.
        for byte in UInt8(0x20)...UInt8(0x7E) {
            let sample = "ab" + String(UnicodeScalar(byte)) + "cd"
            XCTAssertEqual(CanonicalText.make(sample), CanonicalText.make(sample + "\u{00A0}"), sample.debugDescription)
        }
    }

    func testOutputIsSingleSpacedLowerCase() {
        let output = CanonicalText.make("  A — B  …  C’s  ")
        XCTAssertEqual(output, "a b cs")
        XCTAssertFalse(output.contains("  "))
        XCTAssertEqual(output, output.lowercased())
    }

    // MARK: ContentHash

    func testSHA256KnownVectors() {
        XCTAssertEqual(ContentHash.sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(ContentHash.sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(ContentHash.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testSHA256OverByteCollections() {
        XCTAssertEqual(ContentHash.sha256Hex([UInt8]("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(ContentHash.sha256Hex([UInt8]()),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // A collection without contiguous storage takes the copying path.
        XCTAssertEqual(ContentHash.sha256Hex(repeatElement(UInt8(ascii: "a"), count: 3)),
                       "9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0")
        // A bridged or substring-backed String hashes its UTF-8 bytes.
        let sub = "xxabcxx".dropFirst(2).dropLast(2)
        XCTAssertEqual(ContentHash.sha256Hex(String(sub)), ContentHash.sha256Hex("abc"))
    }

    func testSHA256OfNonASCIIUsesUTF8() {
        // "é" is C3 A9 in UTF-8.
        XCTAssertEqual(ContentHash.sha256Hex("é"), ContentHash.sha256Hex([UInt8(0xC3), 0xA9]))
        XCTAssertNotEqual(ContentHash.sha256Hex("é"), ContentHash.sha256Hex("e\u{301}"))
        let hash = ContentHash.sha256Hex("Київ")
        XCTAssertEqual(hash.count, 64)
        XCTAssertTrue(hash.allSatisfy { "0123456789abcdef".contains($0) })
    }

    /// Text whose only non-ASCII characters are typographic punctuation takes a fast path; a
    /// single accented letter sends the same text down the full NFKC path. Both must agree.
    func testTypographicFastPathAgreesWithTheFullUnicodePath() {
        let typographic = "“Don’t,” she said — at 9\u{00A0}a.m. … «quoted» ‘single’ ‹x› • 3\u{2009}000\u{2011}odd ‚low„"
        XCTAssertEqual(CanonicalText.make(typographic + " é"), CanonicalText.make(typographic) + " é")
        XCTAssertEqual(CanonicalText.make(typographic), "dont she said at 9 a m quoted single x 3 000 odd low")
    }
}
