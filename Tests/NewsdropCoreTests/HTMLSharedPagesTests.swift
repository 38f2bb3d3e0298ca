import Foundation
import XCTest
@testable import NewsdropCore

/// Every readability development page (../shared/html/readability-pages) goes through the
/// extractor without a crash and, for pages whose expected article has text, yields text.
final class HTMLSharedPagesTests: XCTestCase {
    func testEveryDevelopmentPageYieldsText() throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/html/readability-pages", isDirectory: true)
        guard let pages = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw XCTSkip("missing \(folder.path): the shared development pages are not on this machine")
        }
        var extracted = 0
        for page in pages.sorted() {
            guard let bytes = FileManager.default.contents(atPath: folder.appendingPathComponent("\(page)/source.html").path) else { continue }
            let article = try HTMLArticleExtractor.extract([UInt8](bytes))
            XCTAssertFalse(article.text.isEmpty, page)
            extracted += 1
        }
        XCTAssertGreaterThan(extracted, 100)
    }
}
