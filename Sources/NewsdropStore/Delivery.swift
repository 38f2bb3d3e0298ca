import NewsdropCore

/// One input handed to the store: a dropped file or a fetched URL, with what parsing made of it.
public struct Delivery: Sendable {
    public enum Origin: String, Sendable {
        case file
        case url
    }

    public enum Content: Sendable {
        /// The articles the input held (one, or one per JSON line), each parsed or failed.
        case items([DocumentParser.Item])
        /// The input as a whole could not be read or parsed.
        case failed(IngestFailure)
        /// A URL list: its links go to the fetch queue in the same transaction, each bad line
        /// becomes a failure.
        case urls([URLListFormat.Entry])
    }

    /// Identifies this delivery for good: recording the same key twice (a replay after a crash)
    /// changes nothing the second time.
    public var key: String
    public var origin: Origin
    /// The file's name as it was dropped, or the URL.
    public var name: String
    public var receivedAt: Timestamp
    /// SHA-256 of the raw bytes; nil when they could not be read.
    public var rawSHA256: String?
    /// The raw bytes, when the store keeps raw inputs itself.
    public var rawBytes: [UInt8]?
    public var content: Content
    /// For a fetched page: the queue row this delivery completes, in the same transaction.
    public var fetch: FetchCompletion?

    public init(key: String, origin: Origin, name: String, receivedAt: Timestamp, rawSHA256: String?,
                rawBytes: [UInt8]? = nil, content: Content, fetch: FetchCompletion? = nil) {
        self.fetch = fetch
        self.key = key
        self.origin = origin
        self.name = name
        self.receivedAt = receivedAt
        self.rawSHA256 = rawSHA256
        self.rawBytes = rawBytes
        self.content = content
    }
}

/// What recording did with one article of a delivery.
public enum ItemOutcome: Sendable, Equatable {
    /// A new article: its id, the earlier article it revises (same canonical URL), and where
    /// near-duplicate and story detection placed it (nil while that stage is off).
    case added(AddedArticle)
    /// The same canonical text was already stored: a sighting of that article was added.
    case exactDuplicate(articleID: Int64)
    /// Recorded as a failure with its reason.
    case failed(IngestFailure)
    /// This item was recorded as a sighting of the article before: the input is being replayed
    /// after a crash. (A replayed failure comes back as `.failed` with its recorded reason.)
    case alreadyRecorded(articleID: Int64)
    /// A link of a URL list, and what the fetch queue made of it.
    case queuedForFetch(fetchID: Int64, EnqueueDecision)
}

extension ItemOutcome {
    /// The article this item became, or was a sighting of; nil for a failure.
    public var articleID: Int64? {
        switch self {
        case .added(let added): added.articleID
        case .exactDuplicate(let id), .alreadyRecorded(let id): id
        case .failed, .queuedForFetch: nil
        }
    }

    public var failure: IngestFailure? {
        if case .failed(let failure) = self { failure } else { nil }
    }
}

/// A new article and its relations.
public struct AddedArticle: Sendable, Equatable {
    public var articleID: Int64
    /// The latest earlier article with the same canonical URL and different text.
    public var revisionOf: Int64?
    public var placement: SimilarityPlacement?

    public init(articleID: Int64, revisionOf: Int64?, placement: SimilarityPlacement?) {
        self.articleID = articleID
        self.revisionOf = revisionOf
        self.placement = placement
    }
}

/// The outcome of every item of one delivery, in item order.
public struct DeliveryOutcome: Sendable {
    public var key: String
    public var items: [(index: Int, outcome: ItemOutcome)]

    /// True when no item became an article or a sighting: the input belongs in `failed/`.
    public var isFailure: Bool {
        items.allSatisfy { if case .failed = $0.outcome { true } else { false } }
    }
}
