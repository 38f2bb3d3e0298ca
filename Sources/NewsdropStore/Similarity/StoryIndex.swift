import Foundation
import GRDB
import NewsdropCore

/// A story as the clustering step reads and updates it.
struct StoryRecord {
    var id: Int64
    var label: String?
    /// The story's date range in days since 1970, from its members' publication dates; nil
    /// while no member has one.
    var firstDay: Int64?
    var lastDay: Int64?
    var firstSeen: String
    var lastSeen: String
    var articleCount: Int
    /// Sum of its members' L2-normalised raw weights (no IDF), pruned to the largest terms.
    var centroid: StoryCentroid
    /// The terms it is listed under in `story_postings`.
    var posted: [UInt64]
}

/// The story side of the database: document frequencies for IDF, stories, and the inverted
/// index from top terms to stories.
struct StoryIndex {
    let db: Database
    let settings: SimilaritySettings
    /// The writer's caches; nil for readers, which ask the database every time.
    var caches: WriterCaches?

    // MARK: Document frequencies

    /// Counts one more story document containing `terms` (distinct) and returns their
    /// frequencies, this document included, parallel to `terms`; they stay in the cache
    /// (`currentIDF`), and reach the database with their slice (`writeDocumentFrequencies`).
    /// Writer only.
    func addDocument(containing terms: [UInt64]) throws -> [Int] {
        guard let cache = caches?.frequencies else { preconditionFailure("only the writer, which holds the caches, counts documents") }
        _ = try documentCount()  // read before `countDocument` increments it
        return try cache.countDocument(containing: terms, stored: documentFrequencies(of:))
    }

    /// Gives the writer's cache every stored frequency when they fit
    /// (`DocumentFrequencyCache.holdEveryStoredTerm`). Writer only, before it counts.
    func cacheEveryStoredFrequency() throws {
        guard let cache = caches?.frequencies else { preconditionFailure("only the writer holds the caches") }
        try cache.holdEveryStoredTerm { limit in
            // Pairs, not rows: a store with more terms than the limit reads that many and gives
            // up, and 200,000 GRDB rows raised the daemon's peak RSS at 1M stored articles from
            // 221 to 264 MB.
            var stored: [(term: UInt64, documents: Int)] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT term, documents FROM term_documents LIMIT ?", arguments: [limit])
            while let row = try rows.next() { stored.append((UInt64(bitPattern: row[0]), row[1])) }
            return stored
        }
    }

    /// Brings the frequencies of `terms` into the writer's cache. Writer only.
    func cacheDocumentFrequencies(of terms: some Collection<UInt64>) throws {
        guard let cache = caches?.frequencies else { preconditionFailure("only the writer holds the caches") }
        let missing = cache.missing(terms)
        if !missing.isEmpty { cache.remember(try documentFrequencies(of: missing)) }
    }

    /// The frequencies in the writer's cache (see `cacheDocumentFrequencies`). Writer only.
    private func cachedFrequencies() -> DocumentFrequencyCache.Snapshot {
        guard let cache = caches?.frequencies else { preconditionFailure("only the writer holds the caches") }
        return cache.snapshot
    }

    /// Writes one slice's changed document frequencies, each term once and in the table's
    /// order, and the document count if it changed.
    func writeDocumentFrequencies(slice: Int) throws {
        guard let changes = caches?.frequencies.takeChanges(slice: slice) else { return }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO term_documents (term, documents) VALUES (?, ?)
            ON CONFLICT (term) DO UPDATE SET documents = excluded.documents
            """)
        for (term, documents) in changes.frequencies {
            try upsert.executeIntegers(Int64(bitPattern: term), Int64(documents))
        }
        if let documents = changes.documents {
            try db.cachedStatement(sql: "UPDATE corpus_counters SET value = ? WHERE name = 'story_documents'")
                .execute(arguments: [documents])
        }
    }

    func documentCount() throws -> Int {
        if let cached = caches?.frequencies.documents() { return cached }
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT value FROM corpus_counters WHERE name = 'story_documents'")) ?? 0
        caches?.frequencies.setDocuments(count)
        return count
    }

    /// Document frequencies of `terms` as stored (absent terms are 0), through one prepared
    /// primary-key lookup per term: cheaper than compiling an `IN (…)` list's SQL anew for
    /// every article.
    func documentFrequencies(of terms: some Collection<UInt64>) throws -> [UInt64: Int] {
        let lookup = try db.cachedStatement(sql: "SELECT documents FROM term_documents WHERE term = ?")
        var frequencies = [UInt64: Int](minimumCapacity: terms.count)
        for term in terms {
            var documents: Int64 = 0
            try lookup.forEachInteger(Int64(bitPattern: term)) { documents = $0 }
            frequencies[term] = Int(documents)
        }
        return frequencies
    }

    // MARK: Stories

    /// Stories listed under any of `terms`, with how many of the terms each is listed under:
    /// per term, the newest `postingCap` of its stored and held postings (`PendingPostings`).
    func storiesListed(under terms: [UInt64]) throws -> [Int64: Int] {
        let statement = try db.cachedStatement(sql: """
            SELECT story_id FROM story_postings WHERE term = ? ORDER BY story_id DESC LIMIT ?
            """)
        let cap = settings.postingCap
        var matches: [Int64: Int] = [:]
        var listed: [Int64] = []
        for term in terms {
            listed.removeAll(keepingCapacity: true)
            caches?.postings.forEachStory(term: term) { listed.append($0) }
            let held = listed.count
            try statement.forEachInteger(Int64(bitPattern: term), Int64(cap)) { listed.append($0) }
            // A held posting has no row yet, so the two lists are disjoint; a story newly
            // listed under an old term may be older than stories stored under it. The stored
            // ones alone arrive newest first.
            if held > 0 { listed.sort(by: >) }
            for story in listed.prefix(cap) { matches[story, default: 0] += 1 }
        }
        return matches
    }

    /// What scoring the story as a candidate needs: its date range and centroid, from the
    /// writer's cache or from the three columns of its row, read in place. A read through
    /// `story` copied every column and decoded the posted terms too: at 1M stored articles,
    /// where most candidates are not cached, that was 12% of the daemon's samples (`perf`).
    /// Nil when there is no such story or its centroid is unreadable. Writer only.
    func candidate(_ id: Int64) throws -> CachedCentroid? {
        guard let cache = caches?.stories else { preconditionFailure("only the writer holds the caches") }
        if let cached = cache.centroid(of: id) { return cached }
        let read = try db.cachedStatement(sql: "SELECT first_day, last_day, centroid_norm, centroid FROM stories WHERE id = ?")
            .firstRow(id) { columns -> CachedCentroid? in
                // A row written before norms were stored is read whole below, which norms it.
                guard let norm = columns.double(2), let weights = FeatureCoding.decodeWeights(columns.blob(3)) else { return nil }
                return CachedCentroid(firstDay: columns.integer(0), lastDay: columns.integer(1),
                                      centroid: StoryCentroid(terms: weights.terms, weights: weights.weights, weightedNorm: norm))
            }
        let candidate: CachedCentroid
        if let read = read ?? nil {
            candidate = read
        } else if let story = try story(id) {
            candidate = CachedCentroid(firstDay: story.firstDay, lastDay: story.lastDay, centroid: story.centroid)
        } else {
            return nil
        }
        cache.remember(id, candidate)
        return candidate
    }

    /// The story as its row holds it. A row written before centroid norms were stored gets its
    /// norm from the IDF of the moment.
    func story(_ id: Int64) throws -> StoryRecord? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM stories WHERE id = ?"), arguments: [id]),
              let weights = FeatureCoding.decodeWeights([UInt8](row["centroid"] as Data)),
              let posted = IntegerBlob.decode(row["posted"])
        else { return nil }
        let centroid: StoryCentroid
        if let norm = row["centroid_norm"] as Double? {
            centroid = StoryCentroid(terms: weights.terms, weights: weights.weights, weightedNorm: norm)
        } else {
            try cacheDocumentFrequencies(of: weights.terms)
            centroid = StoryCentroid(terms: weights.terms, weights: weights.weights, idf: try currentIDF())
        }
        return StoryRecord(id: id, label: row["label"], firstDay: row["first_day"], lastDay: row["last_day"],
                           firstSeen: row["first_seen"], lastSeen: row["last_seen"], articleCount: row["article_count"],
                           centroid: centroid, posted: posted)
    }

    /// IDF as the writer's cache gives it now, for terms brought into the cache first
    /// (`cacheDocumentFrequencies`). Writer only.
    func currentIDF() throws -> (UInt64) -> Double {
        let corpus = try currentCorpus(), frequencies = cachedFrequencies()
        return { term in corpus.weight(documentFrequency: frequencies.documents(containing: term)) }
    }

    /// The corpus IDF weighs against now: the story documents counted so far.
    func currentCorpus() throws -> InverseDocumentFrequency.Corpus {
        InverseDocumentFrequency.Corpus(documents: try documentCount(), pseudoDocuments: settings.idfPseudoDocuments)
    }

    /// Writes the story and moves its postings from `previouslyPosted` to its current terms:
    /// the terms it leaves at once (or, when their postings are still held, in memory), the
    /// new ones held for their slices' turn (`IndexSlices`), as near-duplicate postings are.
    /// Writer only.
    func save(_ story: StoryRecord, previouslyPosted: [UInt64]) throws {
        guard let caches else { preconditionFailure("only the writer, which holds the caches, saves stories") }
        try db.executeCached(sql: """
            INSERT INTO stories (id, label, first_day, last_day, first_seen, last_seen, article_count, centroid,
                                 centroid_norm, posted)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET label = excluded.label, first_day = excluded.first_day,
                last_day = excluded.last_day, last_seen = excluded.last_seen, article_count = excluded.article_count,
                centroid = excluded.centroid, centroid_norm = excluded.centroid_norm, posted = excluded.posted
            """, arguments: [story.id, story.label, story.firstDay, story.lastDay, story.firstSeen, story.lastSeen,
                             story.articleCount, Data(FeatureCoding.encode(terms: story.centroid.terms, weights: story.centroid.weights)),
                             story.centroid.weightedNorm, IntegerBlob.encode(story.posted)])
        caches.stories.remember(story.id, CachedCentroid(firstDay: story.firstDay, lastDay: story.lastDay,
                                                         centroid: story.centroid.roundedAsStored))
        // Two lists of at most `postedTerms` (24): scanning them costs less than hashing them.
        let remove = try db.cachedStatement(sql: "DELETE FROM story_postings WHERE term = ? AND story_id = ?")
        for term in previouslyPosted where !story.posted.contains(term) && !caches.postings.withdraw(storyID: story.id, term: term) {
            try remove.executeIntegers(Int64(bitPattern: term), story.id)
        }
        caches.postings.post(storyID: story.id, terms: story.posted.lazy.filter { !previouslyPosted.contains($0) })
    }

    /// Inserts one slice's story postings, in the table's order. Idempotent, like
    /// `NearDuplicateIndex.write`.
    func writePostings(_ postings: [(term: Int64, storyID: Int64)]) throws {
        let add = try db.cachedStatement(sql: "INSERT OR IGNORE INTO story_postings (term, story_id) VALUES (?, ?)")
        for posting in postings { try add.executeIntegers(posting.term, posting.storyID) }
    }

    /// A near-duplicate joined the story: it widens the date range and counts, but adds nothing
    /// to the story's vectors.
    func extend(story id: Int64, day: Int64?, seen: String) throws {
        try db.executeCached(sql: """
            UPDATE stories SET first_day = coalesce(min(first_day, ?), first_day, ?),
                last_day = coalesce(max(last_day, ?), last_day, ?), last_seen = max(last_seen, ?),
                article_count = article_count + 1
            WHERE id = ?
            """, arguments: [day, day, day, day, seen, id])
        caches?.stories.forget(id)
    }
}
