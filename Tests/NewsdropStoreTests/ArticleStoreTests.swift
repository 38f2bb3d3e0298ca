import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import Synchronization
import XCTest

extension ItemOutcome {
    var addedArticle: AddedArticle? {
        if case .added(let added) = self { added } else { nil }
    }
}

/// The store on a real SQLite file: exact duplicates, revisions, failures, replays, schema.
final class ArticleStoreTests: XCTestCase {
    private var temporary: TemporaryStore!
    private var store: ArticleStore { temporary.store }

    override func setUpWithError() throws {
        temporary = try TemporaryStore()
    }

    override func tearDown() {
        temporary = nil
    }

    private func delivery(_ key: String, _ text: String, name: String? = nil) throws -> Delivery {
        let bytes = Array(text.utf8)
        return Delivery(key: key, origin: .file, name: name ?? "\(key).txt", receivedAt: Timestamp(secondsSinceEpoch: 1_642_500_000),
                        rawSHA256: ContentHash.sha256Hex(bytes),
                        content: .items(try DocumentParser.parse(bytes, fileName: name ?? "\(key).txt")))
    }

    private func count(_ table: String) throws -> Int {
        try store.reader.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    func testSameCanonicalTextIsOneArticleWithTwoSightings() throws {
        let outcomes = try store.record([
            delivery("a", "Title\n\nThe mayor said “no” to the plan."),
            delivery("b", "Another title\n\nThe  Mayor said \"NO\" to the plan!"),
        ])
        XCTAssertEqual(outcomes[0].items[0].outcome.addedArticle?.articleID, 1)
        XCTAssertEqual(outcomes[1].items[0].outcome, .exactDuplicate(articleID: 1))
        XCTAssertEqual(try count("articles"), 1)
        XCTAssertEqual(try count("sightings"), 2)
    }

    func testReplayingADeliveryChangesNothing() throws {
        let first = try delivery("k1", "Title\n\nA council meeting ran late into the night.")
        let failed = Delivery(key: "k2", origin: .file, name: "bad.bin", receivedAt: Timestamp(secondsSinceEpoch: 0),
                              rawSHA256: nil, content: .failed(IngestFailure(.decode, "binary content")))
        _ = try store.record([first, failed])
        let replay = try store.record([first, failed])
        XCTAssertEqual(replay[0].items[0].outcome, .alreadyRecorded(articleID: 1))
        XCTAssertEqual(replay[1].items[0].outcome, .failed(IngestFailure(.decode, "binary content")))
        XCTAssertTrue(replay[1].isFailure)
        XCTAssertEqual(try count("articles"), 1)
        XCTAssertEqual(try count("sightings"), 1)
        XCTAssertEqual(try count("failures"), 1)
    }

    func testSameCanonicalURLWithDifferentTextLinksARevision() throws {
        let outcomes = try store.record([
            delivery("v1", #"{"url": "http://Example.com:80/a?utm_medium=x", "text": "First version of the story."}"#, name: "v1.json"),
            delivery("v2", #"{"url": "http://example.com/a#section", "text": "Second version of the story, updated."}"#, name: "v2.json"),
            delivery("v3", #"{"url": "http://example.com/a", "text": "Third version of the story, updated again."}"#, name: "v3.json"),
        ])
        XCTAssertEqual(outcomes.map { $0.items[0].outcome.addedArticle?.articleID }, [1, 2, 3])
        XCTAssertEqual(outcomes.map { $0.items[0].outcome.addedArticle?.revisionOf }, [nil, 1, 2])
    }

    /// An article's row is written once, with its placement and the id SQLite would have
    /// given it; with near-duplicates and stories off, the placement columns stay empty.
    func testAnArticleRowCarriesItsPlacementFromTheStart() throws {
        let sentences = (1...10).map { "Inspectors counted \($0 * 7) cracked rivets on span \($0) of the Casco Harbor Bridge." }
        let original = #"{"title": "Harbor bridge cracks", "published": "2024-05-01", "text": "\#(sentences.joined(separator: " "))"}"#
        let revision = #"{"title": "Harbor bridge cracks, updated", "published": "2024-05-03", "text": "\#(sentences.dropLast().joined(separator: " ")) The city will reopen it."}"#
        let unrelated = #"{"title": "Library hours", "text": "The library opens at nine on weekdays and ten on Saturdays."}"#
        func rows(_ stages: ArticleStore.Stages) throws -> [Row] {
            let temporary = try TemporaryStore(stages: stages)
            let outcomes = try temporary.store.record([
                delivery("original", original, name: "original.json"), delivery("revision", revision, name: "revision.json"),
                delivery("unrelated", unrelated, name: "unrelated.json"),
            ])
            XCTAssertEqual(outcomes.map { $0.items[0].outcome.addedArticle?.articleID }, [1, 2, 3])
            return try temporary.store.reader.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT id, duplicate_group, duplicate_of, duplicate_similarity > 0.65 AS similar, story_id, story_day
                    FROM articles ORDER BY id
                    """)
            }
        }
        let day = Int64(19_844)  // 2024-05-01
        XCTAssertEqual(try rows(ArticleStore.Stages()), [
            ["id": 1, "duplicate_group": 1, "duplicate_of": nil, "similar": nil, "story_id": 1, "story_day": day],
            ["id": 2, "duplicate_group": 1, "duplicate_of": 1, "similar": 1, "story_id": 1, "story_day": day + 2],
            ["id": 3, "duplicate_group": 3, "duplicate_of": nil, "similar": nil, "story_id": 3, "story_day": nil],
        ])
        XCTAssertEqual(try rows(ArticleStore.Stages(similarity: false)), (1...3).map { id in
            ["id": id, "duplicate_group": nil, "duplicate_of": nil, "similar": nil, "story_id": nil, "story_day": nil]
        })
    }

    func testJSONLinesItemsAreRecordedOneByOne() throws {
        let text = #"{"text": "Line one has an article."}"# + "\n" + #"{"text": false}"# + "\n"
        let outcome = try store.record([delivery("lines", text, name: "x.jsonl")])[0]
        XCTAssertEqual(outcome.items.map(\.index), [1, 2])
        XCTAssertFalse(outcome.isFailure)
        XCTAssertEqual(try store.reader.read { try Int.fetchOne($0, sql: "SELECT item FROM failures") }, 2)
        XCTAssertEqual(try store.wholeInputFailureCount(rawSHA256: nil, name: "x.jsonl"), 0, "a line failure is not a whole-input failure")
    }

    func testKeptRawInputsAreStoredOnceByHash() throws {
        var first = try delivery("r1", "Title\n\nRaw bytes kept in the database.")
        first.rawBytes = Array("Title\n\nRaw bytes kept in the database.".utf8)
        var second = first
        second.key = "r2"
        _ = try store.record([first, second], keepRawInputs: true)
        XCTAssertEqual(try count("raw_inputs"), 1)
    }

    /// A store created at schema v4 (before stories were scored by centroid) upgrades in place:
    /// the columns no longer read are dropped, and a story opened after the upgrade takes a
    /// later article on reopening.
    func testStoreFromBeforeCentroidScoringUpgradesAndKeepsItsStories() throws {
        let path = temporary.folder.appendingPathComponent("v4.db").path
        let old = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(old, upTo: "v4: fetch queue and response archive")
        try old.close()
        var store: ArticleStore? = try ArticleStore(path: path)
        let first = try XCTUnwrap(store?.record([try delivery("a", Self.ferryStrike.first)])[0].items[0].outcome.addedArticle)
        store = nil

        let columns = try DatabaseQueue(path: path).read { db in
            try (db.columns(in: "stories").map(\.name), db.columns(in: "article_features").map(\.name))
        }
        XCTAssertFalse(columns.0.contains("members"))
        XCTAssertFalse(columns.1.contains("weights"))

        let reopened = try ArticleStore(path: path)
        let second = try XCTUnwrap(reopened.record([try delivery("b", "Harbor ferry strike is over\n\nDeckhands accepted a new contract with the port authority on Monday, ending the harbor ferry strike that began two weeks ago.")])[0].items[0].outcome.addedArticle)
        XCTAssertEqual(second.placement?.storyID, first.placement?.storyID)
    }

    /// FTS5 holds a batch's terms in memory up to `hashsize` before it writes a segment: a store
    /// from before v9 upgrades to 8 MB, and its rows indexed before and after stay searchable.
    func testTheFullTextIndexHoldsEightMegabytesOfPendingTermsAfterTheUpgrade() throws {
        let path = temporary.folder.appendingPathComponent("v8.db").path
        let old = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(old, upTo: "v8: index slices")
        try old.close()
        var store: ArticleStore? = try ArticleStore(path: path)
        _ = try store?.record([try delivery("a", Self.ferryStrike.first)])
        store = nil
        let reopened = try ArticleStore(path: path)
        _ = try reopened.record([try delivery("b", Self.ferryStrike.second)])
        try reopened.pool.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT v FROM articles_fts_config WHERE k = 'hashsize'"), 8_388_608)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations"), 9)
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'deckhands'"), 2)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok")
        }
    }

    /// Upgrading a store from v8 reads none of its rows: GRDB's default check of every foreign
    /// key after a migration scanned the whole database, minutes at a million articles.
    func testTheUpgradeFromV8ChecksNoForeignKeys() throws {
        let path = temporary.folder.appendingPathComponent("v8-check.db").path
        let traced = Mutex<[String]>([])
        var configuration = Configuration()
        configuration.prepareDatabase { db in db.trace { event in traced.withLock { $0.append("\(event)") } } }
        let database = try DatabaseQueue(path: path, configuration: configuration)
        try Schema.migrator.migrate(database, upTo: "v8: index slices")
        traced.withLock { $0.removeAll() }
        try Schema.migrator.migrate(database)
        let statements = traced.withLock { $0 }
        XCTAssertTrue(statements.contains { $0.contains("hashsize") }, "v9 ran")
        XCTAssertFalse(statements.contains { $0.localizedCaseInsensitiveContains("foreign_key_check") },
                       statements.filter { $0.localizedCaseInsensitiveContains("foreign_key") }.joined(separator: "; "))
    }

    /// Two articles on one event, the second a story member of its own (no near-duplicate).
    private static let ferryStrike = (
        first: "Harbor ferry strike ends\n\nThe harbor ferry strike ended on Monday as deckhands accepted a new contract with the port authority.",
        second: "Deckhands back at work after harbor ferry strike\n\nHarbor ferries ran again on Tuesday after deckhands ended their strike; the port authority said the contract raises pay for ferry crews.")

    /// A store file holding the first article, closed, after `change` has edited its story's
    /// row; then the store reopened and the second article recorded into it.
    private func recordSecondAfterChangingTheStory(file: String, _ change: (Database, Int64) throws -> Void)
        throws -> (store: ArticleStore, storyID: Int64, second: AddedArticle) {
        let path = temporary.folder.appendingPathComponent(file).path
        let first = try XCTUnwrap(ArticleStore(path: path).record([try delivery("a", Self.ferryStrike.first)])[0].items[0].outcome.addedArticle)
        let storyID = try XCTUnwrap(first.placement?.storyID)
        try DatabaseQueue(path: path).write { try change($0, storyID) }
        let reopened = try ArticleStore(path: path)
        let second = try XCTUnwrap(reopened.record([try delivery("b", Self.ferryStrike.second)])[0].items[0].outcome.addedArticle)
        return (reopened, storyID, second)
    }

    /// A story row from before centroid norms were stored has none: the writer computes it when
    /// it reads the story, and the story still takes its next article.
    func testStoryWithoutAStoredCentroidNormGetsOneAndKeepsTakingArticles() throws {
        let (store, storyID, second) = try recordSecondAfterChangingTheStory(file: "norms.db") { db, storyID in
            XCTAssertNotNil(try Double.fetchOne(db, sql: "SELECT centroid_norm FROM stories WHERE id = ?", arguments: [storyID]))
            try db.execute(sql: "UPDATE stories SET centroid_norm = NULL")
        }
        XCTAssertEqual(second.placement?.storyID, storyID)
        XCTAssertEqual(second.placement?.isNearDuplicate, false, "a story member of its own, so the story is rewritten")
        let norm = try store.reader.read { try Double.fetchOne($0, sql: "SELECT centroid_norm FROM stories WHERE id = ?", arguments: [storyID]) }
        XCTAssertGreaterThan(try XCTUnwrap(norm), 0)
    }

    /// A story whose centroid reads but whose row does not read whole (its posted terms are
    /// unreadable) can score as a candidate but cannot take the article: the article opens a
    /// story of its own, and says so.
    func testAStoryWhoseRowCannotBeReadWholeIsPassedOverAndTheArticleOpensOne() throws {
        let (_, storyID, second) = try recordSecondAfterChangingTheStory(file: "posted.db") { db, storyID in
            try db.execute(sql: "UPDATE stories SET posted = x'FF' WHERE id = ?", arguments: [storyID])
        }
        XCTAssertNotEqual(second.placement?.storyID, storyID)
        XCTAssertEqual(second.placement?.storyID, second.articleID)
        XCTAssertEqual(second.placement?.openedStory, true)
    }

    func testSchemaUsesWALAndStrictTables() throws {
        let mode = try store.reader.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        let strict = try store.reader.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM pragma_table_list WHERE strict = 1 AND name IN ('articles', 'sightings', 'failures', 'raw_inputs')")
        }
        XCTAssertEqual(strict, 4)
        XCTAssertThrowsError(try store.reader.read { db in
            try db.execute(sql: "INSERT INTO sightings (article_id, delivery, item, origin, name, received_at, raw_sha256) VALUES (1, 'x', 0, 'ftp', 'n', 't', 'h')")
        }, "the store's readers are read-only")
    }
}
