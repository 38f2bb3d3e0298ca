import Foundation
import XCTest
@testable import NewsdropCore

/// The real seed articles shared with the rest of the project, in ../shared/seeds next to the package.
final class SeedTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // NewsdropCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    static let seedsFolder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/seeds", isDirectory: true)

    private var seeds: [String: (name: String, article: Article)] = [:]

    override func setUpWithError() throws {
        let folder = Self.seedsFolder.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw XCTSkip("../shared/seeds is absent: \(folder) does not exist, so the seed articles cannot be checked")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".txt") {
            let data = try XCTUnwrap(FileManager.default.contents(atPath: folder + "/" + name), name)
            let items = try DocumentParser.parse([UInt8](data), fileName: name)
            XCTAssertEqual(items.count, 1, name)
            seeds[String(name.prefix(3))] = (name, try XCTUnwrap(items.first).outcome.get())
        }
    }

    private func seed(_ number: String, file: StaticString = #filePath, line: UInt = #line) throws -> Article {
        try XCTUnwrap(seeds[number], "no seed \(number)_*.txt in \(Self.seedsFolder.path)", file: file, line: line).article
    }

    func testSeed001IsTheAPWireStory() throws {
        let article = try seed("001")
        XCTAssertEqual(article.title, "Blinken to visit Ukraine as US-Russian tensions escalate")
        XCTAssertEqual(article.dateline, Dateline(place: "WASHINGTON", agency: "AP"))
        XCTAssertFalse(article.text.contains("Comments are closed."))
        XCTAssertFalse(article.text.contains("Comments are closed"))
        XCTAssertTrue(article.paragraphs[0].hasPrefix("Secretary of State Antony Blinken will travel to Ukraine"), article.paragraphs[0])
    }

    func testSeed003HeadersAreParsed() throws {
        let article = try seed("003")
        XCTAssertEqual(article.title, "Blinken to meet with senior Russian as Ukraine tensions soar")
        XCTAssertEqual(article.published?.iso8601, "2022-01-18T00:00:00Z")
        XCTAssertEqual(article.publishedRaw, "20220118")
        let url = try XCTUnwrap(article.url)
        XCTAssertTrue(url.hasPrefix("https://www.thereminder.ca/"), url)
        XCTAssertEqual(article.canonicalURL, url)
        XCTAssertTrue(article.paragraphs[0].hasPrefix("Lavrov reaffirmed"), article.paragraphs[0])
    }

    func testSeed000TitleLeadInIsRemoved() throws {
        XCTAssertEqual(try seed("000").title, "Secretary Blinken To Visit Ukraine As Efforts To Avert War Intensify")
    }

    func testSeeds002And004HaveNoTitle() throws {
        let spun = try seed("002")
        XCTAssertNil(spun.title)
        XCTAssertTrue(spun.paragraphs[0].hasPrefix("Blinken will be visiting Kyiv"), spun.paragraphs[0])
        let other = try seed("004")
        XCTAssertNil(other.title)
        XCTAssertTrue(other.paragraphs[0].hasPrefix("United States Secretary of State"), other.paragraphs[0])
    }

    func testAllSeedsHaveDifferentContentHashes() throws {
        let numbers = ["000", "001", "002", "003", "004"]
        let hashes = try numbers.map { try seed($0).contentHash }
        XCTAssertEqual(Set(hashes).count, numbers.count)
        for number in numbers {
            let article = try seed(number)
            XCTAssertEqual(article.contentHash, ContentHash.sha256Hex(article.canonicalText), number)
            XCTAssertGreaterThan(article.wordCount, 300, number)
        }
    }
}
