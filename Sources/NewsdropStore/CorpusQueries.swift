import Foundation
import GRDB
import NewsdropControlProtocol
import NewsdropCore

/// Which articles a listing or an export covers.
public struct ArticleFilter: Sendable {
    /// Only articles first received at or after this UTC ISO 8601 time.
    public var since: String?
    /// Only articles from this outlet, or seen under this file name or URL.
    public var source: String?
    /// Only articles matching this full-text query (SQLite FTS5 syntax).
    public var query: String?
    /// Only articles of this story.
    public var story: Int64?

    public init(since: String? = nil, source: String? = nil, query: String? = nil, story: Int64? = nil) {
        self.since = since
        self.source = source
        self.query = query
        self.story = story
    }

    /// SQL conditions on `articles AS a`, and their arguments.
    fileprivate var conditions: (sql: [String], arguments: StatementArguments) {
        var sql: [String] = [], arguments = StatementArguments()
        if let since {
            sql.append("a.received_at >= ?")
            arguments += [since]
        }
        if let source {
            sql.append("(a.outlet = ? COLLATE NOCASE OR EXISTS (SELECT 1 FROM sightings s WHERE s.article_id = a.id AND s.name = ?))")
            arguments += [source, source]
        }
        if let query {
            sql.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            arguments += [query]
        }
        if let story {
            sql.append("a.story_id = ?")
            arguments += [story]
        }
        return (sql, arguments)
    }
}

/// A full-text query SQLite FTS5 could not read ("unterminated string", "no such column").
public struct InvalidSearchQuery: Error, CustomStringConvertible {
    public let description: String
}

/// A text query while the store runs without its full-text index (`search.full_text: false`).
public struct FullTextIndexOff: Error, CustomStringConvertible {
    public var description: String {
        "text queries are off: this daemon runs with search.full_text: false"
    }
}

/// Read-only questions about the corpus, answered from any reader connection.
public struct CorpusQueries: Sendable {
    private let reader: any DatabaseReader
    private let currentSimilarity: @Sendable () -> SimilaritySettings
    private let fullTextIndexed: Bool

    public init(reader: any DatabaseReader, similarity: SimilaritySettings = SimilaritySettings()) {
        self.reader = reader
        currentSimilarity = { similarity }
        fullTextIndexed = true
    }

    /// Queries that follow the store's thresholds, also after a reload changes them.
    public init(store: ArticleStore) {
        reader = store.reader
        currentSimilarity = { store.similaritySettings }
        fullTextIndexed = store.stages.fullText
    }

    private var similarity: SimilaritySettings { currentSimilarity() }

    /// Newest first, `limit` at a time; pass the page's `nextCursor` back as `cursor`.
    public func articles(_ filter: ArticleFilter, limit: Int, cursor: Int64?) throws -> ArticlePage {
        var (conditions, arguments) = filter.conditions
        if let cursor {
            conditions.append("a.id < ?")
            arguments += [cursor]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit + 1]
        let rows = try readMatching(filter.query) { db in
            try Row.fetchAll(db, sql: """
                SELECT a.id, a.title, a.outlet, a.published_at, a.received_at, a.url, a.word_count,
                       (SELECT count(*) FROM sightings s WHERE s.article_id = a.id) AS sightings
                FROM articles a \(whereClause) ORDER BY a.id DESC LIMIT ?
                """, arguments: arguments)
        }
        let page = rows.prefix(limit).map { row in
            ArticleSummary(id: row["id"], title: row["title"], outlet: row["outlet"], publishedAt: row["published_at"],
                           receivedAt: row["received_at"], url: row["url"], wordCount: row["word_count"],
                           sightings: row["sightings"])
        }
        return ArticlePage(articles: page, nextCursor: rows.count > limit ? page.last?.id : nil)
    }

    /// The article with its sources and revisions, or nil when there is no such article.
    public func article(id: Int64) throws -> ArticleDetail? {
        try reader.read { db in
            guard let record = try records(db, where: "a.id = ?", arguments: [id], limit: 1).first else { return nil }
            let revisions = try Int64.fetchAll(db, sql: "SELECT id FROM articles WHERE revision_of = ? ORDER BY id", arguments: [id])
            return ArticleDetail(article: record, revisions: revisions)
        }
    }

    /// Full-text search, best matches first, with the matches marked `[like this]`.
    public func search(_ query: String, limit: Int) throws -> [SearchHit] {
        try readMatching(query) { db in
            try Row.fetchAll(db, sql: """
                SELECT f.rowid AS id, a.title, snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet,
                       bm25(articles_fts) AS score
                FROM articles_fts f JOIN articles a ON a.id = f.rowid
                WHERE articles_fts MATCH ? ORDER BY score LIMIT ?
                """, arguments: [query, limit]).map { row in
                SearchHit(id: row["id"], title: row["title"], snippet: row["snippet"], score: row["score"])
            }
        }
    }

    /// Whole articles in id order, after `afterID`, `limit` at a time: the pages of an export.
    public func export(_ filter: ArticleFilter, afterID: Int64, limit: Int) throws -> [ArticleRecord] {
        var (conditions, arguments) = filter.conditions
        conditions.insert("a.id > ?", at: 0)
        arguments = [afterID] + arguments
        return try readMatching(filter.query) { db in
            try records(db, where: conditions.joined(separator: " AND "), arguments: arguments, limit: limit)
        }
    }

    /// A read whose SQL matches `query` against the full-text index: SQLite's complaints about
    /// the query become `InvalidSearchQuery`, so they reach the user as a bad argument.
    private func readMatching<T>(_ query: String?, _ body: (Database) throws -> T) throws -> T {
        if query != nil, !fullTextIndexed { throw FullTextIndexOff() }
        do {
            return try reader.read(body)
        } catch let error as DatabaseError where query != nil && error.resultCode == .SQLITE_ERROR {
            throw InvalidSearchQuery(description: error.message ?? "cannot read the query")
        }
    }

    private func records(_ db: Database, where condition: String, arguments: StatementArguments, limit: Int) throws -> [ArticleRecord] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT a.* FROM articles a WHERE \(condition) ORDER BY a.id LIMIT \(limit)
            """, arguments: arguments)
        guard let first = rows.first?["id"] as Int64?, let last = rows.last?["id"] as Int64? else { return [] }
        var sources: [Int64: [Source]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT article_id, origin, name, received_at FROM sightings
            WHERE article_id BETWEEN ? AND ? ORDER BY id
            """, arguments: [first, last]) {
            sources[row["article_id"], default: []].append(Source(kind: row["origin"], name: row["name"], receivedAt: row["received_at"]))
        }
        return rows.map { row in
            let id: Int64 = row["id"]
            return ArticleRecord(
                id: id, storyID: row["story_id"], duplicateGroup: row["duplicate_group"], title: row["title"], url: row["url"],
                canonicalURL: row["canonical_url"], publishedAt: row["published_at"], receivedAt: row["received_at"],
                outlet: row["outlet"], author: row["author"], language: row["language"], sha256: row["sha256"],
                datelinePlace: row["dateline_place"], datelineAgency: row["dateline_agency"],
                revisionOf: row["revision_of"], text: row["text"], sources: sources[id] ?? [])
        }
    }

    // MARK: Stories and relations

    /// Stories, most recently active first; pass the page's `nextCursor` back as `cursor`.
    public func stories(limit: Int, cursor: String?) throws -> StoryPage {
        var condition = "", arguments: StatementArguments = []
        if let cursor {
            let parts = cursor.split(separator: "/", maxSplits: 1)
            guard parts.count == 2, let id = Int64(parts[1]) else { throw InvalidCursor(cursor: cursor) }
            condition = "WHERE (last_seen, id) < (?, ?)"
            arguments = [String(parts[0]), id]
        }
        arguments += [limit + 1]
        let rows = try reader.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, label, article_count, first_seen, last_seen FROM stories \(condition)
                ORDER BY last_seen DESC, id DESC LIMIT ?
                """, arguments: arguments)
        }
        let page = rows.prefix(limit).map(Self.storySummary)
        return StoryPage(stories: page, nextCursor: rows.count > limit ? page.last.map { "\($0.lastSeen)/\($0.id)" } : nil)
    }

    /// A story and its articles, or nil when there is no such story.
    public func story(id: Int64) throws -> StoryDetail? {
        try reader.read { db -> StoryDetail? in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, label, article_count, first_seen, last_seen FROM stories WHERE id = ?
                """, arguments: [id]) else { return nil }
            let articles = try Row.fetchAll(db, sql: """
                SELECT id, title, outlet, duplicate_group, received_at FROM articles WHERE story_id = ? ORDER BY id
                """, arguments: [id]).map { row in
                StoryArticle(id: row["id"], title: row["title"], outlet: row["outlet"], duplicateGroup: row["duplicate_group"],
                             receivedAt: row["received_at"])
            }
            return StoryDetail(story: Self.storySummary(row), articles: articles)
        }
    }

    /// An article's near-duplicates and story companions with their scores (at most `limit` each).
    public func similar(id: Int64, limit: Int) throws -> SimilarResult? {
        try reader.read { db -> SimilarResult? in
            guard let article = try Row.fetchOne(db, sql: "SELECT id, title, text, duplicate_group, story_id FROM articles WHERE id = ?",
                                                 arguments: [id]) else { return nil }
            let group: Int64? = article["duplicate_group"], story: Int64? = article["story_id"]
            let features = SimilarityInput.features(title: article["title"], body: article["text"])
            let idf = try currentIDF(db, terms: features.termWeights.terms)
            let vector = StoryVector.weighted(features.termWeights, idf: idf.weight)
            var nearDuplicates: [RelatedArticle] = [], sameStory: [RelatedArticle] = []
            // The newest `limit` of each kind are scored: the work per request stays bounded
            // however large a group or story grows.
            for other in try Row.fetchAll(db, sql: """
                SELECT id, title, text FROM articles WHERE duplicate_group = ? AND id != ? ORDER BY id DESC LIMIT ?
                """, arguments: [group, id, limit]) {
                let otherFeatures = SimilarityInput.features(title: other["title"], body: other["text"])
                let score = Alignment.align(features.units, otherFeatures.units, sentenceDice: similarity.sentenceDice).score
                nearDuplicates.append(RelatedArticle(id: other["id"], title: other["title"], score: score))
            }
            for other in try Row.fetchAll(db, sql: """
                SELECT id, title, text FROM articles WHERE story_id = ? AND duplicate_group IS NOT ? AND id != ?
                ORDER BY id DESC LIMIT ?
                """, arguments: [story, group, id, limit]) {
                let otherFeatures = SimilarityInput.features(title: other["title"], body: other["text"])
                let otherIDF = try currentIDF(db, terms: otherFeatures.termWeights.terms, known: idf)
                let score = StoryVector.cosine(vector, StoryVector.weighted(otherFeatures.termWeights, idf: otherIDF.weight))
                sameStory.append(RelatedArticle(id: other["id"], title: other["title"], score: score))
            }
            func best(_ related: [RelatedArticle]) -> [RelatedArticle] {
                Array(related.sorted { ($1.score, $0.id) < ($0.score, $1.id) }.prefix(limit))
            }
            return SimilarResult(id: id, duplicateGroup: group, storyID: story, nearDuplicates: best(nearDuplicates),
                                 sameStory: best(sameStory))
        }
    }

    /// Why two articles are related or not; nil when either does not exist.
    public func explain(_ first: Int64, _ second: Int64) throws -> Explanation? {
        try reader.read { db -> Explanation? in
            let sql = "SELECT title, text, duplicate_group, story_id FROM articles WHERE id = ?"
            guard let a = try Row.fetchOne(db, sql: sql, arguments: [first]),
                  let b = try Row.fetchOne(db, sql: sql, arguments: [second]) else { return nil }
            let relation: String
            if let group = a["duplicate_group"] as Int64?, group == b["duplicate_group"] {
                relation = "near-duplicate"
            } else if let story = a["story_id"] as Int64?, story == b["story_id"] {
                relation = "same story"
            } else {
                relation = "unrelated"
            }
            let terms = SimilarityInput.features(title: a["title"], body: a["text"]).termWeights.terms
                + SimilarityInput.features(title: b["title"], body: b["text"]).termWeights.terms
            let idf = try currentIDF(db, terms: terms)
            return Explanation.explain(titleA: a["title"], bodyA: a["text"], titleB: b["title"], bodyB: b["text"],
                                       relation: relation, idf: idf.weight, settings: similarity)
        }
    }

    /// The corpus's IDF for `terms`, as story clustering uses it now.
    private func currentIDF(_ db: Database, terms: some Collection<UInt64>, known: CurrentIDF? = nil) throws -> CurrentIDF {
        let index = StoryIndex(db: db, settings: similarity)
        var frequencies = known?.frequencies ?? [:]
        let missing = Set(terms).subtracting(frequencies.keys)
        frequencies.merge(try index.documentFrequencies(of: missing)) { current, _ in current }
        return CurrentIDF(frequencies: frequencies, documents: try known?.documents ?? index.documentCount(),
                          pseudoDocuments: similarity.idfPseudoDocuments)
    }

    private static func storySummary(_ row: Row) -> StorySummary {
        StorySummary(id: row["id"], label: row["label"], articleCount: row["article_count"], firstSeen: row["first_seen"],
                     lastSeen: row["last_seen"])
    }
}

/// A `cursor` that no page handed out.
public struct InvalidCursor: Error, CustomStringConvertible {
    public let cursor: String
    public var description: String { "not a cursor from a previous page: \(cursor)" }
}

/// Document frequencies fetched for a query, and the IDF they give.
private struct CurrentIDF {
    let frequencies: [UInt64: Int]
    let documents: Int
    let pseudoDocuments: Double

    func weight(_ term: UInt64) -> Double {
        InverseDocumentFrequency.weight(documentFrequency: frequencies[term] ?? 0, documents: documents,
                                        pseudoDocuments: pseudoDocuments)
    }
}
