import Foundation
import GRDB
import NewsdropControlProtocol
import NewsdropCore
import Synchronization

/// What enqueueing a URL did.
public enum EnqueueDecision: String, Sendable, Equatable {
    /// A new row: the URL will be fetched.
    case queued
    /// Already waiting to be fetched.
    case alreadyQueued = "already queued"
    /// Fetched (or failed for good) before: not fetched again unless forced.
    case alreadyFetched = "already fetched"
    /// Forced: fetched again, conditionally when validators are stored.
    case requeued
}

/// One URL of the queue, as the scheduler needs it.
public struct PendingFetch: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var generation: Int
    public var attempts: Int
    /// Stored validators, sent only for a forced re-fetch.
    public var etag: String?
    public var lastModified: String?

    /// The delivery key of this fetch: one per row and generation, so that replaying a commit
    /// changes nothing and a forced re-fetch is a new delivery.
    public var deliveryKey: String { "url:\(id):\(generation)" }
}

/// How a fetch ended, recorded in the same transaction as the article or failure it produced.
public struct FetchCompletion: Sendable {
    public var fetchID: Int64
    public var status: Int
    public var finalURL: String?
    public var etag: String?
    public var lastModified: String?
    /// The compressed response (status line, headers, body), when responses are archived.
    public var archive: [UInt8]?

    public init(fetchID: Int64, status: Int, finalURL: String?, etag: String?, lastModified: String?, archive: [UInt8]?) {
        self.fetchID = fetchID
        self.status = status
        self.finalURL = finalURL
        self.etag = etag
        self.lastModified = lastModified
        self.archive = archive
    }
}

/// The fetch queue's queries. Enqueueing runs inside a caller's transaction (a `.urls` file's
/// links commit with the file's record), or on its own for the control socket.
enum FetchQueueTable {
    static func enqueue(_ db: Database, url: String, force: Bool, queuedBy: String, at now: Date) throws -> (id: Int64, decision: EnqueueDecision) {
        let canonical = URLCanonicalizer.canonicalize(url) ?? url
        if let row = try Row.fetchOne(db, sql: "SELECT id, state FROM fetch_queue WHERE canonical_url = ?", arguments: [canonical]) {
            let id: Int64 = row["id"], state: String = row["state"]
            if state == "queued" { return (id, .alreadyQueued) }
            guard force else { return (id, .alreadyFetched) }
            try db.execute(sql: """
                UPDATE fetch_queue SET state = 'queued', generation = generation + 1, conditional = 1, attempts = 0,
                    due_at = ?, queued_by = ?, last_error = NULL WHERE id = ?
                """, arguments: [now.timeIntervalSince1970, queuedBy, id])
            return (id, .requeued)
        }
        try db.execute(sql: """
            INSERT INTO fetch_queue (url, canonical_url, state, due_at, queued_at, queued_by) VALUES (?, ?, 'queued', ?, ?, ?)
            """, arguments: [url, canonical, now.timeIntervalSince1970, now.storedTimestamp, queuedBy])
        return (db.lastInsertedRowID, .queued)
    }

    static func complete(_ db: Database, _ completion: FetchCompletion, articleID: Int64?, failure: IngestFailure?, at now: Date) throws {
        try db.execute(sql: """
            UPDATE fetch_queue SET state = ?, finished_at = ?, http_status = ?, final_url = ?, etag = coalesce(?, etag),
                last_modified = coalesce(?, last_modified), last_error = ?, article_id = coalesce(?, article_id)
            WHERE id = ?
            """, arguments: [failure == nil ? "done" : "failed", now.storedTimestamp, completion.status, completion.finalURL,
                             completion.etag, completion.lastModified, failure?.description, articleID, completion.fetchID])
        if let archive = completion.archive {
            try db.execute(sql: """
                INSERT INTO fetch_archive (fetch_id, fetched_at, status, encoding, response) VALUES (?, ?, ?, 'zlib', ?)
                """, arguments: [completion.fetchID, now.storedTimestamp, completion.status, Data(archive)])
        }
    }
}

extension ArticleStore {
    /// Queues URLs in one transaction (the control socket's `fetch`).
    public func enqueue(_ urls: [String], force: Bool, queuedBy: String, at now: Date = Date()) throws -> [EnqueueDecision] {
        try pool.write { db in
            try urls.map { try FetchQueueTable.enqueue(db, url: $0, force: force, queuedBy: queuedBy, at: now).decision }
        }
    }

    /// Queued URLs whose time has come, oldest due first, leaving out those already in flight.
    public func dueFetches(at now: Date, limit: Int, excluding inFlight: Set<Int64>) throws -> [PendingFetch] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, url, generation, attempts, conditional, etag, last_modified FROM fetch_queue
                WHERE state = 'queued' AND due_at <= ? ORDER BY due_at, id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit + inFlight.count]).compactMap { row in
                let id: Int64 = row["id"]
                guard !inFlight.contains(id) else { return nil }
                let conditional: Bool = row["conditional"]
                return PendingFetch(id: id, url: row["url"], generation: row["generation"], attempts: row["attempts"],
                                    etag: conditional ? row["etag"] : nil, lastModified: conditional ? row["last_modified"] : nil)
            }.prefix(limit).map { $0 }
        }
    }

    /// A transient failure: try again at `dueAt`.
    public func rescheduleFetch(id: Int64, attempts: Int, dueAt: Date, error: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE fetch_queue SET attempts = ?, due_at = ?, last_error = ? WHERE id = ? AND state = 'queued'",
                           arguments: [attempts, dueAt.timeIntervalSince1970, error, id])
        }
    }

    /// A fetch that produced no delivery (304 Not Modified): done, with what the server said.
    public func completeFetchWithoutContent(_ completion: FetchCompletion, at now: Date = Date()) throws {
        try pool.write { db in try FetchQueueTable.complete(db, completion, articleID: nil, failure: nil, at: now) }
    }

    /// The queue's counts by state. They are read from the database only after a transaction
    /// of this store changed the queue: `status` asks for them thousands of times a second, and
    /// a read transaction cost a tenth of its round trip.
    public func fetchQueueStatus() throws -> FetchQueueStatus {
        try fetchQueueCounts.counts {
            try pool.read { db in
                var counts = FetchQueueStatus(queued: 0, done: 0, failed: 0)
                for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT state, urls FROM fetch_queue_counts")) {
                    switch row["state"] as String {
                    case "queued": counts.queued = row["urls"]
                    case "done": counts.done = row["urls"]
                    default: counts.failed = row["urls"]
                    }
                }
                return counts
            }
        }
    }
}

/// The fetch queue's last counts, dropped whenever a committed transaction of the writer
/// connection touched `fetch_queue`. The daemon is the database's only writer, so nothing
/// else can change the queue behind the store's back.
final class FetchQueueCountsCache: TransactionObserver, Sendable {
    /// Bumped by every commit that changed the queue; counts read before a bump are not kept.
    private struct State {
        var generation = 0
        var counts: FetchQueueStatus?
    }

    private let state = Mutex(State())
    /// Set on the writer's queue between a change and the end of its transaction.
    private let changed = Atomic<Bool>(false)

    /// The cached counts, or `read`'s, which are kept unless the queue changed meanwhile.
    func counts(_ read: () throws -> FetchQueueStatus) rethrows -> FetchQueueStatus {
        let (generation, cached) = state.withLock { ($0.generation, $0.counts) }
        if let cached { return cached }
        let counts = try read()
        state.withLock { if $0.generation == generation { $0.counts = counts } }
        return counts
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        eventKind.tableName == "fetch_queue"
    }

    func databaseDidChange(with event: DatabaseEvent) {
        changed.store(true, ordering: .relaxed)
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        guard changed.exchange(false, ordering: .relaxed) else { return }
        state.withLock {
            $0.generation += 1
            $0.counts = nil
        }
    }

    func databaseDidRollback(_ db: Database) {
        changed.store(false, ordering: .relaxed)
    }
}

private extension Date {
    var storedTimestamp: String { Timestamp(secondsSinceEpoch: Int64(timeIntervalSince1970.rounded(.down))).iso8601 }
}
