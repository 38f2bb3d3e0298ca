import GRDB
import NewsdropCore

/// Writes the entries the writer deferred (`IndexSlices`), inside its transactions: one slice
/// per commit, every slice before the store stops, and after a crash or a failed transaction,
/// what was held in memory, recomputed from the stored articles.
struct DeferredIndexWriter {
    let db: Database
    let settings: SimilaritySettings
    let caches: WriterCaches

    private var duplicates: NearDuplicateIndex { NearDuplicateIndex(db: db, settings: settings, pending: caches.postings) }
    private var stories: StoryIndex { StoryIndex(db: db, settings: settings, caches: caches) }

    /// Writes the slice whose turn it is, and the following ones while the writer still holds
    /// more postings than its budget (`PendingPostings.budget`): large batches fill it faster
    /// than one slice per commit empties it. Returns the slice whose turn is next.
    func writeDue(from slice: Int) throws -> Int {
        var next = slice
        repeat {
            try write(slice: next)
            next = (next + 1) % IndexSlices.count
        } while caches.postings.count > caches.postings.budget && next != slice
        return next
    }

    /// Writes one slice's held postings and document frequencies, and moves its watermark to
    /// the newest placed article: every placed article's entries in the slice are now in the
    /// tables.
    private func write(slice: Int) throws {
        try write(caches.postings.take(slice: slice))
        try stories.writeDocumentFrequencies(slice: slice)
        try db.executeCached(sql: "UPDATE index_slices SET written_through = ? WHERE slice = ?",
                             arguments: [try newestPlacedArticle(), slice])
    }

    func writeAll() throws {
        for slice in IndexSlices.all { try write(slice: slice) }
    }

    /// Writes the entries of every placed article above a slice's watermark that the writer
    /// no longer holds (it stopped, or a transaction failed and its caches were dropped),
    /// recomputing the article's features from its stored title and text as they were computed
    /// on arrival. A story such an article joined or opened is listed again under every term its
    /// row posts: the terms it left were unlisted in their transaction, so only additions can be
    /// missing. Postings are inserted idempotently; a document frequency counts an article only
    /// in slices whose watermark is below it, so nothing is counted twice. Returns how many
    /// articles it went through.
    func recover() throws -> Int {
        let watermarks = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT slice, written_through FROM index_slices")
            .map { ($0["slice"] as Int, $0["written_through"] as Int64) })
        guard let lowest = watermarks.values.min() else { return 0 }
        let articles = try Row.fetchCursor(db, sql: """
            SELECT a.id, a.title, a.text, a.duplicate_of IS NULL AS counted
            FROM article_features f JOIN articles a ON a.id = f.article_id
            WHERE f.article_id > ? ORDER BY f.article_id
            """, arguments: [lowest])
        var postings = [PendingPostings.Slice](repeating: .init(bands: [], sentences: []), count: IndexSlices.count)
        var documentCounts: [UInt64: Int64] = [:]
        var recovered = 0
        while let row = try articles.next() {
            let id: Int64 = row["id"], counted: Bool = row["counted"]
            let features = SimilarityInput.features(title: row["title"], body: row["text"])
            let pending = { (key: UInt64) in id > watermarks[IndexSlices.slice(of: key), default: lowest] }
            let keys = IndexKeys(features, settings: settings)
            for (band, key) in keys.bands.enumerated() where pending(key) {
                postings[IndexSlices.slice(of: key)].bands.append((Int64(band), Int64(bitPattern: key), id))
            }
            for key in keys.sentences where pending(key) {
                postings[IndexSlices.slice(of: key)].sentences.append((Int64(bitPattern: key), id))
            }
            // Only an article that joined no duplicate group was counted as a story document.
            if counted {
                for term in features.termWeights.terms where pending(term) { documentCounts[term, default: 0] += 1 }
            }
            recovered += 1
        }
        for (term, storyID) in try storyPostings(ofStoriesPlacedAfter: lowest) {
            postings[IndexSlices.slice(of: UInt64(bitPattern: term))].stories.append((term, storyID))
        }
        for var slice in postings {
            slice.sortAsStored()
            try write(slice)
        }
        let add = try db.cachedStatement(sql: """
            INSERT INTO term_documents (term, documents) VALUES (?, ?)
            ON CONFLICT (term) DO UPDATE SET documents = documents + excluded.documents
            """)
        for (term, count) in documentCounts.sorted(by: { Int64(bitPattern: $0.key) < Int64(bitPattern: $1.key) }) {
            try add.executeIntegers(Int64(bitPattern: term), count)
        }
        try db.execute(sql: "UPDATE index_slices SET written_through = ?", arguments: [try newestPlacedArticle()])
        return recovered
    }

    /// Inserts one slice's postings, near-duplicate and story, in their tables' order.
    private func write(_ postings: PendingPostings.Slice) throws {
        try duplicates.write(postings)
        try stories.writePostings(postings.stories)
    }

    /// The postings of every story that an article above `article` placed itself in (a
    /// near-duplicate only extends its group's story, which changes no terms).
    private func storyPostings(ofStoriesPlacedAfter article: Int64) throws -> [(term: Int64, storyID: Int64)] {
        let stories = try Row.fetchCursor(db, sql: """
            SELECT id, posted FROM stories WHERE id IN (
                SELECT story_id FROM articles WHERE id > ? AND duplicate_of IS NULL AND story_id IS NOT NULL)
            """, arguments: [article])
        var postings: [(term: Int64, storyID: Int64)] = []
        while let row = try stories.next() {
            let id: Int64 = row["id"]
            for term in IntegerBlob.decode(row["posted"]) ?? [] { postings.append((Int64(bitPattern: term), id)) }
        }
        return postings
    }

    private func newestPlacedArticle() throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(article_id), 0) FROM article_features")) ?? 0
    }
}
