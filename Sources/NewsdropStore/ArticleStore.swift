import Foundation
import GRDB
import NewsdropCore
import Synchronization

/// The SQLite database: one writer that records deliveries in batched transactions, and any
/// number of concurrent readers (WAL).
///
/// Durability: commits use `synchronous = FULL`, not the WAL-mode favourite NORMAL. The daemon
/// moves an input file out of its work folder right after the commit that recorded it, so the
/// commit must survive a power cut; with NORMAL the last transactions could roll back while
/// the file was already gone from the inbox. Batching keeps the cost at one fsync per batch.
public final class ArticleStore: Sendable {
    public let path: String
    let pool: DatabasePool
    private let similarity: Mutex<SimilaritySettings>
    private let frequencies = DocumentFrequencyCache()

    public init(path: String, similarity: SimilaritySettings = SimilaritySettings()) throws {
        self.path = path
        self.similarity = Mutex(similarity)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
    }

    /// The near-duplicate and story thresholds this store records with; a reload changes them
    /// for the transactions that follow.
    public var similaritySettings: SimilaritySettings {
        get { similarity.withLock { $0 } }
        set { similarity.withLock { $0 = newValue } }
    }

    /// Read access for queries; readers never block the writer.
    public var reader: any DatabaseReader { pool }

    /// Records a batch of deliveries in one transaction and returns what became of each item.
    /// Replaying a delivery that was recorded before returns its earlier outcome and writes nothing.
    public func record(_ deliveries: [Delivery], keepRawInputs: Bool = false) throws -> [DeliveryOutcome] {
        let similarity = similaritySettings, frequencies = frequencies
        do {
            return try record(deliveries, keepRawInputs: keepRawInputs, similarity: similarity, frequencies: frequencies)
        } catch {
            frequencies.reset()  // the transaction rolled back: so must the cache
            throw error
        }
    }

    private func record(_ deliveries: [Delivery], keepRawInputs: Bool, similarity: SimilaritySettings,
                        frequencies: DocumentFrequencyCache) throws -> [DeliveryOutcome] {
        try pool.write { db in
            try deliveries.map { delivery in
                if keepRawInputs, let sha = delivery.rawSHA256, let bytes = delivery.rawBytes {
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO raw_inputs (sha256, bytes, stored_at) VALUES (?, ?, ?)
                        """, arguments: [sha, Data(bytes), delivery.receivedAt.iso8601])
                }
                let recorder = DeliveryRecorder(db: db, delivery: delivery, similarity: similarity, frequencies: frequencies)
                let outcome: DeliveryOutcome
                switch delivery.content {
                case .failed(let failure):
                    outcome = DeliveryOutcome(key: delivery.key, items: [(0, try recorder.recordFailure(failure, item: 0))])
                case .items(let items):
                    outcome = DeliveryOutcome(key: delivery.key, items: try items.map { item in
                        switch item.outcome {
                        case .success(let article): (item.index, try recorder.recordArticle(article, item: item.index))
                        case .failure(let failure): (item.index, try recorder.recordFailure(failure, item: item.index))
                        }
                    })
                case .urls(let entries):
                    outcome = DeliveryOutcome(key: delivery.key, items: try entries.map { entry in
                        switch entry.outcome {
                        case .success(let url): (entry.line, try recorder.enqueue(url))
                        case .failure(let failure): (entry.line, try recorder.recordFailure(failure, item: entry.line))
                        }
                    })
                }
                if let completion = delivery.fetch {
                    let failure = outcome.isFailure ? outcome.items.lazy.compactMap(\.outcome.failure).first : nil
                    try FetchQueueTable.complete(db, completion, articleID: outcome.items.lazy.compactMap(\.outcome.articleID).first,
                                                 failure: failure, at: Date())
                }
                return outcome
            }
        }
    }

    /// True when a failed `record` was about the data it was given (a constraint, a value too
    /// large), not about the database's surroundings (a full disk, an I/O error, a lock): only
    /// such an input may be set aside; anything else is waited out.
    public static func isInputSpecific(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return true }
        switch error.resultCode {
        case .SQLITE_CONSTRAINT, .SQLITE_TOOBIG, .SQLITE_MISMATCH, .SQLITE_RANGE: return true
        default: return false
        }
    }

    /// Moves everything in the write-ahead log into the database file and truncates the log,
    /// so a stopped daemon leaves one self-contained file.
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }
}

/// Records the items of one delivery inside the store's write transaction.
private struct DeliveryRecorder {
    let db: Database
    let delivery: Delivery
    let similarity: SimilaritySettings
    let frequencies: DocumentFrequencyCache

    func recordArticle(_ article: Article, item: Int) throws -> ItemOutcome {
        if let replayed = try previousOutcome(item: item) { return replayed }
        if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM articles WHERE sha256 = ?",
                                             arguments: [article.contentHash]) {
            try insertSighting(articleID: existing, item: item)
            return .exactDuplicate(articleID: existing)
        }
        let revisionOf = try article.canonicalURL.flatMap { url in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM articles WHERE canonical_url = ?", arguments: [url])
        }
        try db.execute(sql: """
            INSERT INTO articles (sha256, title, text, url, canonical_url, published_at, published_raw,
                author, outlet, language, external_id, dateline_place, dateline_agency, word_count,
                received_at, revision_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                article.contentHash, article.title, article.text, article.url, article.canonicalURL,
                article.published?.iso8601, article.publishedRaw, article.author, article.outlet,
                article.language, article.externalID, article.dateline?.place, article.dateline?.agency,
                article.wordCount, delivery.receivedAt.iso8601, revisionOf,
            ])
        let articleID = db.lastInsertedRowID
        try db.execute(sql: "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
                       arguments: [articleID, article.title, article.text])
        try insertSighting(articleID: articleID, item: item)
        let placement = try SimilarityRecorder(db: db, settings: similarity, frequencies: frequencies)
            .place(articleID: articleID, article: article, receivedAt: delivery.receivedAt)
        return .added(AddedArticle(articleID: articleID, revisionOf: revisionOf, placement: placement))
    }

    func recordFailure(_ failure: IngestFailure, item: Int) throws -> ItemOutcome {
        if let replayed = try previousOutcome(item: item) { return replayed }
        try db.execute(sql: """
            INSERT INTO failures (delivery, item, origin, name, stage, reason, failed_at, raw_sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [delivery.key, item, delivery.origin.rawValue, delivery.name,
                             failure.stage.rawValue, failure.reason, delivery.receivedAt.iso8601,
                             delivery.rawSHA256])
        return .failed(failure)
    }

    /// A link of a URL list: queued unless it is queued or fetched already (so a replayed list
    /// queues nothing twice).
    func enqueue(_ url: String) throws -> ItemOutcome {
        let (id, decision) = try FetchQueueTable.enqueue(db, url: url, force: false, queuedBy: delivery.name,
                                                         at: Date(timeIntervalSince1970: Double(delivery.receivedAt.secondsSinceEpoch)))
        return .queuedForFetch(fetchID: id, decision)
    }

    /// The outcome recorded for this delivery's item by an earlier run, if any.
    private func previousOutcome(item: Int) throws -> ItemOutcome? {
        if let articleID = try Int64.fetchOne(db, sql: "SELECT article_id FROM sightings WHERE delivery = ? AND item = ?",
                                              arguments: [delivery.key, item]) {
            return .alreadyRecorded(articleID: articleID)
        }
        if let row = try Row.fetchOne(db, sql: "SELECT stage, reason FROM failures WHERE delivery = ? AND item = ?",
                                      arguments: [delivery.key, item]) {
            let stage = IngestFailure.Stage(rawValue: row["stage"]) ?? .parse
            return .failed(IngestFailure(stage, row["reason"]))
        }
        return nil
    }

    private func insertSighting(articleID: Int64, item: Int) throws {
        try db.execute(sql: """
            INSERT INTO sightings (article_id, delivery, item, origin, name, received_at, raw_sha256)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [articleID, delivery.key, item, delivery.origin.rawValue, delivery.name,
                             delivery.receivedAt.iso8601, delivery.rawSHA256 ?? ""])
    }
}

extension ArticleStore {
    /// How many times an input has failed as a whole: by its raw bytes when they were read,
    /// otherwise by its name. Shown as `attempts` in `failed/` sidecars.
    public func wholeInputFailureCount(rawSHA256: String?, name: String) throws -> Int {
        try pool.read { db in
            if let rawSHA256 {
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM failures WHERE item = 0 AND raw_sha256 = ?",
                                        arguments: [rawSHA256]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM failures WHERE item = 0 AND raw_sha256 IS NULL AND name = ?",
                                    arguments: [name]) ?? 0
        }
    }
}
