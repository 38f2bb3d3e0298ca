import GRDB
import NewsdropControlProtocol

/// Which articles a listing or an export covers.
public struct ArticleFilter: Sendable {
    /// Only articles first received at or after this UTC ISO 8601 time.
    public var since: String?
    /// Only articles from this outlet, or seen under this file name or URL.
    public var source: String?
    /// Only articles matching this full-text query (SQLite FTS5 syntax).
    public var query: String?

    public init(since: String? = nil, source: String? = nil, query: String? = nil) {
        self.since = since
        self.source = source
        self.query = query
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
        return (sql, arguments)
    }
}

/// A full-text query SQLite FTS5 could not read ("unterminated string", "no such column").
public struct InvalidSearchQuery: Error, CustomStringConvertible {
    public let description: String
}

/// Read-only questions about the corpus, answered from any reader connection.
public struct CorpusQueries: Sendable {
    private let reader: any DatabaseReader

    public init(reader: any DatabaseReader) {
        self.reader = reader
    }

    public init(store: ArticleStore) {
        self.init(reader: store.reader)
    }

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
                id: id, storyID: nil, duplicateGroup: nil, title: row["title"], url: row["url"],
                canonicalURL: row["canonical_url"], publishedAt: row["published_at"], receivedAt: row["received_at"],
                outlet: row["outlet"], author: row["author"], language: row["language"], sha256: row["sha256"],
                datelinePlace: row["dateline_place"], datelineAgency: row["dateline_agency"],
                revisionOf: row["revision_of"], text: row["text"], sources: sources[id] ?? [])
        }
    }
}
