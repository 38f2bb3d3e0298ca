import Foundation
import XCTest
@testable import NewsdropCore

/// The story fixtures in Tests/Fixtures/story: five versions of one invented event.
final class FixtureTests: XCTestCase {
    static let storyFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // NewsdropCoreTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures/story", isDirectory: true)

    static let fileNames = ["100-wire.txt", "101-paraphrase.txt", "102-revision.txt", "103-rewrite.txt", "104-other-outlet.txt"]

    private func bytes(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let url = Self.storyFolder.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            XCTFail("missing fixture \(url.path)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return [UInt8](data)
    }

    private func article(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Article {
        let items = try DocumentParser.parse(try bytes(name, file: file, line: line), fileName: name)
        XCTAssertEqual(items.count, 1, name, file: file, line: line)
        XCTAssertEqual(items.first?.index, 0, name, file: file, line: line)
        return try XCTUnwrap(items.first, file: file, line: line).outcome.get()
    }

    /// A store without near-duplicates and stories needs no similarity features, and they are
    /// most of parsing's cost: a parse can leave them out, in every format, and computing them
    /// afterwards gives exactly what the parse would have.
    func testParsingCanLeaveSimilarityFeaturesOutAndTheyAreTheSameComputedLater() throws {
        let wire = try bytes("100-wire.txt")
        let text = String(decoding: wire, as: UTF8.self)
        let html = try [UInt8](Data(contentsOf: Self.storyFolder.deletingLastPathComponent().appendingPathComponent("html/article.html")))
        let jsonLine = try JSONSerialization.data(withJSONObject: ["title": "Wire", "text": text]) + Data("\n".utf8)
        for (name, input) in [("100-wire.txt", wire), ("article.html", html), ("wire.jsonl", [UInt8](jsonLine))] {
            let with = try XCTUnwrap(DocumentParser.parse(input, fileName: name).first).outcome.get()
            let without = try XCTUnwrap(DocumentParser.parse(input, fileName: name, similarityFeatures: false).first).outcome.get()
            XCTAssertNil(without.similarity, name)
            let features = try XCTUnwrap(with.similarity, name)
            XCTAssertFalse(features.units.isEmpty, name)
            XCTAssertEqual(SimilarityInput.features(of: without), features, name)
            XCTAssertEqual(SimilarityInput.features(of: with), features, name)
            var withLeftOut = with
            withLeftOut.similarity = nil
            XCTAssertEqual(withLeftOut, without, "\(name): only the features differ")
        }
        let fetched = try DocumentParser.parseFetched(html, contentType: "text/html", url: "https://a.example/x",
                                                      similarityFeatures: false).outcome.get()
        XCTAssertNil(fetched.similarity)
    }

    func testFixturesAreUTF8PlainTextOfTheRightLength() throws {
        for name in Self.fileNames {
            let data = try bytes(name)
            let text = try XCTUnwrap(String(validating: data, as: UTF8.self), name)
            XCTAssertEqual(try TextDecoding.decode(data), text, name)
            XCTAssertEqual(InputFormat.detect(fileName: name, text: text), .plainText, name)
            let words = text.split(whereSeparator: \.isWhitespace).count
            XCTAssertTrue((280...450).contains(words), "\(name) has \(words) words")
        }
    }

    func testWireStory() throws {
        let wire = try article("100-wire.txt")
        XCTAssertEqual(wire.title, "Harbor bridge to close for repairs as engineers find deeper cracks")
        XCTAssertEqual(wire.dateline, Dateline(place: "PORTLAND, Maine", agency: "AP"))
        XCTAssertEqual(wire.paragraphs.count, 9)
        XCTAssertTrue(wire.paragraphs[0].hasPrefix("The Casco Harbor Bridge, which carries about 48,000 vehicles"), wire.paragraphs[0])
        XCTAssertTrue(wire.text.contains("“We are not willing to gamble with anyone’s safety,”"))
        XCTAssertEqual(wire.paragraphs.last, "Business owners in South Portland’s Knightville neighborhood said they worried "
                       + "customers would stay away. The bridge is scheduled to reopen in late April if the work stays on schedule.")
        XCTAssertNil(wire.published)
        XCTAssertNil(wire.url)
        XCTAssertFalse(wire.canonicalText.contains("portland maine ap"))
    }

    func testParaphraseHasNoTitleOrDateline() throws {
        let spun = try article("101-paraphrase.txt")
        XCTAssertNil(spun.title)
        XCTAssertNil(spun.dateline)
        XCTAssertTrue(spun.paragraphs[0].hasPrefix("The Casco Harbor Bridge, which carries around"), spun.paragraphs[0])
        XCTAssertEqual(spun.paragraphs.count, 9)
    }

    func testRevisionHeaders() throws {
        let revision = try article("102-revision.txt")
        XCTAssertEqual(revision.title, "Harbor bridge closure extended as inspectors widen review")
        XCTAssertEqual(revision.publishedRaw, "20230314")
        XCTAssertEqual(revision.published?.iso8601, "2023-03-14T00:00:00Z")
        XCTAssertEqual(revision.url,
                       "https://www.example-news.test/local/harbor-bridge-closure-extended-5511?utm_source=rss&utm_medium=feed#comments")
        XCTAssertEqual(revision.canonicalURL, "https://www.example-news.test/local/harbor-bridge-closure-extended-5511")
        XCTAssertEqual(revision.dateline, Dateline(place: "PORTLAND, Maine", agency: "AP"))
        XCTAssertFalse(revision.text.contains("20230314"))
        XCTAssertFalse(revision.text.contains("https://"))
        XCTAssertTrue(revision.text.contains("the citys Metro buses"))
    }

    func testRewriteHasNoTitle() throws {
        let rewrite = try article("103-rewrite.txt")
        XCTAssertNil(rewrite.title)
        XCTAssertNil(rewrite.dateline)
        XCTAssertTrue(rewrite.paragraphs[0].hasPrefix("Drivers who depend on the Casco Harbor Bridge"), rewrite.paragraphs[0])
        XCTAssertTrue(rewrite.text.contains("according to the Associated Press"))
        XCTAssertTrue(rewrite.text.contains("Commuters Brace for Detours"))
    }

    func testOtherOutletTitleLeadInIsRemoved() throws {
        let other = try article("104-other-outlet.txt")
        XCTAssertEqual(other.title, "Harbor Bridge Shutdown Leaves Commuters Scrambling For Options")
        XCTAssertEqual(other.dateline, Dateline(place: "SOUTH PORTLAND", agency: nil))
        XCTAssertTrue(other.paragraphs[0].hasPrefix("At 6:45 on a gray weekday morning"), other.paragraphs[0])
    }

    func testNoBodyKeepsBoilerplateAndAllHashesDiffer() throws {
        var hashes: Set<String> = []
        for name in Self.fileNames {
            let article = try article(name)
            XCTAssertFalse(article.text.contains("Comments are closed"), name)
            XCTAssertFalse(article.text.contains("You're reading"), name)
            XCTAssertGreaterThan(article.wordCount, 250, name)
            hashes.insert(article.contentHash)
        }
        XCTAssertEqual(hashes.count, Self.fileNames.count)
    }

    func testWireStoryWithStraightQuotesAndNoFooterIsAnExactDuplicate() throws {
        // A careless copy of 100: straight quotes, no title, no footer, one paragraph per line.
        let original = try article("100-wire.txt")
        let text = String(decoding: try bytes("100-wire.txt"), as: UTF8.self)
            .replacingOccurrences(of: "“", with: "\"").replacingOccurrences(of: "”", with: "\"")
            .replacingOccurrences(of: "’", with: "'")
            .replacingOccurrences(of: "Comments are closed.", with: "")
            .replacingOccurrences(of: "\n\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
        let copy = try XCTUnwrap(DocumentParser.parse(Array(text.utf8), fileName: "copy.txt").first).outcome.get()
        XCTAssertNil(copy.title)
        XCTAssertEqual(copy.contentHash, original.contentHash)
    }
}
