import Foundation
import XCTest
@testable import NewsdropCore

/// Text processing (SPEC §2) against the Python reference: folding, tokens, sentences, stems, content terms.
final class SimilarityTextTests: XCTestCase {
    private func tokens(_ text: String) -> [String] {
        let folded = FoldedText(title: nil, body: text)
        var words = WordBuffer(capacity: folded.scalars.count)
        words.appendTokens(of: folded.scalars, in: 0..<folded.scalars.count)
        return words.tokens.map { String(decoding: words.bytes[$0.bytes], as: UTF8.self) }
    }

    private func sentences(_ text: String) -> [String] {
        let folded = FoldedText(title: nil, body: text)
        return SentenceSplitter.sentences(in: folded.scalars).map {
            String(String.UnicodeScalarView(folded.scalars[$0]))
        }
    }

    private func stem(_ word: String) -> String {
        let bytes = Array(word.utf8)
        return TermStem(bytes, 0..<bytes.count, length: word.unicodeScalars.count).string(bytes, 0..<bytes.count)
    }

    func testTokensMatchReference() {
        for (text, expected) in SimilarityReference.tokens {
            XCTAssertEqual(tokens(text), expected, text)
        }
    }

    func testApostrophesInsideWordsAreDropped() {
        XCTAssertEqual(tokens("Russia’s leader didn't say ‘no’"), ["russias", "leader", "didnt", "say", "no"])
        // Only between two letters or digits: leading, trailing and doubled apostrophes separate.
        XCTAssertEqual(tokens("'90s rock'' n' roll"), ["90s", "rock", "n", "roll"])
    }

    func testFinalSigmaAndFullLowercase() {
        XCTAssertEqual(tokens("ΟΔΟΣ ΣΟΦΟΣ"), ["οδος", "σοφος"])
        XCTAssertEqual(tokens("İstanbul"), ["i\u{307}stanbul"])
    }

    func testSentencesMatchReference() {
        for (text, expected) in SimilarityReference.sentences {
            XCTAssertEqual(sentences(text), expected, text)
        }
    }

    func testAbbreviationsDoNotEndSentences() {
        XCTAssertEqual(sentences("The U.S. Army left. Mr. Smith stayed."), ["The U.S. Army left.", "Mr. Smith stayed."])
        XCTAssertEqual(sentences("They met at 9 a.m. Friday. Then left."), ["They met at 9 a.m. Friday.", "Then left."])
        XCTAssertEqual(sentences("Sen. Jones and Gov. Lee spoke. Plan B. works. Jan. 5 is set."),
                       ["Sen. Jones and Gov. Lee spoke.", "Plan B. works.", "Jan. 5 is set."])
        // Case does not matter, and wrapping quotes or brackets are ignored.
        XCTAssertEqual(sentences("SEN. JONES spoke. (Dr. Who) came."), ["SEN. JONES spoke.", "(Dr. Who) came."])
        // Closing quotes stay with their sentence; a sentence needs whitespace after it to end.
        XCTAssertEqual(sentences("He said, “Go.” She left.'' Done.No"), ["He said, \"Go.\"", "She left.''", "Done.No"])
        XCTAssertEqual(sentences("Really?! Yes... maybe."), ["Really?!", "Yes...", "maybe."])
    }

    func testLineBreaksEndSentencesAndBlankLinesVanish() {
        XCTAssertEqual(sentences("Title without stop\n\n  First one. Second\r\n\n"), ["Title without stop", "First one.", "Second"])
    }

    func testStemsMatchReference() {
        for (word, expected) in SimilarityReference.stems {
            XCTAssertEqual(stem(word), expected, word)
        }
        // Lengths count scalars, not bytes: "éies" has four scalars, too short for "ies" → "y".
        XCTAssertEqual(stem("éies"), "éie")
    }

    func testStopwordsAndShortTokensAreNotTerms() {
        let text = SimilarityText(title: nil, body: "The US and a x of it were told, according to them.")
        XCTAssertTrue(text.termNames.isEmpty, "\(text.termNames)")
        let names = Set(SimilarityText(title: nil, body: "Officials told reporters about 2 new bridges.").termNames.values)
        XCTAssertEqual(names, ["official", "reporter", "new", "bridg"])
    }

    func testContentTermsMatchReference() {
        for (text, expected) in SimilarityReference.contentTerms {
            let features = SimilarityFeatures(title: nil, body: text)
            let expectedUnit = Set(expected.map { UInt32(truncatingIfNeeded: SimilarityHash.term($0)) }).sorted()
            XCTAssertEqual(features.units, [SentenceUnit(terms: expectedUnit)], text)
            let names = SimilarityText(title: nil, body: text).termNames
            for term in expected {
                XCTAssertEqual(names[SimilarityHash.term(term)], term, text)
            }
        }
    }

    func testStoryWeightsMatchReference() {
        let example = SimilarityReference.weightsExample
        let weights = SimilarityFeatures(title: example.title, body: example.body).termWeights
        let names = SimilarityText(title: example.title, body: example.body).termNames
        XCTAssertEqual(Set(names.values), Set(example.weights.keys))
        for (term, expected) in example.weights {
            XCTAssertEqual(weights[SimilarityHash.term(term)] ?? .nan, expected, accuracy: 1e-12, term)
        }
    }

    func testTitleBoostAndEntityBoostFollowSettings() {
        var settings = SimilaritySettings()
        settings.titleBoost = 3
        settings.entityBoost = 1
        let weights = SimilarityFeatures(title: "bridges close", body: "the bridge closes. Portland waits.", settings: settings).termWeights
        XCTAssertEqual(weights[SimilarityHash.term("bridg")] ?? .nan, 1 + log(4.0), accuracy: 1e-12)
        XCTAssertEqual(weights[SimilarityHash.term("clos")] ?? .nan, 1 + log(4.0), accuracy: 1e-12)
        // Sentence-initial capitals are not entities; with entityBoost 1 nothing would show anyway.
        XCTAssertEqual(weights[SimilarityHash.term("portland")] ?? .nan, 1, accuracy: 1e-12)
    }

    /// The fast NFKC path must agree with Foundation's normaliser on whatever it does not copy directly.
    func testFoldingMatchesFoundationNFKC() {
        let samples = [
            "plain ASCII, nothing to do", "café naïve Ångström", "e\u{301}te\u{301} and A\u{30A}", "ﬁne ﬂow ﬃ",
            "Ｆｕｌｌ－ｗｉｄｔｈ １２３", "x² H₂O ½ ⅷ", "no\u{A0}break\u{2009}thin\u{202F}narrow", "wait… what‥ ok․",
            "\u{301}leading mark", "한국어 \u{1100}\u{1161}\u{11A8} ㈜", "ΟΔΟΣ Ά ά ᾷ", "“quotes” ‘single’ — – ‑ −",
            "\u{A0}\u{301}", "…\u{308}", "Kelvin \u{212A} Ohm \u{2126} Å \u{212B}", "ℌ ℍ № ™ ℡",
        ]
        for sample in samples {
            var folded: [Unicode.Scalar] = []
            FoldedText.fold(sample, into: &folded)
            var expected: [Unicode.Scalar] = []
            for scalar in sample.precomposedStringWithCompatibilityMapping.unicodeScalars {
                switch scalar.value {
                case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x60, 0xB4: expected.append("'")
                case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0xAB, 0xBB: expected.append("\"")
                case 0x2010...0x2015, 0x2212: expected.append("-")
                default: expected.append(scalar)
                }
            }
            XCTAssertEqual(folded, expected, sample)
        }
    }

    func testTitleIsItsOwnLine() {
        let withTitle = SimilarityText(title: "Bridge closes for repairs", body: "Engineers found deep cracks.")
        XCTAssertEqual(withTitle.unitSentences, ["Bridge closes for repairs", "Engineers found deep cracks."])
        // An empty title is no title.
        XCTAssertEqual(SimilarityFeatures(title: "", body: "Engineers found deep cracks."),
                       SimilarityFeatures(title: nil, body: "Engineers found deep cracks."))
    }

    func testLongSentencesAreCutIntoUnitsOfFortyTerms() {
        let words = (1...90).map { "word\($0)x" }
        let features = SimilarityFeatures(title: nil, body: words.joined(separator: " ") + ".")
        XCTAssertEqual(features.units.map(\.terms.count), [40, 40, 10])
        XCTAssertEqual(features.sentenceKeys.count, 6)
        // Fewer than three distinct terms make no unit.
        XCTAssertTrue(SimilarityFeatures(title: nil, body: "Bridge bridge bridges closed.").units.isEmpty)
    }

    func testEmptyTextHasZeroSignature() {
        let empty = SimilarityFeatures(title: nil, body: "")
        XCTAssertEqual(empty.minhash, Array(repeating: 0, count: 64))
        XCTAssertEqual(empty.bandKeys.count, 16)
        XCTAssertTrue(empty.units.isEmpty && empty.sentenceKeys.isEmpty && empty.termWeights.isEmpty)
    }

    func testHashFunctions() {
        XCTAssertEqual(SimilarityHash.fnv1a64([]), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(SimilarityHash.fnv1a64(Array("a".utf8)), 0xAF63_DC4C_8601_EC8C)
        XCTAssertEqual(SimilarityHash.term("foobar"), 0x8594_4171_F739_67E8)
        XCTAssertEqual(SimilarityHash.mix64(0), 0xE220_A839_7B1D_CDAF)
    }

    func testFeaturesReadAtMostTheFirstHundredThousandCharactersCutAtAParagraph() {
        let short = "A short body.\n\nTwo paragraphs."
        XCTAssertEqual(SimilarityInput.bounded(short), short)
        // 3 bytes a character: more bytes than the limit, fewer characters, so nothing is cut.
        let wide = String(repeating: "\u{20AC}", count: 40_000)
        XCTAssertEqual(SimilarityInput.bounded(wide), wide)
        let paragraph = String(repeating: "word ", count: 1_999) + "end."
        let long = Array(repeating: paragraph, count: 15).joined(separator: "\n\n")  // 150,013 characters
        let cut = SimilarityInput.bounded(long)
        XCTAssertEqual(cut, Array(repeating: paragraph, count: 9).joined(separator: "\n\n"))
        XCTAssertEqual(SimilarityInput.features(title: nil, body: long), SimilarityFeatures(title: nil, body: cut))
    }
}
