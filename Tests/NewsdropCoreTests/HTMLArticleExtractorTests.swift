import Foundation
import XCTest
@testable import NewsdropCore

/// The HTML extractor on the hand-written pages in Tests/Fixtures/html and on pages built here.
final class HTMLArticleExtractorTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/html", isDirectory: true)

    private func fixture(_ name: String) throws -> [UInt8] {
        let url = Self.folder.appendingPathComponent(name)
        return [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: url.path), "missing fixture \(url.path)"))
    }

    private func extract(_ html: String, contentType: String? = nil, url: String? = nil) throws -> RawArticle {
        try HTMLArticleExtractor.extract(Array(html.utf8), contentType: contentType, url: url)
    }

    private func failure(_ bytes: [UInt8]) -> IngestFailure? {
        do { _ = try HTMLArticleExtractor.extract(bytes); return nil } catch { return error }
    }

    private static let prose = String(repeating: "<p>The council approved the budget on Tuesday, after a long debate about schools, roads, and parks.</p>", count: 5)

    // MARK: charset routes

    func testByteOrderMarkDecidesOverMetaDeclaration() throws {
        let page = "<html><head><meta charset=\"windows-1252\"></head><body><article>\(Self.prose)<p>Café Zürich</p></article></body></html>"
        let article = try HTMLArticleExtractor.extract([0xEF, 0xBB, 0xBF] + Array(page.utf8))
        XCTAssertTrue(article.text.contains("Café Zürich"), article.text)
    }

    func testContentTypeArgumentDecidesOverMetaDeclaration() throws {
        // The bytes are windows-1252 ("caf\u{E9}"), the meta lies ("utf-8"), the HTTP header is right.
        let page = Array("<html><head><meta charset=\"utf-8\"></head><body><article>\(Self.prose)<p>caf".utf8) + [0xE9]
            + Array(" au lait</p></article></body></html>".utf8)
        let article = try HTMLArticleExtractor.extract(page, contentType: "text/html; charset=ISO-8859-1")
        XCTAssertTrue(article.text.contains("café au lait"), article.text)
        XCTAssertEqual(HTMLCharset.detect(page, contentType: "text/html; charset=\"windows-1252\"").charset, .windows1252)
    }

    func testMetaDeclaredWindows1252KeepsCurlyQuotes() throws {
        let article = try HTMLArticleExtractor.extract(try fixture("windows-1252.html"))
        XCTAssertEqual(article.title, "Café reopens")
        XCTAssertTrue(article.text.contains("\u{201C}We are back,\u{201D} said the owner of the café"), article.text)
    }

    func testUndeclaredUTF8IsReadAsUTF8() throws {
        let article = try HTMLArticleExtractor.extract(try fixture("utf8-undeclared.html"))
        XCTAssertEqual(article.title, "Zürich tram strike")
        XCTAssertTrue(article.text.contains("S-Bahn — “a long morning”"), article.text)
    }

    func testUndeclaredLatinBytesAreReadAsWindows1252() throws {
        let bytes = try fixture("latin-undeclared.html")
        XCTAssertEqual(HTMLCharset.detect(bytes, contentType: nil).charset, .windows1252)
        let article = try HTMLArticleExtractor.extract(bytes)
        XCTAssertEqual(article.title, "Crème brûlée contest")
        XCTAssertTrue(article.text.hasPrefix("The crème brûlée contest drew forty bakers"), article.text)
    }

    func testOtherDeclaredCharsetsAreConvertedByIconv() throws {
        let koi8: [UInt8] = [240, 210, 201, 215, 197, 212, 44, 32, 205, 201, 210]  // "Привет, мир"
        let page = Array("<html><head><meta charset=\"koi8-r\"></head><body><article>\(Self.prose)<p>".utf8) + koi8
            + Array("</p></article></body></html>".utf8)
        let article = try HTMLArticleExtractor.extract(page)
        XCTAssertTrue(article.text.hasSuffix("Привет, мир"), article.text)
    }

    func testUnknownDeclaredCharsetIsReadLikeAnUndeclaredPage() throws {
        let page = Array("<html><head><meta charset=\"x-no-such-charset\"></head><body><article>\(Self.prose)<p>caf".utf8) + [0xE9]
            + Array("</p></article></body></html>".utf8)
        let article = try HTMLArticleExtractor.extract(page)
        XCTAssertTrue(article.text.hasSuffix("café"), article.text)
    }

    func testStaleMetaDeclarationLosesToWholePageUTF8() {
        let page = Array("<html><head><meta charset=\"gb2312\"></head><body><p>新闻 Zürich</p></body></html>".utf8)
        XCTAssertEqual(HTMLCharset.detect(page, contentType: nil).charset, .utf8)
    }

    func testNULBytesAreStrippedInsteadOfEndingTheDocument() throws {
        var bytes = Array("<html><body><article><p>First part of the story.</p>".utf8) + [0, 0]
        bytes += Array("\(Self.prose)<p>Last part after the NUL bytes.</p></article></body></html>".utf8)
        let article = try HTMLArticleExtractor.extract(bytes)
        XCTAssertTrue(article.text.contains("Last part after the NUL bytes."), article.text)
        XCTAssertFalse(article.text.contains("\u{0}"))
    }

    // MARK: metadata and its precedence

    func testMetadataFromJSONLDWinsOverMetaTags() throws {
        let article = try HTMLArticleExtractor.extract(try fixture("article.html"), url: "https://harbor.example/x?utm_source=feed")
        XCTAssertEqual(article.title, "Harbor bridge closes Monday")  // JSON-LD headline over og:title and <title>
        XCTAssertEqual(article.author, "Jane Doe, John Roe")          // JSON-LD authors over meta author and byline
        XCTAssertEqual(article.published, "2024-03-08T08:00:00Z")     // JSON-LD datePublished over article:published_time
        XCTAssertEqual(article.url, "https://harbor.example/news/2024/03/08/bridge-to-close")  // canonical over og:url and the argument
        XCTAssertEqual(article.language, "en-GB")
        XCTAssertEqual(article.outlet, "Harbor Times")                // og:site_name over JSON-LD publisher
    }

    func testMetaTagsWinOverTheDocument() throws {
        let page = """
        <html><head><title>Doc title - Site</title><meta property="og:title" content="OG title">
        <meta name="author" content="Meta Author"><meta property="article:published_time" content="2023-05-01">
        <meta property="og:url" content="https://site.example/og"><meta property="og:locale" content="fr_FR">
        </head><body><time datetime="2020-01-01">then</time><div class="byline">By Byline Person</div><article>\(Self.prose)</article></body></html>
        """
        let article = try extract(page, url: "https://site.example/given")
        XCTAssertEqual(article.title, "OG title")
        XCTAssertEqual(article.author, "Meta Author")
        XCTAssertEqual(article.published, "2023-05-01")
        XCTAssertEqual(article.url, "https://site.example/og")
        XCTAssertEqual(article.language, "fr-FR")
    }

    func testDocumentFallbacks() throws {
        let page = """
        <html><head><title>A long headline about the harbor bridge | Harbor Times</title></head>
        <body><article><p class="byline">By Sam Writer</p><time datetime="2022-02-03T10:00:00Z">Feb 3</time>\(Self.prose)</article></body></html>
        """
        let article = try extract(page, url: "https://given.example/a")
        XCTAssertEqual(article.title, "A long headline about the harbor bridge")  // site-name suffix removed
        XCTAssertEqual(article.author, "By Sam Writer")                          // the byline element
        XCTAssertEqual(article.published, "2022-02-03T10:00:00Z")                 // <time datetime>
        XCTAssertEqual(article.url, "https://given.example/a")                    // the given URL
        XCTAssertFalse(article.text.contains("Sam Writer"), "the byline is metadata, not body text")
        let dated = try extract("<html><body><article>\(Self.prose)</article></body></html>", url: "https://n.example/2021/07/09/story")
        XCTAssertEqual(dated.published, "2021-07-09")                             // a date in the URL
    }

    func testTitleFallsBackToFirstHeadingAndKeepsShortTitlesWhole() throws {
        let headed = try extract("<html><body><h1>Heading as title</h1><article>\(Self.prose)</article></body></html>")
        XCTAssertEqual(headed.title, "Heading as title")
        XCTAssertEqual(TitleCleaner.clean("Mozilla - Wikipedia", siteName: nil), "Mozilla - Wikipedia")
        XCTAssertEqual(TitleCleaner.clean("Bridge to close - Harbor Times", siteName: "Harbor Times"), "Bridge to close")
        XCTAssertEqual(TitleCleaner.clean("Harbor Times | Council approves the budget for next year", siteName: nil),
                       "Council approves the budget for next year")
    }

    // MARK: body

    func testFurnitureIsRemovedAndStructureKept() throws {
        let article = try HTMLArticleExtractor.extract(try fixture("article.html"))
        let paragraphs = article.text.components(separatedBy: "\n\n")
        XCTAssertTrue(paragraphs.first?.hasPrefix("The harbor bridge will close on Monday") == true, article.text)
        XCTAssertTrue(paragraphs.contains("What changes for commuters"), "headings are paragraphs")
        XCTAssertTrue(paragraphs.contains("Free rides for bus ticket holders during the closure."), "list items are paragraphs")
        XCTAssertTrue(paragraphs.contains("We had no choice but to act quickly, the chief engineer said."), "quotations are paragraphs")
        for furniture in ["News", "Harbor Times home", "Share this story", "newsletter", "Ferry fares rise", "Most read",
                          "First comment", "Copyright", "this script text", "color: red", "Harbor bridge closes Monday"] {
            XCTAssertFalse(article.text.contains(furniture), "\(furniture) leaked into: \(article.text)")
        }
    }

    func testKnownContainerIsPreferredWhenItHoldsEnoughText() throws {
        let article = try HTMLArticleExtractor.extract(try fixture("known-container.html"))
        XCTAssertTrue(article.text.hasPrefix("The harbor bridge will close on Monday"), article.text)
        XCTAssertFalse(article.text.contains("Unlabelled introduction"), article.text)
    }

    func testScoringPrefersProseOverLinkLists() throws {
        let article = try HTMLArticleExtractor.extract(try fixture("scoring.html"))
        XCTAssertTrue(article.text.hasPrefix("The harbor bridge will close on Monday"), article.text)
        XCTAssertFalse(article.text.contains("Another headline"), article.text)
        XCTAssertEqual(article.text.components(separatedBy: "\n\n").count, 4)
    }

    func testJSONLDArticleBodyStandsInForThinMarkup() throws {
        let article = try HTMLArticleExtractor.extract(try fixture("jsonld-body.html"))
        XCTAssertEqual(article.title, "Floods reach the old town")
        XCTAssertTrue(article.text.hasPrefix("Flood water reached the old town on Sunday night"), article.text)
    }

    // MARK: hostile and empty input

    func testNestingOneHundredThousandDeepWorks() throws {
        let depth = 100_000
        let page = "<html><body>" + String(repeating: "<div>", count: depth) + "<p>Deep inside the page, the story still has a sentence, with commas, to find.</p>"
            + String(repeating: "</div>", count: depth) + "</body></html>"
        let article = try extract(page)
        XCTAssertEqual(article.text, "Deep inside the page, the story still has a sentence, with commas, to find.")
    }

    func testEmptyAndScriptOnlyPagesFailWithAReason() {
        XCTAssertEqual(failure([])?.stage, .validate)
        let scriptOnly = failure(Array("<html><head><script>var a = 'not text';</script></head><body><script>b()</script></body></html>".utf8))
        XCTAssertEqual(scriptOnly, IngestFailure(.validate, "no article text: the HTML page has no visible text"))
        let navOnly = failure(Array("<html><body><nav><a href=/>Home</a> <a href=/n>News</a></nav></body></html>".utf8))
        XCTAssertEqual(navOnly?.reason, "no article text: the page's only text is navigation, scripts or other page furniture")
    }

    func testDocumentParserTurnsHTMLFilesIntoNormalizedArticles() throws {
        let items = try DocumentParser.parse(try fixture("article.html"), fileName: "bridge.htm")
        let article = try XCTUnwrap(items.first).outcome.get()
        XCTAssertEqual(article.title, "Harbor bridge closes Monday")
        XCTAssertEqual(article.published?.description.isEmpty, false)
        XCTAssertEqual(article.outlet, "Harbor Times")
        XCTAssertTrue(article.paragraphs.first?.hasPrefix("The harbor bridge will close") == true)
    }
}
