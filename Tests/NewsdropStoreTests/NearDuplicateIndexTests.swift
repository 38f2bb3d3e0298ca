import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import XCTest

/// Verification reads each candidate's stored sentence units where SQLite holds them
/// (`Statement.firstBlob`): they must come back exactly as parsed, and a missing row or an
/// unreadable blob must read as "no units", never as a crash or a wrong article's units.
final class NearDuplicateIndexTests: XCTestCase {
    func testStoredUnitsComeBackAsParsedAndBadOnesAsNone() throws {
        let temporary = try TemporaryStore()
        let text = """
            Harbor bridge to close

            Engineers found cracks in the steel beams of the Casco Harbor Bridge on Tuesday. \
            The bridge will close on Monday for six weeks of repairs, the city said.
            """
        let bytes = Array(text.utf8)
        let items = try DocumentParser.parse(bytes, fileName: "units.txt")
        let article = try items[0].outcome.get()
        let delivery = Delivery(key: "units", origin: .file, name: "units.txt", receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000),
                                rawSHA256: ContentHash.sha256Hex(bytes), content: .items(items))
        let id = try XCTUnwrap(try temporary.store.record([delivery])[0].items[0].outcome.addedArticle?.articleID)
        XCTAssertFalse(article.similarity.units.isEmpty)

        func storedUnits(of articleID: Int64) throws -> [SentenceUnit]? {
            try temporary.store.pool.read { db in
                try NearDuplicateIndex(db: db, settings: SimilaritySettings(), pending: PendingPostings(budget: 1))
                    .withUnits(of: articleID) { $0.map { SentenceUnit(terms: Array($0)) } }
            }
        }
        XCTAssertEqual(try storedUnits(of: id), article.similarity.units)
        XCTAssertNil(try storedUnits(of: id + 1), "no such article")

        let whole = FeatureCoding.encode(units: article.similarity.units)
        for blob in [[], Array(whole.dropLast()), whole + [0], [0x12] + whole.dropFirst()] {
            try temporary.store.pool.write { db in
                try db.execute(sql: "UPDATE article_features SET units = ? WHERE article_id = ?", arguments: [Data(blob), id])
            }
            XCTAssertNil(try storedUnits(of: id), "a blob of \(blob.count) bytes")
        }
    }
}
