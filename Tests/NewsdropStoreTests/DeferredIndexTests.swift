import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import XCTest

/// Postings and document frequencies are written a slice per commit (`IndexSlices`); what the
/// writer held in memory when it died or when a transaction failed is recomputed from the
/// stored articles, to exactly what an orderly run writes.
final class DeferredIndexTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-deferred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: folder)
    }

    /// Recovery posts the same sample of each article's sentence keys as the writer did: with
    /// 8 posted of about 30 each, recomputing all of them would add postings the orderly run
    /// does not have.
    func testEntriesHeldWhenTheWriterDiedAreRecomputedAtTheNextStart() throws {
        let batches = Self.batches()
        var settings = SimilaritySettings()
        settings.postedSentenceKeys = 8
        let orderly = try ArticleStore(path: path("orderly.db"), similarity: settings)
        for batch in batches { _ = try orderly.record(batch) }
        try orderly.checkpoint()

        var crashed: ArticleStore? = try ArticleStore(path: path("crashed.db"), similarity: settings)
        for batch in batches { _ = try crashed?.record(batch) }
        crashed = nil  // no checkpoint: the process "died" holding entries
        let heldAtDeath = try IndexContents(path("crashed.db"))
        let expected = try IndexContents(orderly)
        XCTAssertLessThan(heldAtDeath.sentencePostings.count, expected.sentencePostings.count,
                          "some postings must still have been held for the test to mean anything")
        XCTAssertNotEqual(heldAtDeath.documentFrequencies, expected.documentFrequencies)
        XCTAssertLessThan(heldAtDeath.storyPostings.count, expected.storyPostings.count,
                          "some story postings must still have been held too")
        XCTAssertEqual(expected.storyPostings, expected.postedByStories, "every story is listed under its posted terms")
        let rewritesJoined = try orderly.reader.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM articles WHERE duplicate_of IS NULL AND story_id != id") ?? 0
        }
        XCTAssertGreaterThan(rewritesJoined, 0, "some articles joined a story as rewrites, which re-lists it")
        let articles = Set(expected.sentencePostings.map { $0[1] })
        XCTAssertEqual(expected.sentencePostings.count, articles.count * 8, "every article posted a sample of 8 keys")

        let restarted = try ArticleStore(path: path("crashed.db"), similarity: settings)
        XCTAssertEqual(try IndexContents(restarted), expected)

        // And both place the next article alike.
        let next = [try Self.delivery("next", Self.text(story: 2, variant: 9))]
        XCTAssertEqual(try restarted.record(next)[0].items[0].outcome.addedArticle?.placement,
                       try orderly.record(next)[0].items[0].outcome.addedArticle?.placement)
    }

    func testAFailedTransactionLosesNoHeldEntries() throws {
        let batches = Self.batches()
        let orderly = try ArticleStore(path: path("orderly.db"))
        for batch in batches { _ = try orderly.record(batch) }
        try orderly.checkpoint()

        let store = try ArticleStore(path: path("failing.db"))
        let poison = try DatabaseQueue(path: path("failing.db"))
        for (number, batch) in batches.enumerated() {
            if number == batches.count / 2 {
                try poison.write { try $0.execute(sql: """
                    CREATE TRIGGER poison BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                    """) }
                XCTAssertThrowsError(try store.record(batch), "the trigger refuses every article")
                try poison.write { try $0.execute(sql: "DROP TRIGGER poison") }
            }
            _ = try store.record(batch)
        }
        try store.checkpoint()
        XCTAssertEqual(try IndexContents(store), try IndexContents(orderly))
    }

    /// A stop right after a failed transaction: the checkpoint recovers what the failure
    /// dropped before it writes every slice, instead of marking every slice written with
    /// nothing held.
    func testACheckpointRightAfterAFailedTransactionLosesNoHeldEntries() throws {
        let batches = Self.batches()
        let orderly = try ArticleStore(path: path("orderly.db"))
        for batch in batches { _ = try orderly.record(batch) }
        try orderly.checkpoint()

        var store: ArticleStore? = try ArticleStore(path: path("stopped.db"))
        let poison = try DatabaseQueue(path: path("stopped.db"))
        for batch in batches[..<(batches.count / 2)] { _ = try store?.record(batch) }
        try poison.write { try $0.execute(sql: "CREATE TRIGGER poison BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'poisoned'); END") }
        XCTAssertThrowsError(try store?.record(batches[batches.count / 2]), "the trigger refuses every article")
        try poison.write { try $0.execute(sql: "DROP TRIGGER poison") }
        try store?.checkpoint()
        store = nil

        let restarted = try ArticleStore(path: path("stopped.db"))
        for batch in batches[(batches.count / 2)...] { _ = try restarted.record(batch) }
        try restarted.checkpoint()
        XCTAssertEqual(try IndexContents(restarted), try IndexContents(orderly))
    }

    /// Past 64 commits every slice has been written at least once, so recovery starts above
    /// the stories' first articles: a story opened below the lowest watermark and re-listed by a
    /// rewrite above it must still get its new postings back.
    func testStoriesOpenedBelowTheLowestWatermarkAreReListedAtTheNextStart() throws {
        // One commit per article: eight stories and a near-duplicate of each, 56 other stories,
        // then a rewrite of each of the first eight, whose new terms are held at the kill.
        let stories = Array(0..<8).map { ($0, 0) } + Array(0..<8).map { ($0, 1) } + Array(8..<64).map { ($0, 0) }
            + Array(0..<8).map { ($0, 2) }
        let deliveries = try stories.enumerated().map { number, story in
            try Self.delivery("c\(number)", Self.text(story: story.0, variant: story.1))
        }
        let orderly = try ArticleStore(path: path("orderly.db"))
        for delivery in deliveries { _ = try orderly.record([delivery]) }
        try orderly.checkpoint()

        var crashed: ArticleStore? = try ArticleStore(path: path("crashed.db"))
        for delivery in deliveries { _ = try crashed?.record([delivery]) }
        crashed = nil
        let lowest = try DatabaseQueue(path: path("crashed.db")).read {
            try Int64.fetchOne($0, sql: "SELECT min(written_through) FROM index_slices") ?? 0
        }
        XCTAssertGreaterThan(lowest, 8, "the stories' first articles are below every watermark")
        let heldAtDeath = try IndexContents(path("crashed.db")), expected = try IndexContents(orderly)
        XCTAssertTrue(heldAtDeath.storyPostings != expected.storyPostings, "story postings were held at the kill")
        XCTAssertTrue(expected.storyPostings == expected.postedByStories)
        let restarted = try IndexContents(try ArticleStore(path: path("crashed.db")))
        XCTAssertTrue(restarted == expected, "\(restarted.storyPostings.count) story postings after the restart, \(expected.storyPostings.count) expected")
    }

    func testAStoreFromBeforeIndexSlicesStartsWithEverySliceWritten() throws {
        let old = try DatabaseQueue(path: path("v7.db"))
        try Schema.migrator.migrate(old, upTo: "v7: fetch queue counts")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO articles (id, sha256, text, word_count, received_at) VALUES (41, 'x', 'text', 1, '2026-01-01T00:00:00Z');
                INSERT INTO article_features (article_id, minhash, units) VALUES (41, x'', x'');
                """)
        }
        try old.close()
        let store = try ArticleStore(path: path("v7.db"))
        let watermarks = try store.reader.read { try Int64.fetchAll($0, sql: "SELECT written_through FROM index_slices") }
        XCTAssertEqual(watermarks, Array(repeating: 41, count: IndexSlices.count))
    }

    /// Past its budget of held postings, a commit writes further slices until it is back under
    /// it; under it, one slice per commit.
    func testACommitWritesMoreSlicesWhileTooManyPostingsAreHeld() throws {
        let database = try DatabaseQueue(path: path("budget.db"))
        try Schema.migrator.migrate(database)
        let caches = WriterCaches(postingsBudget: 1_000)
        // 40 articles of 116 keys spread evenly over every slice (multiples of the golden ratio's
        // fraction of 2⁶⁴): 4,640 postings, about 73 per slice.
        let spread = { (article: Int, index: Int) in UInt64(article * 116 + index) &* 0x9E37_79B9_7F4A_7C15 }
        for article in 1...40 {
            caches.postings.post(articleID: Int64(article), keys: IndexKeys(bands: (0..<16).map { spread(article, $0) },
                                                                            sentences: (16..<116).map { spread(article, $0) }))
        }
        XCTAssertEqual(caches.postings.count, 4_640)
        let next = try database.write { db in
            try DeferredIndexWriter(db: db, settings: SimilaritySettings(), caches: caches).writeDue(from: 10)
        }
        XCTAssertLessThanOrEqual(caches.postings.count, 1_000)
        XCTAssertGreaterThan(caches.postings.count, 1_000 - 200, "it stops once under budget")
        let written = try database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sentence_postings") ?? 0 }
            + (try database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM band_postings") ?? 0 })
        XCTAssertEqual(written + caches.postings.count, 4_640, "what left memory is in the tables")
        XCTAssertGreaterThan(next, 11, "more than one slice was written, in rotation from slice 10")

        let after = try database.write { db in
            try DeferredIndexWriter(db: db, settings: SimilaritySettings(), caches: caches).writeDue(from: next)
        }
        XCTAssertEqual(after, next + 1, "under budget, one slice per commit")
    }

    /// Held postings come back newest first, per band and key, and leave sorted as stored.
    func testHeldPostingsAreFoundByBandAndKeyAndLeaveInTableOrder() {
        let postings = PendingPostings()
        let shared: UInt64 = 0x0123_4567_89AB_CDEF, other: UInt64 = 0x0123_0000_0000_0001  // one slice
        postings.post(articleID: 1, keys: IndexKeys(bands: [shared, other], sentences: [shared]))
        postings.post(articleID: 2, keys: IndexKeys(bands: [shared, shared], sentences: [other]))
        postings.post(articleID: 3, keys: IndexKeys(bands: [other, shared], sentences: [shared, other]))
        func band(_ band: Int, _ key: UInt64, first limit: Int = .max) -> [Int64] {
            var articles: [Int64] = []
            postings.forEachArticle(band: band, key: key) { articles.append($0); return articles.count < limit }
            return articles
        }
        func sentence(_ key: UInt64) -> [Int64] {
            var articles: [Int64] = []
            postings.forEachArticle(sentenceKey: key) { articles.append($0); return true }
            return articles
        }
        XCTAssertEqual(band(0, shared), [2, 1])
        XCTAssertEqual(band(0, shared, first: 1), [2], "it stops when asked to")
        XCTAssertEqual(band(1, shared), [3, 2])
        XCTAssertEqual(band(0, other), [3])
        XCTAssertEqual(band(2, shared), [])
        XCTAssertEqual(sentence(shared), [3, 1])
        XCTAssertEqual(sentence(other), [3, 2])
        XCTAssertEqual(postings.count, 10)

        let slice = postings.take(slice: IndexSlices.slice(of: shared))
        XCTAssertEqual(slice.bands.map { [$0.band, $0.key, $0.articleID] }, [
            [0, Int64(other), 3], [0, Int64(shared), 1], [0, Int64(shared), 2],
            [1, Int64(other), 1], [1, Int64(shared), 2], [1, Int64(shared), 3],
        ])
        XCTAssertEqual(slice.sentences.map { [$0.key, $0.articleID] }, [
            [Int64(other), 2], [Int64(other), 3], [Int64(shared), 1], [Int64(shared), 3],
        ])
        XCTAssertEqual(postings.count, 0)
        XCTAssertEqual(sentence(shared), [], "taken postings are no longer held")
    }

    /// Stories' new postings are held like near-duplicate postings: a lookup sees the held and
    /// the stored alike, the newest `postingCap` under each term, and a term a story leaves
    /// before its posting is written is never written; one it leaves after is deleted at once.
    func testHeldStoryPostingsAreListedWithTheStoredOnesAndWithdrawnWhenLeft() throws {
        let database = try DatabaseQueue(path: path("stories.db"))
        try Schema.migrator.migrate(database)
        let caches = WriterCaches()
        var settings = SimilaritySettings()
        settings.postingCap = 3
        let shared: UInt64 = 0x0123_4567_89AB_CDEF, other: UInt64 = 0x7000_0000_0000_0001  // another slice
        try database.write { db in
            let index = StoryIndex(db: db, settings: settings, caches: caches)
            let writer = DeferredIndexWriter(db: db, settings: settings, caches: caches)
            func save(_ id: Int64, _ posted: [UInt64], before: [UInt64] = []) throws {
                try index.save(StoryRecord(id: id, label: nil, firstDay: nil, lastDay: nil, firstSeen: "", lastSeen: "",
                                           articleCount: 1, centroid: .empty, posted: posted), previouslyPosted: before)
            }
            func stored() throws -> [[Int64]] {
                try Row.fetchAll(db, sql: "SELECT term, story_id FROM story_postings ORDER BY 1, 2").map { [$0[0], $0[1]] }
            }
            try save(5, [shared, other])
            try save(9, [shared])
            XCTAssertEqual(try stored(), [], "new postings are held")
            try writer.writeAll()
            XCTAssertEqual(try stored(), [[Int64(bitPattern: shared), 5], [Int64(bitPattern: shared), 9],
                                          [Int64(bitPattern: other), 5]])

            try save(2, [shared])  // older than the stored stories: past the cap of 3
            try save(7, [shared, other])
            XCTAssertEqual(caches.postings.count, 3)
            XCTAssertEqual(try index.storiesListed(under: [shared]), [9: 1, 7: 1, 5: 1])
            XCTAssertEqual(try index.storiesListed(under: [shared, other]), [9: 1, 7: 2, 5: 2])

            try save(7, [shared], before: [shared, other])  // its posting under `other` is still held
            try save(5, [shared], before: [shared, other])  // its posting under `other` is stored
            XCTAssertEqual(caches.postings.count, 2)
            XCTAssertEqual(try index.storiesListed(under: [other]), [:])
            XCTAssertEqual(try stored(), [[Int64(bitPattern: shared), 5], [Int64(bitPattern: shared), 9]])
            try writer.writeAll()
            XCTAssertEqual(caches.postings.count, 0)
            XCTAssertEqual(try stored(), [[Int64(bitPattern: shared), 2], [Int64(bitPattern: shared), 5],
                                          [Int64(bitPattern: shared), 7], [Int64(bitPattern: shared), 9]])
        }
    }

    // MARK: Helpers

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Everything the deferred writes produce, in a comparable form.
    private struct IndexContents: Equatable {
        var bandPostings: [[Int64]]
        var sentencePostings: [[Int64]]
        var documentFrequencies: [[Int64]]
        var storyDocuments: Int64
        var storyPostings: [[Int64]]
        /// What `story_postings` must hold: each story under each term its row posts.
        var postedByStories: [[Int64]]

        init(_ store: ArticleStore) throws {
            self = try store.reader.read(Self.init)
        }

        init(_ path: String) throws {
            self = try DatabaseQueue(path: path).read(Self.init)
        }

        init(_ db: Database) throws {
            storyPostings = try Self.rows(db, "SELECT term, story_id FROM story_postings ORDER BY 1, 2")
            postedByStories = try Row.fetchAll(db, sql: "SELECT id, posted FROM stories").flatMap { row in
                (IntegerBlob.decode(row["posted"]) ?? []).map { [Int64(bitPattern: $0), row["id"]] }
            }.sorted { $0.lexicographicallyPrecedes($1) }
            bandPostings = try Self.rows(db, "SELECT band, key, article_id FROM band_postings ORDER BY 1, 2, 3")
            sentencePostings = try Self.rows(db, "SELECT key, article_id FROM sentence_postings ORDER BY 1, 2")
            documentFrequencies = try Self.rows(db, "SELECT term, documents FROM term_documents ORDER BY 1")
            storyDocuments = try Int64.fetchOne(db, sql: "SELECT value FROM corpus_counters WHERE name = 'story_documents'") ?? -1
        }

        private static func rows(_ db: Database, _ sql: String) throws -> [[Int64]] {
            try Row.fetchAll(db, sql: sql).map { row in (0..<row.count).map { row[$0] } }
        }
    }

    /// Fourteen batches (fewer commits than slices, so some slices are never written before the
    /// end) of one to three articles on eight stories: each story's text, a near-duplicate of
    /// it (a few words changed) and a rewrite (its words in another order), so that some
    /// articles count as story documents and some do not, and stories are re-listed.
    private static func batches() -> [[Delivery]] {
        let deliveries = (0..<24).map { number in try! delivery("d\(number)", text(story: number % 8, variant: number / 8)) }
        var batches: [[Delivery]] = [], index = 0
        while index < deliveries.count {
            let size = 1 + batches.count % 3 / 2 + (batches.count.isMultiple(of: 4) ? 1 : 0)
            batches.append(Array(deliveries[index..<min(index + size, deliveries.count)]))
            index += size
        }
        return batches
    }

    private static func delivery(_ key: String, _ text: String) throws -> Delivery {
        let bytes = Array(text.utf8)
        return Delivery(key: key, origin: .file, name: "\(key).txt", receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000),
                        rawSHA256: ContentHash.sha256Hex(bytes), content: .items(try DocumentParser.parse(bytes, fileName: "\(key).txt")))
    }

    /// A story's text from a vocabulary of its own, deterministic in its story and variant;
    /// variant 1 changes every seventh word, and later ones also put the words in another order.
    private static func text(story: Int, variant: Int) -> String {
        let syllables = ["ka", "lo", "mi", "ren", "su", "tav", "or", "bel", "qui", "dan", "fes", "gor"]
        func word(_ seed: Int) -> String {
            var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(story) &* 0xBF58_476D_1CE4_E5B9
            var word = ""
            for _ in 0..<3 {
                state = (state ^ (state >> 31)) &* 0x94D0_49BB_1331_11EB
                word += syllables[Int(state >> 60) % syllables.count]
            }
            return word
        }
        let words = (0..<240).map { position in
            let reordered = variant > 1 ? (position * 11 + variant) % 240 : position
            return word(position % 7 == 3 && variant > 0 ? 10_000 + position : reordered % 90)
        }
        let sentences = stride(from: 0, to: words.count, by: 12).map { words[$0..<$0 + 12].joined(separator: " ") + "." }
        return "Story \(story) \(word(1)) \(word(2))\n\n" + sentences.joined(separator: " ")
    }
}
