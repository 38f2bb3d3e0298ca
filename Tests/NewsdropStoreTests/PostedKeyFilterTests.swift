import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import Synchronization
import XCTest

/// Candidate search skips posting keys that no article has posted (`PostedKeyFilter`). A key
/// wrongly skipped would lose a near-duplicate without a trace, so these tests hold the filter
/// to "never skips a key that has postings", before, during and after its fill.
final class PostedKeyFilterTests: XCTestCase {
    private func randomKeys(_ count: Int, seed: UInt64) -> [UInt64] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    func testUntilItIsFilledEveryKeyMayHavePostings() throws {
        let filter = try PostedKeyFilter(byteCount: 1 << 13)
        XCTAssertFalse(filter.isFilled)
        XCTAssertEqual(filter.mayHavePostings(randomKeys(1_000, seed: 1)), Array(repeating: true, count: 1_000))
        XCTAssertEqual(filter.skippedLookups, 0)
    }

    func testEveryInsertedKeyMayHavePostingsAndFewOthersDo() throws {
        let temporary = try TemporaryStore()  // empty posting tables: the fill finds nothing
        let filter = try PostedKeyFilter(byteCount: 1 << 17)
        let inserted = randomKeys(20_000, seed: 2)
        filter.insert(inserted)
        XCTAssertEqual(filter.fill { temporary.store.pool }, .filled(keys: 0))
        XCTAssertTrue(filter.isFilled)
        XCTAssertEqual(filter.mayHavePostings(inserted), Array(repeating: true, count: inserted.count))

        let others = randomKeys(20_000, seed: 3)
        let falsePositives = filter.mayHavePostings(others).filter { $0 }.count
        XCTAssertLessThan(falsePositives, 100, "three bits per key in a million-bit filter: about 0.02% expected")
        XCTAssertEqual(filter.skippedLookups, others.count - falsePositives)
    }

    /// The fill reads the keys in batches of 65,536: more than one batch of sentence keys, and
    /// band keys in several bands, all come out set, down to the smallest key there is.
    func testTheFillSetsEveryKeyAlreadyStored() throws {
        let temporary = try TemporaryStore()
        // The smallest stored value of all too, where a reader that starts "after" it misses it.
        let sentenceKeys = randomKeys(70_000, seed: 4) + [UInt64(bitPattern: Int64.min)]
        let bandKeys = [UInt64(bitPattern: Int64.min)] + randomKeys(3_000, seed: 5)
        try temporary.store.pool.write { db in
            for (index, key) in sentenceKeys.enumerated() {
                try db.execute(sql: "INSERT INTO sentence_postings (key, article_id) VALUES (?, ?)",
                               arguments: [Int64(bitPattern: key), index % 7 + 1])
            }
            for (index, key) in bandKeys.enumerated() {
                try db.execute(sql: "INSERT INTO band_postings (band, key, article_id) VALUES (?, ?, ?)",
                               arguments: [index % 16, Int64(bitPattern: key), 1])
            }
        }
        let filter = try PostedKeyFilter(byteCount: 1 << 21)
        XCTAssertEqual(filter.fill { temporary.store.pool }, .filled(keys: sentenceKeys.count + bandKeys.count))
        XCTAssertTrue(filter.isFilled)
        XCTAssertFalse(filter.mayHavePostings(sentenceKeys).contains(false))
        let storedBands = bandKeys.enumerated().map { PostedKeyFilter.key(band: $0.offset % 16, key: $0.element) }
        XCTAssertFalse(filter.mayHavePostings(storedBands).contains(false))
        let otherBand = bandKeys.enumerated().map { PostedKeyFilter.key(band: ($0.offset + 1) % 16, key: $0.element) }
        XCTAssertGreaterThan(filter.mayHavePostings(otherBand).filter { !$0 }.count, 2_900, "each band is its own key space")
    }

    /// `dedup.key_filter_size` takes any number of bytes, not only powers of two, down to one
    /// (a block of 64). The filter asserts that every bit it touches is inside it.
    func testAFilterOfAnySizeNeverMissesAKey() throws {
        let temporary = try TemporaryStore()
        let inserted = randomKeys(20_000, seed: 7)
        for bytes in [1, 64, 1_000, 100_003] {
            let filter = try PostedKeyFilter(byteCount: bytes)
            filter.insert(inserted)
            XCTAssertEqual(filter.fill { temporary.store.pool }, .filled(keys: 0))
            XCTAssertFalse(filter.mayHavePostings(inserted).contains(false), "\(bytes) bytes")
            if bytes == 100_003 {
                let falsePositives = filter.mayHavePostings(randomKeys(20_000, seed: 8)).filter { $0 }.count
                XCTAssertLessThan(falsePositives, 100, "three bits per key in 799,744 bits: about 0.04% expected")
            }
        }
    }

    /// Reading in batches of three, the fill crosses batch boundaries inside a run of one key's
    /// postings, inside a band and between bands, and still sets every stored key exactly once.
    func testAFillInSmallBatchesSetsEveryKeyAcrossBoundaries() throws {
        let temporary = try TemporaryStore()
        let smallest = UInt64(bitPattern: Int64.min)
        let sentenceKeys = [smallest] + randomKeys(10, seed: 10)
        let bandKeys = [(0, smallest), (0, 5), (0, 9), (1, smallest), (1, 5), (2, 7), (3, smallest), (3, 1), (15, 2), (15, 3)]
        try temporary.store.pool.write { db in
            for key in sentenceKeys {
                for article in 1...4 {  // a key's postings span batches: each counts once
                    try db.execute(sql: "INSERT INTO sentence_postings (key, article_id) VALUES (?, ?)",
                                   arguments: [Int64(bitPattern: key), article])
                }
            }
            for (band, key) in bandKeys {
                for article in 1...2 {
                    try db.execute(sql: "INSERT INTO band_postings (band, key, article_id) VALUES (?, ?, ?)",
                                   arguments: [band, Int64(bitPattern: key), article])
                }
            }
        }
        let filter = try PostedKeyFilter(byteCount: 1 << 16)
        XCTAssertEqual(filter.fill(from: { temporary.store.pool }, batchSize: 3), .filled(keys: sentenceKeys.count + bandKeys.count))
        XCTAssertFalse(filter.mayHavePostings(sentenceKeys).contains(false))
        XCTAssertFalse(filter.mayHavePostings(bandKeys.map { PostedKeyFilter.key(band: $0.0, key: $0.1) }).contains(false))
    }

    /// A fill that cannot read the postings says why, and leaves the filter answering "maybe":
    /// a missed key would lose a near-duplicate, an unfilled filter only costs lookups.
    func testAFillThatCannotReadSaysWhyAndSkipsNothing() throws {
        let filter = try PostedKeyFilter(byteCount: 1 << 13)
        let outcome = filter.fill { try? DatabaseQueue() }  // no posting tables
        guard case .failed(let reason) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertTrue(reason.contains("sentence_postings") && reason.contains("no such table"), reason)
        XCTAssertEqual(filter.fillFailure, reason)
        XCTAssertFalse(filter.isFilled)
        XCTAssertEqual(filter.mayHavePostings(randomKeys(100, seed: 9)), Array(repeating: true, count: 100))
    }

    /// A fill that failed is tried again, and a later success clears the failure; the events say
    /// both.
    func testAFailedFillIsTriedAgainUntilItFills() throws {
        let temporary = try TemporaryStore()
        let filter = try PostedKeyFilter(byteCount: 1 << 13)
        var readers = 0
        var events: [PostedKeyFilterEvent] = []
        filter.fillRetrying(from: {
            readers += 1
            return readers == 1 ? try? DatabaseQueue() : temporary.store.pool  // no posting tables the first time
        }, firstRetryDelay: 0.01) { events.append($0) }
        XCTAssertEqual(events.count, 2, "\(events)")
        guard case .failed(let reason) = events.first, case .filled(keys: 0, _) = events.last else { return XCTFail("\(events)") }
        XCTAssertTrue(reason.contains("no such table") && reason.hasSuffix("; trying again in 1 s"), reason)
        XCTAssertTrue(filter.isFilled)
        XCTAssertNil(filter.fillFailure)
    }

    /// A fill waiting to try again stops at once when the store closes (`cancelFill`).
    func testAFillWaitingToTryAgainStopsWhenCancelled() throws {
        let filter = try PostedKeyFilter(byteCount: 1 << 13)
        let failures = Mutex(0)
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) {
            filter.fillRetrying(from: { try? DatabaseQueue() }, firstRetryDelay: 3_600) { _ in failures.withLock { $0 += 1 } }
        }
        while failures.withLock({ $0 }) == 0 { usleep(1_000) }
        filter.cancelFill()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success, "the hour's wait ends with the store")
        XCTAssertFalse(filter.isFilled)
        XCTAssertEqual(failures.withLock { $0 }, 1)
    }

    /// Without a filter, because its size is 0 or its memory cannot be mapped, the store says so
    /// (and why) and looks every key up: a revision still finds its original.
    func testAStoreWithoutAFilterSaysWhyAndStillFindsNearDuplicates() throws {
        for (bytes, expectsFailure) in [(0, false), (1 << 60, true)] {
            let temporary = try TemporaryStore()
            let events = Mutex<[PostedKeyFilterEvent]>([])
            let store = try ArticleStore(path: temporary.folder.appendingPathComponent("\(bytes).db").path,
                                         postedKeyFilterBytes: bytes) { event in events.withLock { $0.append(event) } }
            if expectsFailure {
                guard case .failed(let reason) = store.postedKeyFilterState else {
                    return XCTFail("a filter of 2⁶⁰ bytes cannot be mapped: \(store.postedKeyFilterState)")
                }
                XCTAssertTrue(reason.contains("cannot map the 1152921504606846976 bytes asked for"), reason)
                XCTAssertEqual(events.withLock { $0 }, [.failed(reason)])
            } else {
                XCTAssertEqual(store.postedKeyFilterState, .off)
                XCTAssertEqual(events.withLock { $0 }, [])
            }
            _ = try store.record([try Self.delivery("original", Self.harborStory(Self.sentences))])
            _ = try store.record([try Self.delivery("revision", Self.harborStory(Array(Self.sentences.dropFirst())))])
            XCTAssertEqual(try Self.groups(store), [[1, 1], [2, 1]], "size \(bytes): the revision joins the original")
            XCTAssertEqual(store.skippedPostingLookups, 0)
        }
    }

    private static let sentences = (1...12).map { "Inspectors counted \($0 * 7) cracked rivets on span \($0) of the Casco Harbor Bridge." }

    private static func harborStory(_ sentences: [String]) -> String {
        "Harbor bridge cracks\n\n" + sentences.joined(separator: " ")
    }

    private static func delivery(_ key: String, _ text: String) throws -> Delivery {
        let bytes = Array(text.utf8)
        return Delivery(key: key, origin: .file, name: "\(key).txt", receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000),
                        rawSHA256: ContentHash.sha256Hex(bytes),
                        content: .items(try DocumentParser.parse(bytes, fileName: "\(key).txt")))
    }

    /// Each article's id and duplicate group, in id order.
    private static func groups(_ store: ArticleStore) throws -> [[Int64]] {
        try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, duplicate_group FROM articles ORDER BY id").map { [$0[0] as Int64, $0[1] as Int64] }
        }
    }

    /// The fill reads through the store's database only a batch at a time: a store released
    /// while its filter fills closes its database then and there (SQLite removes the log when
    /// the last connection closes), instead of leaving a reader open behind it.
    func testAReleasedStoreClosesItsDatabaseWhileItsFilterFills() throws {
        let temporary = try TemporaryStore()  // its folder, for a database of this test's own
        let path = temporary.folder.appendingPathComponent("released.db").path
        do {
            let store = try ArticleStore(path: path)
            let keys = randomKeys(400_000, seed: 6)
            try store.pool.write { db in
                let insert = try db.makeStatement(sql: "INSERT INTO sentence_postings (key, article_id) VALUES (?, 1)")
                for key in keys { try insert.execute(arguments: [Int64(bitPattern: key)]) }
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"))
        var store: ArticleStore? = try ArticleStore(path: path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "-wal"))
        store = nil
        XCTAssertNil(store)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"), "the database closed with the store")
    }

    /// A store opened on an existing database fills its filter in the background; once it is
    /// filled, a revision whose only match is an article stored before the store opened still
    /// finds it, and an unrelated article's keys are skipped.
    func testAReopenedStoreFindsNearDuplicatesOfArticlesStoredBeforeItOpened() throws {
        let temporary = try TemporaryStore()  // its folder, for a database of this test's own
        let path = temporary.folder.appendingPathComponent("reopened.db").path
        do {
            let store = try ArticleStore(path: path)
            _ = try store.record([try Self.delivery("original", Self.harborStory(Self.sentences))])
            try store.checkpoint()  // writes every held slice: the postings are stored, not held
        }

        let events = Mutex<[PostedKeyFilterEvent]>([])
        let reopened = try ArticleStore(path: path) { event in events.withLock { $0.append(event) } }
        let deadline = Date().addingTimeInterval(30)
        while reopened.postedKeyFilterState != .filled, Date() < deadline { usleep(10_000) }
        XCTAssertEqual(reopened.postedKeyFilterState, .filled, "the fill of a small store ends within seconds")
        // The event follows the state: the fill marks the filter filled, then the store reports it.
        while events.withLock({ $0.isEmpty }), Date() < deadline { usleep(10_000) }
        guard case .filled(let keys, _)? = events.withLock({ $0.first }) else { return XCTFail("\(events.withLock { $0 })") }
        XCTAssertGreaterThan(keys, 16, "the original's 16 band keys and its sentence keys were read")
        _ = try reopened.record([try Self.delivery("revision", Self.harborStory(Array(Self.sentences.dropFirst())))])
        XCTAssertEqual(try Self.groups(reopened), [[1, 1], [2, 1]], "the revision is a near-duplicate of the original")

        let skippedBefore = reopened.skippedPostingLookups
        _ = try reopened.record([try Self.delivery("unrelated", """
            Orchard harvest

            Apple growers in the valley picked a record crop this autumn. The cooperative said prices held \
            steady despite the glut. Cider makers bought the bruised fruit at half the usual rate.
            """)])
        XCTAssertGreaterThan(reopened.skippedPostingLookups, skippedBefore, "an unrelated article's keys have no postings")
    }
}
