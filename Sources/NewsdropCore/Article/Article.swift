/// An article as an input format delivers it: fields as the producer wrote them,
/// before any normalization.
public struct RawArticle: Sendable, Equatable {
    public var title: String?
    public var text: String
    public var url: String?
    /// The publication date exactly as given; parsed during normalization.
    public var published: String?
    public var author: String?
    /// The publishing outlet ("source" in JSON input).
    public var outlet: String?
    public var language: String?
    /// The producer's own identifier, kept verbatim.
    public var externalID: String?

    public init(
        title: String? = nil, text: String, url: String? = nil, published: String? = nil,
        author: String? = nil, outlet: String? = nil, language: String? = nil, externalID: String? = nil
    ) {
        self.title = title
        self.text = text
        self.url = url
        self.published = published
        self.author = author
        self.outlet = outlet
        self.language = language
        self.externalID = externalID
    }
}

/// The "PLACE (AGENCY) —" opening of a wire story, kept as metadata rather than body text.
public struct Dateline: Sendable, Equatable {
    public var place: String
    public var agency: String?

    public init(place: String, agency: String?) {
        self.place = place
        self.agency = agency
    }
}

/// A normalized article: readable text for people, a canonical form for fingerprints.
public struct Article: Sendable, Equatable {
    public var title: String?
    /// The body as readable paragraphs: Unicode NFC, whitespace collapsed, boilerplate removed.
    public var paragraphs: [String]
    public var url: String?
    public var canonicalURL: String?
    public var published: Timestamp?
    public var publishedRaw: String?
    public var author: String?
    public var outlet: String?
    public var language: String?
    public var externalID: String?
    public var dateline: Dateline?
    /// The body reduced to lower-case words separated by single spaces (see `CanonicalText`).
    public var canonicalText: String
    /// SHA-256 of `canonicalText`, in lower-case hex: the exact-duplicate key.
    public var contentHash: String
    public var wordCount: Int
    /// Signatures for near-duplicate and story detection, computed with the rest of parsing
    /// so that this work runs in parallel, before the single writer. Nil when the parse was
    /// told to leave them out (a store without near-duplicates and stories needs none; they
    /// are most of parsing's cost): `SimilarityInput.features(of:)` computes them then.
    public var similarity: SimilarityFeatures?

    /// The readable body, paragraphs separated by a blank line.
    public var text: String { paragraphs.joined(separator: "\n\n") }
}
