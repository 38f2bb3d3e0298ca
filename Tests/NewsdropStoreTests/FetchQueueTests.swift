import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import XCTest

private struct NotAURLList: Error, CustomStringConvertible {
    let description: String
}

/// The fetch queue on a real SQLite file: dedup on canonical URLs, forced re-fetches, URL
/// lists queued with their file's record, and rows completed with their article.
final class FetchQueueTests: XCTestCase {
    private var temporary: TemporaryStore!
    private var store: ArticleStore { temporary.store }
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    override func setUpWithError() throws {
        temporary = try TemporaryStore()
    }

    override func tearDown() {
        temporary = nil
    }

    private func urlList(_ key: String, _ text: String) throws -> Delivery {
        let read = try DocumentParser.read(Array(text.utf8), fileName: "\(key).urls")
        guard case .urls(let entries) = read else {
            // A failure, not a skip: a .urls file that stops being read as a URL list is a bug.
            throw NotAURLList(description: "\(key).urls was not read as a URL list: \(read)")
        }
        return Delivery(key: key, origin: .file, name: "\(key).urls", receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000),
                        rawSHA256: nil, content: .urls(entries))
    }

    /// Queued, done, failed.
    private func states() throws -> [Int] {
        let status = try store.fetchQueueStatus()
        return [status.queued, status.done, status.failed]
    }

    func testTheSamePageIsQueuedOnceWhateverItsSpelling() throws {
        let decisions = try store.enqueue(["https://News.example.com/a?utm_source=x", "https://news.example.com/a#top",
                                           "https://news.example.com/b"], force: false, queuedBy: "test", at: now)
        XCTAssertEqual(decisions, [.queued, .alreadyQueued, .queued])
        XCTAssertEqual(try store.fetchQueueStatus().queued, 2)
        XCTAssertEqual(try store.dueFetches(at: now, limit: 10, excluding: []).map(\.url),
                       ["https://News.example.com/a?utm_source=x", "https://news.example.com/b"])
        XCTAssertEqual(try store.dueFetches(at: now, limit: 10, excluding: [1]).map(\.id), [2])
        XCTAssertEqual(try store.dueFetches(at: now.addingTimeInterval(-1), limit: 10, excluding: []), [])
    }

    func testAURLListQueuesItsLinksInTheFilesTransactionAndAReplayQueuesNothingNew() throws {
        let list = try urlList("list", "https://a.example/1\nnews:not-fetched\nhttps://a.example/2\n")
        let outcome = try store.record([list])[0]
        XCTAssertEqual(outcome.items.map(\.index), [1, 2, 3])
        XCTAssertEqual(outcome.items[0].outcome, .queuedForFetch(fetchID: 1, .queued))
        XCTAssertNotNil(outcome.items[1].outcome.failure)
        XCTAssertFalse(outcome.isFailure)
        let replay = try store.record([list])[0]
        XCTAssertEqual(replay.items[0].outcome, .queuedForFetch(fetchID: 1, .alreadyQueued))
        XCTAssertEqual(try states(), [2, 0, 0])
    }

    func testAFetchedPageCompletesItsRowAndAForcedRefetchIsConditional() throws {
        _ = try store.enqueue(["https://a.example/story"], force: false, queuedBy: "test", at: now)
        let pending = try XCTUnwrap(store.dueFetches(at: now, limit: 1, excluding: []).first)
        XCTAssertNil(pending.etag, "a first fetch is unconditional")
        let page = "<html><head><title>Floods reach the old town</title></head><body><article><p>"
            + String(repeating: "The river rose over the old town's walls during the night. ", count: 6) + "</p></article></body></html>"
        let item = try DocumentParser.parseFetched(Array(page.utf8), contentType: "text/html", url: pending.url)
        let delivery = Delivery(key: pending.deliveryKey, origin: .url, name: pending.url,
                                receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000), rawSHA256: nil, content: .items([item]),
                                fetch: FetchCompletion(fetchID: pending.id, status: 200, finalURL: pending.url, etag: "\"e1\"",
                                                       lastModified: "Tue, 14 Nov 2023 22:13:20 GMT", archive: nil))
        let outcome = try store.record([delivery])[0]
        XCTAssertNotNil(outcome.items[0].outcome.articleID)
        XCTAssertEqual(try states(), [0, 1, 0])
        XCTAssertEqual(try store.enqueue(["https://a.example/story"], force: false, queuedBy: "test", at: now), [.alreadyFetched])

        XCTAssertEqual(try store.enqueue(["https://a.example/story"], force: true, queuedBy: "test", at: now), [.requeued])
        let again = try XCTUnwrap(store.dueFetches(at: now, limit: 1, excluding: []).first)
        XCTAssertEqual(again.etag, "\"e1\"")
        XCTAssertEqual(again.lastModified, "Tue, 14 Nov 2023 22:13:20 GMT")
        XCTAssertNotEqual(again.deliveryKey, pending.deliveryKey, "a forced fetch is a new delivery")
    }

    func testARescheduledFetchWaitsUntilItIsDue() throws {
        _ = try store.enqueue(["https://a.example/later"], force: false, queuedBy: "test", at: now)
        try store.rescheduleFetch(id: 1, attempts: 1, dueAt: now.addingTimeInterval(60), error: "HTTP/1.1 503")
        XCTAssertEqual(try store.dueFetches(at: now.addingTimeInterval(59), limit: 1, excluding: []), [])
        XCTAssertEqual(try store.dueFetches(at: now.addingTimeInterval(60), limit: 1, excluding: []).first?.attempts, 1)
    }

    /// `status` reads counts that triggers keep; they must agree with the rows after every
    /// kind of change, and a queue from before the counts existed starts with its real counts.
    func testFetchQueueCountsAgreeWithItsRowsFromUpgradeOn() throws {
        let path = temporary.folder.appendingPathComponent("v6.db").path
        let old = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(old, upTo: "v6: stored centroid norms")
        try old.write { db in
            for (number, state) in ["queued", "done", "done", "failed"].enumerated() {
                try db.execute(sql: """
                    INSERT INTO fetch_queue (url, canonical_url, state, due_at, queued_at, queued_by)
                    VALUES (?, ?, ?, 0, '2023-11-14T22:13:20Z', 'test')
                    """, arguments: ["https://old.example/\(number)", "https://old.example/\(number)", state])
            }
        }
        try old.close()
        let store = try ArticleStore(path: path)
        func rowCounts() throws -> [Int] {
            try store.reader.read { db in
                try ["queued", "done", "failed"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM fetch_queue WHERE state = ?", arguments: [$0]) ?? 0 }
            }
        }
        func counts() throws -> [Int] {
            let status = try store.fetchQueueStatus()
            return [status.queued, status.done, status.failed]
        }
        XCTAssertEqual(try counts(), [1, 2, 1])

        _ = try store.enqueue(["https://a.example/1", "https://a.example/2", "https://old.example/1"], force: true,
                              queuedBy: "test", at: now)
        XCTAssertEqual(try counts(), try rowCounts())
        XCTAssertEqual(try counts(), [4, 1, 1], "two new, one done row queued again by force")
        try store.rescheduleFetch(id: 1, attempts: 1, dueAt: now, error: "HTTP/1.1 503")
        XCTAssertEqual(try counts(), try rowCounts())
    }
}
