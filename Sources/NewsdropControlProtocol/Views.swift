/// What the control protocol returns: the daemon encodes these, `newsdropctl` decodes them.
/// Keys on the wire are snake_case, as `docs/control-protocol.md` documents them.

public struct HelloResult: Codable, Sendable {
    public var protocolVersion: Int
    public var daemon: String
    public var version: String

    public init(protocolVersion: Int, daemon: String, version: String) {
        self.protocolVersion = protocolVersion
        self.daemon = daemon
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol", daemon, version
    }
}

/// Counters since the daemon started.
public struct Counters: Codable, Sendable, Equatable {
    /// New articles stored.
    public var ingested = 0
    /// Inputs whose canonical text was already stored (recorded as sightings).
    public var exactDuplicates = 0
    /// New articles found to be near-duplicates of stored ones.
    public var nearDuplicates = 0
    /// Stories opened.
    public var stories = 0
    /// Inputs, or JSON lines, that failed.
    public var failed = 0
    /// Transactions that committed inputs: under load, many inputs share one.
    public var commits = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case ingested, exactDuplicates = "exact_duplicates", nearDuplicates = "near_duplicates", stories, failed, commits
    }
}

public struct LastError: Codable, Sendable, Equatable {
    public var message: String
    public var at: String

    public init(message: String, at: String) {
        self.message = message
        self.at = at
    }
}

public struct StatusResult: Codable, Sendable {
    public var version: String
    public var uptimeSeconds: Double
    /// "running", "paused" (by an operator) or "stalled" (commits are failing; see last_error).
    public var state: String
    public var stateDirectory: String
    /// Files seen in the inbox and not yet claimed.
    public var inboxPending: Int
    /// Files claimed and not yet committed.
    public var queueDepth: Int
    public var fetchesInFlight: Int
    /// The fetch queue by state; nil when it could not be read.
    public var fetchQueue: FetchQueueStatus?
    public var counters: Counters
    public var databaseBytes: Int64
    /// "filling" while the filter of posted keys reads the keys stored before the start (candidate
    /// search looks every key up until then), "filled" after; "off" when its size is 0, "failed"
    /// when it cannot be used (the reason is in the daemon's log); nil with near-duplicates and
    /// stories off.
    public var postedKeyFilter: String?
    public var lastError: LastError?

    public init(version: String, uptimeSeconds: Double, state: String, stateDirectory: String, inboxPending: Int,
                queueDepth: Int, fetchesInFlight: Int, fetchQueue: FetchQueueStatus?, counters: Counters, databaseBytes: Int64,
                postedKeyFilter: String?, lastError: LastError?) {
        self.fetchQueue = fetchQueue
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.state = state
        self.stateDirectory = stateDirectory
        self.inboxPending = inboxPending
        self.queueDepth = queueDepth
        self.fetchesInFlight = fetchesInFlight
        self.counters = counters
        self.databaseBytes = databaseBytes
        self.postedKeyFilter = postedKeyFilter
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case version, uptimeSeconds = "uptime_seconds", state, stateDirectory = "state_directory",
             inboxPending = "inbox_pending", queueDepth = "queue_depth", fetchesInFlight = "fetches_in_flight",
             fetchQueue = "fetch_queue", counters, databaseBytes = "database_bytes", postedKeyFilter = "posted_key_filter",
             lastError = "last_error"
    }
}

/// URLs in the fetch queue: waiting (including those in flight), fetched, failed for good.
public struct FetchQueueStatus: Codable, Sendable, Equatable {
    public var queued: Int
    public var done: Int
    public var failed: Int

    public init(queued: Int, done: Int, failed: Int) {
        self.queued = queued
        self.done = done
        self.failed = failed
    }
}

/// The answer to `fetch`: what became of each URL, in request order.
public struct FetchResult: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var url: String
        /// "queued", "requeued", "already queued", "already fetched", or "invalid".
        public var outcome: String
        /// Why an invalid URL was refused.
        public var reason: String?

        public init(url: String, outcome: String, reason: String? = nil) {
            self.url = url
            self.outcome = outcome
            self.reason = reason
        }
    }

    public var queued: Int
    public var urls: [Entry]

    public init(urls: [Entry]) {
        self.urls = urls
        queued = urls.filter { $0.outcome == "queued" || $0.outcome == "requeued" }.count
    }
}

/// Rates per second over the last 1, 5 and 15 minutes.
public struct Rates: Codable, Sendable {
    public var oneMinute: Double
    public var fiveMinutes: Double
    public var fifteenMinutes: Double

    public init(oneMinute: Double, fiveMinutes: Double, fifteenMinutes: Double) {
        self.oneMinute = oneMinute
        self.fiveMinutes = fiveMinutes
        self.fifteenMinutes = fifteenMinutes
    }

    enum CodingKeys: String, CodingKey {
        case oneMinute = "1m", fiveMinutes = "5m", fifteenMinutes = "15m"
    }
}

/// Drop-to-commit latency in seconds, over the most recent inputs.
public struct LatencySummary: Codable, Sendable {
    public var samples: Int
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    public var max: Double?

    public init(samples: Int, p50: Double?, p95: Double?, p99: Double?, max: Double?) {
        self.samples = samples
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.max = max
    }
}

public struct StatsResult: Codable, Sendable {
    /// Inputs committed per second (articles, sightings and failures alike).
    public var inputs: Rates
    public var ingested: Rates
    public var failed: Rates
    public var dropToCommit: LatencySummary

    public init(inputs: Rates, ingested: Rates, failed: Rates, dropToCommit: LatencySummary) {
        self.inputs = inputs
        self.ingested = ingested
        self.failed = failed
        self.dropToCommit = dropToCommit
    }

    enum CodingKeys: String, CodingKey {
        case inputs, ingested, failed, dropToCommit = "drop_to_commit"
    }
}

public struct MetricsResult: Codable, Sendable {
    /// Prometheus text exposition format, version 0.0.4.
    public var text: String

    public init(text: String) {
        self.text = text
    }
}

/// One line of an article list.
public struct ArticleSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String?
    public var outlet: String?
    public var publishedAt: String?
    public var receivedAt: String
    public var url: String?
    public var wordCount: Int
    public var sightings: Int

    public init(id: Int64, title: String?, outlet: String?, publishedAt: String?, receivedAt: String, url: String?,
                wordCount: Int, sightings: Int) {
        self.id = id
        self.title = title
        self.outlet = outlet
        self.publishedAt = publishedAt
        self.receivedAt = receivedAt
        self.url = url
        self.wordCount = wordCount
        self.sightings = sightings
    }

    enum CodingKeys: String, CodingKey {
        case id, title, outlet, publishedAt = "published_at", receivedAt = "received_at", url,
             wordCount = "word_count", sightings
    }
}

public struct ArticlePage: Codable, Sendable {
    public var articles: [ArticleSummary]
    /// Pass as `cursor` to get the next page; nil on the last page.
    public var nextCursor: Int64?

    public init(articles: [ArticleSummary], nextCursor: Int64?) {
        self.articles = articles
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case articles, nextCursor = "next_cursor"
    }
}

/// Where an article came from: a dropped file or a fetched URL.
public struct Source: Codable, Sendable, Equatable {
    /// "file" or "url".
    public var kind: String
    /// The file's name as dropped, or the URL.
    public var name: String
    public var receivedAt: String

    public init(kind: String, name: String, receivedAt: String) {
        self.kind = kind
        self.name = name
        self.receivedAt = receivedAt
    }

    enum CodingKeys: String, CodingKey {
        case kind, name, receivedAt = "received_at"
    }
}

/// A whole article, as `show` and `export` return it.
public struct ArticleRecord: Codable, Sendable, Equatable {
    public var id: Int64
    public var storyID: Int64?
    public var duplicateGroup: Int64?
    public var title: String?
    public var url: String?
    public var canonicalURL: String?
    public var publishedAt: String?
    public var receivedAt: String
    public var outlet: String?
    public var author: String?
    public var language: String?
    public var sha256: String
    public var datelinePlace: String?
    public var datelineAgency: String?
    public var revisionOf: Int64?
    public var text: String
    public var sources: [Source]

    public init(id: Int64, storyID: Int64?, duplicateGroup: Int64?, title: String?, url: String?, canonicalURL: String?,
                publishedAt: String?, receivedAt: String, outlet: String?, author: String?, language: String?,
                sha256: String, datelinePlace: String?, datelineAgency: String?, revisionOf: Int64?, text: String,
                sources: [Source]) {
        self.id = id
        self.storyID = storyID
        self.duplicateGroup = duplicateGroup
        self.title = title
        self.url = url
        self.canonicalURL = canonicalURL
        self.publishedAt = publishedAt
        self.receivedAt = receivedAt
        self.outlet = outlet
        self.author = author
        self.language = language
        self.sha256 = sha256
        self.datelinePlace = datelinePlace
        self.datelineAgency = datelineAgency
        self.revisionOf = revisionOf
        self.text = text
        self.sources = sources
    }

    enum CodingKeys: String, CodingKey {
        case id, storyID = "story_id", duplicateGroup = "duplicate_group", title, url, canonicalURL = "canonical_url",
             publishedAt = "published_at", receivedAt = "received_at", outlet, author, language, sha256,
             datelinePlace = "dateline_place", datelineAgency = "dateline_agency", revisionOf = "revision_of", text,
             sources
    }

    /// Every field is written, unknown ones as null, so an export has the same keys on every line.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(storyID, forKey: .storyID)
        try container.encode(duplicateGroup, forKey: .duplicateGroup)
        try container.encode(title, forKey: .title)
        try container.encode(url, forKey: .url)
        try container.encode(canonicalURL, forKey: .canonicalURL)
        try container.encode(publishedAt, forKey: .publishedAt)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(outlet, forKey: .outlet)
        try container.encode(author, forKey: .author)
        try container.encode(language, forKey: .language)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(datelinePlace, forKey: .datelinePlace)
        try container.encode(datelineAgency, forKey: .datelineAgency)
        try container.encode(revisionOf, forKey: .revisionOf)
        try container.encode(text, forKey: .text)
        try container.encode(sources, forKey: .sources)
    }
}

/// `show`: the article, every sighting of it, and the articles it is related to.
public struct ArticleDetail: Codable, Sendable {
    public var article: ArticleRecord
    /// Later articles with the same canonical URL and different text.
    public var revisions: [Int64]

    public init(article: ArticleRecord, revisions: [Int64]) {
        self.article = article
        self.revisions = revisions
    }
}

public struct SearchHit: Codable, Sendable {
    public var id: Int64
    public var title: String?
    /// Matching text with the matches between `[` and `]`.
    public var snippet: String
    /// SQLite FTS5 bm25: lower is a better match.
    public var score: Double

    public init(id: Int64, title: String?, snippet: String, score: Double) {
        self.id = id
        self.title = title
        self.snippet = snippet
        self.score = score
    }
}

public struct SearchResult: Codable, Sendable {
    public var query: String
    public var hits: [SearchHit]

    public init(query: String, hits: [SearchHit]) {
        self.query = query
        self.hits = hits
    }
}

/// The answer of commands that only report that they were done, with a count where it helps.
public struct Acknowledgement: Codable, Sendable {
    public var done: Bool
    public var message: String
    public var count: Int?

    public init(message: String, count: Int? = nil) {
        done = true
        self.message = message
        self.count = count
    }
}

/// The final line of a streamed `export`.
public struct ExportSummary: Codable, Sendable {
    public var exported: Int

    public init(exported: Int) {
        self.exported = exported
    }
}

/// `wait-idle`: whether the daemon became idle before the timeout.
public struct WaitIdleResult: Codable, Sendable {
    public var idle: Bool
    public var waitedSeconds: Double

    public init(idle: Bool, waitedSeconds: Double) {
        self.idle = idle
        self.waitedSeconds = waitedSeconds
    }

    enum CodingKeys: String, CodingKey {
        case idle, waitedSeconds = "waited_seconds"
    }
}

/// One line of a story list.
public struct StorySummary: Codable, Sendable, Equatable {
    public var id: Int64
    /// The title of its first titled article.
    public var label: String?
    public var articleCount: Int
    public var firstSeen: String
    public var lastSeen: String

    public init(id: Int64, label: String?, articleCount: Int, firstSeen: String, lastSeen: String) {
        self.id = id
        self.label = label
        self.articleCount = articleCount
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case id, label, articleCount = "article_count", firstSeen = "first_seen", lastSeen = "last_seen"
    }
}

public struct StoryPage: Codable, Sendable {
    /// Most recently active first.
    public var stories: [StorySummary]
    public var nextCursor: String?

    public init(stories: [StorySummary], nextCursor: String?) {
        self.stories = stories
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case stories, nextCursor = "next_cursor"
    }
}

public struct StoryDetail: Codable, Sendable {
    public var story: StorySummary
    /// Its articles in arrival order, each with its duplicate group.
    public var articles: [StoryArticle]

    public init(story: StorySummary, articles: [StoryArticle]) {
        self.story = story
        self.articles = articles
    }
}

public struct StoryArticle: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String?
    public var outlet: String?
    public var duplicateGroup: Int64?
    public var receivedAt: String

    public init(id: Int64, title: String?, outlet: String?, duplicateGroup: Int64?, receivedAt: String) {
        self.id = id
        self.title = title
        self.outlet = outlet
        self.duplicateGroup = duplicateGroup
        self.receivedAt = receivedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, title, outlet, duplicateGroup = "duplicate_group", receivedAt = "received_at"
    }
}

/// An article related to another, with the score of the relation.
public struct RelatedArticle: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String?
    public var score: Double

    public init(id: Int64, title: String?, score: Double) {
        self.id = id
        self.title = title
        self.score = score
    }
}

/// `similar`: an article's near-duplicates (alignment score) and the other articles of its
/// story (TF-IDF cosine at the current IDF), best first.
public struct SimilarResult: Codable, Sendable {
    public var id: Int64
    public var duplicateGroup: Int64?
    public var storyID: Int64?
    public var nearDuplicates: [RelatedArticle]
    public var sameStory: [RelatedArticle]

    public init(id: Int64, duplicateGroup: Int64?, storyID: Int64?, nearDuplicates: [RelatedArticle], sameStory: [RelatedArticle]) {
        self.id = id
        self.duplicateGroup = duplicateGroup
        self.storyID = storyID
        self.nearDuplicates = nearDuplicates
        self.sameStory = sameStory
    }

    enum CodingKeys: String, CodingKey {
        case id, duplicateGroup = "duplicate_group", storyID = "story_id", nearDuplicates = "near_duplicates",
             sameStory = "same_story"
    }
}

/// `reload`: which settings took effect, and which changed but wait for a restart.
public struct ReloadResult: Codable, Sendable, Equatable {
    public var applied: [String]
    public var needRestart: [String]

    public init(applied: [String], needRestart: [String]) {
        self.applied = applied
        self.needRestart = needRestart
    }

    enum CodingKeys: String, CodingKey {
        case applied, needRestart = "restart_required"
    }
}
