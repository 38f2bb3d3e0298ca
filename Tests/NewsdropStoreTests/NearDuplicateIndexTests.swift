import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import XCTest

/// Verification reads each candidate's stored sentence units where SQLite holds them
/// (`Statement.firstBlob`): they must come back exactly as parsed, and a missing row or an
/// unreadable blob must read as "no units", never as a crash or a wrong article's units.
final class NearDuplicateIndexTests: XCTestCase {
    /// The daemon parses without similarity features when the store does not place articles;
    /// an article that reaches a placing store without them is placed exactly as if it had them.
    func testAnArticleParsedWithoutFeaturesIsPlacedAsIfItHadThem() throws {
        let sentences = (1...12).map { "Inspectors counted \($0 * 7) cracked rivets on span \($0) of the Casco Harbor Bridge." }
        let original = "Harbor bridge cracks\n\n" + sentences.joined(separator: " ")
        let revision = "Harbor bridge cracks, updated\n\n" + sentences.dropLast().joined(separator: " ") + " The city will reopen it."
        func placement(revisionHasFeatures: Bool) throws -> Row? {
            let temporary = try TemporaryStore()
            for (key, text, features) in [("a", original, true), ("b", revision, revisionHasFeatures)] {
                let bytes = Array(text.utf8)
                let items = try DocumentParser.parse(bytes, fileName: "\(key).txt", similarityFeatures: features)
                XCTAssertEqual(try items[0].outcome.get().similarity == nil, !features)
                _ = try temporary.store.record([Delivery(key: key, origin: .file, name: "\(key).txt",
                                                         receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000),
                                                         rawSHA256: ContentHash.sha256Hex(bytes), content: .items(items))])
            }
            return try temporary.store.pool.read { db in
                try Row.fetchOne(db, sql: "SELECT duplicate_group, duplicate_of, duplicate_similarity, story_id FROM articles WHERE id = 2")
            }
        }
        let computedLater = try XCTUnwrap(try placement(revisionHasFeatures: false))
        XCTAssertEqual(computedLater["duplicate_group"] as Int64?, 1, "the revision is a near-duplicate of the original")
        XCTAssertEqual(computedLater, try placement(revisionHasFeatures: true))
    }

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
        let units = try XCTUnwrap(article.similarity).units
        XCTAssertFalse(units.isEmpty)

        func storedUnits(of articleID: Int64) throws -> [SentenceUnit]? {
            try temporary.store.pool.read { db in
                try NearDuplicateIndex(db: db, settings: SimilaritySettings(), pending: PendingPostings(budget: 1))
                    .withUnits(of: articleID) { $0.map { SentenceUnit(terms: Array($0)) } }
            }
        }
        XCTAssertEqual(try storedUnits(of: id), units)
        XCTAssertNil(try storedUnits(of: id + 1), "no such article")

        let whole = FeatureCoding.encode(units: units)
        for blob in [[], Array(whole.dropLast()), whole + [0], [0x12] + whole.dropFirst()] {
            try temporary.store.pool.write { db in
                try db.execute(sql: "UPDATE article_features SET units = ? WHERE article_id = ?", arguments: [Data(blob), id])
            }
            XCTAssertNil(try storedUnits(of: id), "a blob of \(blob.count) bytes")
        }
    }

    /// A long article posts a sample of its sentence keys (`postedSentenceKeys`), yet a copy
    /// with every fourth word replaced, which shares no MinHash band with it and only part of
    /// its sentence keys, still finds it through the part of their samples they share.
    func testALongArticlePostsASampleOfItsSentenceKeysAndAnEditedCopyStillFindsIt() throws {
        let words = { (sentence: Int, substituted: Bool) in
            (0..<10).map { word in
                substituted && word % 4 == 1 ? "new\(sentence)y\(word)" : "w\((sentence * 31 + word * 17) % 997)x\(word)"
            }.joined(separator: " ") + "."
        }
        let original = (0..<80).map { words($0, false) }.joined(separator: " ")
        let copy = (0..<80).map { words($0, true) }.joined(separator: " ")
        let settings = SimilaritySettings()
        let originalKeys = SimilarityFeatures(title: nil, body: original).sentenceKeys
        let copyFeatures = SimilarityFeatures(title: nil, body: copy)
        XCTAssertGreaterThan(originalKeys.count, 2 * settings.postedSentenceKeys)
        XCTAssertLessThan(Set(originalKeys).intersection(copyFeatures.sentenceKeys).count, originalKeys.count * 3 / 4,
                          "the copy shares only part of the original's keys")

        let temporary = try TemporaryStore()
        for (key, text) in [("original", original), ("copy", copy)] {
            let bytes = Array(text.utf8)
            _ = try temporary.store.record([Delivery(key: key, origin: .file, name: "\(key).txt",
                                                     receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000),
                                                     rawSHA256: ContentHash.sha256Hex(bytes),
                                                     content: .items(try DocumentParser.parse(bytes, fileName: "\(key).txt")))])
        }
        try temporary.store.checkpoint()  // writes every held posting
        let (posted, bandsShared, copyGroup) = try temporary.store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM sentence_postings WHERE article_id = 1"),
             try Int.fetchOne(db, sql: """
                 SELECT count(*) FROM band_postings a JOIN band_postings b USING (band, key)
                 WHERE a.article_id = 1 AND b.article_id = 2
                 """),
             try Int64.fetchOne(db, sql: "SELECT duplicate_group FROM articles WHERE id = 2"))
        }
        XCTAssertEqual(posted, settings.postedSentenceKeys)
        XCTAssertEqual(bandsShared, 0, "only sentence keys can have found the original")
        XCTAssertEqual(copyGroup, 1, "the edited copy joins the original's group")
    }

    /// Two keys shared by chance are common between full samples of 48 keys, rare between a
    /// short article's few: a candidate needs 3 votes from an article looking up a full sample,
    /// 2 from one looking up fewer keys.
    func testAFullSampleNeedsThreeVotesAndAShortArticleTwo() throws {
        let database = try DatabaseQueue()
        try Schema.migrator.migrate(database)
        let caches = WriterCaches()
        let spread = { (value: Int) in UInt64(value) &* 0x9E37_79B9_7F4A_7C15 }
        let posted = (1...48).map(spread), unrelated = (100...145).map(spread)
        caches.postings.post(articleID: 1, keys: IndexKeys(bands: (0..<16).map { spread(1_000 + $0) }, sentences: posted))
        let bands = (0..<16).map { spread(5_000 + $0) }
        try database.read { db in
            let index = NearDuplicateIndex(db: db, settings: SimilaritySettings(), pending: caches.postings)
            let fullSampleMeetingInTwo = Array(posted.prefix(2)) + unrelated
            XCTAssertEqual(fullSampleMeetingInTwo.count, SimilaritySettings().postedSentenceKeys)
            XCTAssertEqual(try index.rankedCandidates(for: IndexKeys(bands: bands, sentences: fullSampleMeetingInTwo)), [])
            XCTAssertEqual(try index.rankedCandidates(for: IndexKeys(bands: bands, sentences: Array(posted.prefix(3)) + unrelated.prefix(45))), [1])
            XCTAssertEqual(try index.rankedCandidates(for: IndexKeys(bands: bands, sentences: Array(posted.prefix(2)) + unrelated.prefix(8))), [1])
            XCTAssertEqual(try index.rankedCandidates(for: IndexKeys(bands: bands, sentences: Array(posted.prefix(1)) + unrelated.prefix(8))), [],
                           "one shared key is never enough")
        }
    }
}
