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
    /// The optional stages of recording, both on by default. Turning one off shows what it
    /// costs (`newsdrop-bench ingest --without`), or suits a corpus that needs only exact
    /// deduplication, or no search.
    public struct Stages: Sendable, Equatable {
        /// Near-duplicate groups and stories. Off: new articles get no group, story or
        /// similarity features, and are not placed later either.
        public var similarity: Bool
        /// The full-text index behind `search`. Off: new articles are not indexed; the next
        /// start with it on rebuilds the index, so search catches up.
        public var fullText: Bool

        public init(similarity: Bool = true, fullText: Bool = true) {
            self.similarity = similarity
            self.fullText = fullText
        }
    }

    public let path: String
    public let stages: Stages
    let pool: DatabasePool
    private let similarity: Mutex<SimilaritySettings>
    private let caches: WriterCaches
    /// The background fill of the filter of posted keys (`PostedKeyFilter`), waited for when
    /// the store goes away so that no reader outlives it.
    private let keyFill = DispatchGroup()
    /// Why the store has no filter of posted keys although one was asked for.
    private let keyFilterMappingFailure: String?
    /// The filter of posted keys' size unless told otherwise (`PostedKeyFilter`).
    public static let defaultPostedKeyFilterBytes = PostedKeyFilter.defaultByteCount
    private let rotation = Mutex(SliceRotation())
    /// Articles whose held index entries the store recomputed when it opened: more than zero
    /// only after the last run was killed (`IndexSlices`), which the daemon says in its log.
    public let articlesRecoveredAtOpen: Int
    let fetchQueueCounts = FetchQueueCountsCache()
    /// Log pages (64 MB) past which a commit checkpoints on the writer's thread (`WALCheckpointer`).
    static let logPagesBeforeWriterCheckpoint = 16_384
    private let checkpointer: WALCheckpointer

    /// Opens (creating or migrating) the database at `path`. With near-duplicates and stories
    /// on, candidate search skips keys no article has posted once a filter of
    /// `postedKeyFilterBytes` (0: none) has read the stored keys in the background;
    /// `postedKeyFilterEvents` hears when that is done, or why it cannot be (a failed fill is
    /// tried again, `PostedKeyFilter.fillRetrying`).
    public init(path: String, similarity: SimilaritySettings = SimilaritySettings(), stages: Stages = Stages(),
                postedKeyFilterBytes: Int = defaultPostedKeyFilterBytes,
                postedKeyFilterEvents: @escaping @Sendable (PostedKeyFilterEvent) -> Void = { _ in }) throws {
        SQLiteMemoryStatistics.turnedOffBeforeFirstUse
        _ = LogWriteBuffer.installedBeforeFirstConnection
        self.path = path
        self.stages = stages
        self.similarity = Mutex(similarity)
        var filter: PostedKeyFilter?
        do {
            filter = stages.similarity && postedKeyFilterBytes > 0 ? try PostedKeyFilter(byteCount: postedKeyFilterBytes) : nil
            keyFilterMappingFailure = nil
        } catch {
            keyFilterMappingFailure = error.description
        }
        caches = WriterCaches(postedKeys: filter)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // The writer touches index pages all over the postings and the full-text index;
            // SQLite's default 2 MB page cache made it re-read pages from the OS about a hundred
            // times per article. Readers keep the default, so memory stays bounded.
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -65536")
                // The log is copied back by `WALCheckpointer`, off the writer's thread; the
                // writer's own checkpoint is only a backstop that lets a long log start over.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.logPagesBeforeWriterCheckpoint)")
            }
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        // Set here, not in `prepareDatabase`: GRDB switches the writer to NORMAL when it turns
        // WAL on, after `prepareDatabase` has run, and with NORMAL a commit is not fsynced.
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        checkpointer = try WALCheckpointer(path: path)
        pool.add(transactionObserver: checkpointer, extent: .observerLifetime)
        try Schema.migrator.migrate(pool)
        pool.add(transactionObserver: fetchQueueCounts, extent: .observerLifetime)
        articlesRecoveredAtOpen = try Self.recoverDeferredIndexes(in: pool, similarity: similarity, caches: caches)
        if stages.similarity {
            try pool.read { db in try StoryIndex(db: db, settings: similarity, caches: caches).cacheEveryStoredFrequency() }
        }
        if stages.fullText { try catchUpFullText() }
        if let filter {
            // The pool is held only while a batch is read: the store's owner decides when it closes.
            DispatchQueue.global(qos: .utility).async(group: keyFill) { [weak pool] in
                filter.fillRetrying(from: { pool }, report: postedKeyFilterEvents)
            }
        } else if let keyFilterMappingFailure {
            postedKeyFilterEvents(.failed(keyFilterMappingFailure))
        }
    }

    deinit {
        caches.postedKeys?.cancelFill()
        keyFill.wait()  // at most one batch
    }

    /// Where the filter of posted keys stands (`PostedKeyFilter`).
    public var postedKeyFilterState: PostedKeyFilterState {
        if let keyFilterMappingFailure { return .failed(keyFilterMappingFailure) }
        guard let filter = caches.postedKeys else { return .off }
        if let failure = filter.fillFailure { return .failed(failure) }
        return filter.isFilled ? .filled : .filling
    }

    /// Lookups of posting lists that candidate search skipped since the store opened.
    public var skippedPostingLookups: Int { caches.postedKeys?.skippedLookups ?? 0 }

    /// Which slice of the deferred index entries the next commit writes (`IndexSlices`), and
    /// whether the entries held in memory were lost with a failed transaction.
    private struct SliceRotation {
        var next = 0
        var mustRecover = false
    }

    /// Writes what the writer held in memory when it last stopped or failed (`IndexSlices`);
    /// returns how many articles it went through.
    private static func recoverDeferredIndexes(in pool: DatabasePool, similarity: SimilaritySettings,
                                               caches: WriterCaches) throws -> Int {
        try pool.write { db in
            try DeferredIndexWriter(db: db, settings: similarity, caches: caches).recover()
        }
    }

    /// Rebuilds the full-text index if articles were recorded while it was off.
    private func catchUpFullText() throws {
        try pool.write { db in
            let stale = try Bool.fetchOne(db, sql: "SELECT value FROM corpus_counters WHERE name = 'full_text_stale'") ?? false
            guard stale else { return }
            try db.execute(sql: """
                INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
                DELETE FROM corpus_counters WHERE name = 'full_text_stale';
                """)
        }
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
        let similarity = similaritySettings
        return try withDeferredIndexes(similarity: similarity) { slice in
            try record(deliveries, keepRawInputs: keepRawInputs, similarity: similarity, caches: caches, slice: slice)
        }
    }

    /// Runs one transaction that writes deferred index entries (`IndexSlices`), which `write`
    /// starts at the slice given and returns with the slice whose turn is next. Before it, what a
    /// failed transaction lost is recovered. When it fails, the transaction rolled back: so do
    /// the caches, which lose the entries they held for earlier commits too, and they are
    /// recomputed before the next one. The slice rotation's lock is held throughout, failure
    /// included: a checkpoint that wrote between a failed transaction and that reset would
    /// write what was rolled back, or, after the reset, nothing, and move every slice's
    /// watermark past entries no one holds any longer.
    private func withDeferredIndexes<Result: Sendable>(similarity: SimilaritySettings,
                                             _ write: (_ slice: Int) throws -> (Result, nextSlice: Int)) throws -> Result {
        let caches = caches
        return try rotation.withLock { rotation in
            if rotation.mustRecover {
                _ = try Self.recoverDeferredIndexes(in: pool, similarity: similarity, caches: caches)
                rotation.mustRecover = false
            }
            do {
                let (result, nextSlice) = try write(rotation.next)
                rotation.next = nextSlice
                return result
            } catch {
                caches.reset()
                rotation.mustRecover = true
                throw error
            }
        }
    }

    private func record(_ deliveries: [Delivery], keepRawInputs: Bool, similarity: SimilaritySettings,
                        caches: WriterCaches, slice: Int) throws -> (outcomes: [DeliveryOutcome], nextSlice: Int) {
        try pool.write { db in
            let fullText = PendingFullText()
            let outcomes = try deliveries.map { delivery in
                if keepRawInputs, let sha = delivery.rawSHA256, let bytes = delivery.rawBytes {
                    try db.executeCached(sql: """
                        INSERT OR IGNORE INTO raw_inputs (sha256, bytes, stored_at) VALUES (?, ?, ?)
                        """, arguments: [sha, Data(bytes), delivery.receivedAt.iso8601])
                }
                let recorder = DeliveryRecorder(db: db, delivery: delivery, stages: stages, similarity: similarity,
                                                caches: caches, fullText: fullText)
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
            let nextSlice = try DeferredIndexWriter(db: db, settings: similarity, caches: caches).writeDue(from: slice)
            if stages.fullText {
                try fullText.insert(into: db)
            } else if !fullText.isEmpty {
                try db.executeCached(sql: "INSERT OR REPLACE INTO corpus_counters (name, value) VALUES ('full_text_stale', 1)",
                                     arguments: [])
            }
            return (outcomes, nextSlice)
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

    /// Writes every index entry the writer holds in memory (`IndexSlices`), then moves
    /// everything in the write-ahead log into the database file and truncates the log, so a
    /// stopped daemon leaves one self-contained file that needs no recovery at the next start.
    public func checkpoint() throws {
        let similarity = similaritySettings, caches = caches
        try withDeferredIndexes(similarity: similarity) { slice in
            try pool.write { db in try DeferredIndexWriter(db: db, settings: similarity, caches: caches).writeAll() }
            return ((), slice)
        }
        try checkpointer.excludingBackgroundCheckpoints {
            try pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
        }
    }
}

/// Records the items of one delivery inside the store's write transaction.
private struct DeliveryRecorder {
    let db: Database
    let delivery: Delivery
    let stages: ArticleStore.Stages
    let similarity: SimilaritySettings
    let caches: WriterCaches
    let fullText: PendingFullText

    func recordArticle(_ article: Article, item: Int) throws -> ItemOutcome {
        if let replayed = try previousOutcome(item: item) { return replayed }
        if let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM articles WHERE sha256 = ?"),
                                             arguments: [article.contentHash]) {
            try insertSighting(articleID: existing, item: item)
            return .exactDuplicate(articleID: existing)
        }
        let revisionOf = try article.canonicalURL.flatMap { url in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM articles WHERE canonical_url = ?"), arguments: [url])
        }
        // The id SQLite would give the row; taken first, so that the row is written once, placed.
        let articleID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) + 1 FROM articles")) ?? 1
        let recorder = stages.similarity ? SimilarityRecorder(db: db, settings: similarity, caches: caches) : nil
        let placed = try recorder?.place(articleID: articleID, article: article, receivedAt: delivery.receivedAt)
        let placement = placed?.placement
        try db.executeCached(sql: """
            INSERT INTO articles (id, sha256, title, text, url, canonical_url, published_at, published_raw,
                author, outlet, language, external_id, dateline_place, dateline_agency, word_count,
                received_at, revision_of, duplicate_group, duplicate_of, duplicate_similarity, story_id, story_day)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                articleID, article.contentHash, article.title, article.text, article.url, article.canonicalURL,
                article.published?.iso8601, article.publishedRaw, article.author, article.outlet,
                article.language, article.externalID, article.dateline?.place, article.dateline?.agency,
                article.wordCount, delivery.receivedAt.iso8601, revisionOf,
                placement?.duplicateGroup, placement?.duplicateOf, placement?.similarity, placement?.storyID, placed?.day,
            ])
        if let recorder, let placed { try recorder.index(placed) }
        fullText.add(rowID: articleID, title: article.title, text: article.text)
        try insertSighting(articleID: articleID, item: item)
        return .added(AddedArticle(articleID: articleID, revisionOf: revisionOf, placement: placement))
    }

    func recordFailure(_ failure: IngestFailure, item: Int) throws -> ItemOutcome {
        if let replayed = try previousOutcome(item: item) { return replayed }
        try db.executeCached(sql: """
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
        if let articleID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT article_id FROM sightings WHERE delivery = ? AND item = ?"),
                                              arguments: [delivery.key, item]) {
            return .alreadyRecorded(articleID: articleID)
        }
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT stage, reason FROM failures WHERE delivery = ? AND item = ?"),
                                      arguments: [delivery.key, item]) {
            let stage = IngestFailure.Stage(rawValue: row["stage"]) ?? .parse
            return .failed(IngestFailure(stage, row["reason"]))
        }
        return nil
    }

    private func insertSighting(articleID: Int64, item: Int) throws {
        try db.executeCached(sql: """
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

/// Rows for the full-text index, inserted together at the end of the transaction. FTS5 keeps
/// inserted rows in memory until it must flush them, and any later statement that opens a
/// savepoint (an upsert, a multi-row update) forces a flush into a new small segment; inserted
/// last, a batch costs one flush instead of one per article.
private final class PendingFullText {
    private var rows: [(rowID: Int64, title: String?, text: String)] = []

    var isEmpty: Bool { rows.isEmpty }

    func add(rowID: Int64, title: String?, text: String) {
        rows.append((rowID, title, text))
    }

    func insert(into db: Database) throws {
        for row in rows {
            try db.executeCached(sql: "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
                                 arguments: [row.rowID, row.title, row.text])
        }
        rows.removeAll()
    }
}
