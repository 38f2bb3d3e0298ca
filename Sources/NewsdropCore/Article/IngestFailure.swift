/// Why an input could not become an article: a precise, human-readable reason and the
/// stage of the pipeline that gave up. Recorded in the database and in `failed/` sidecars.
public struct IngestFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable, Codable {
        /// The file could not be read safely (not a regular file, too large, I/O error).
        case read
        /// The bytes are not text in an encoding newsdrop accepts.
        case decode
        /// The text is not valid in its format (JSON syntax, wrong field types).
        case parse
        /// The input parsed but holds no usable article.
        case validate
        /// The format is recognised but not supported.
        case format
        /// The database refused to record the article, again and again, while it recorded others.
        case record
        /// A URL could not be fetched: a refused address, an HTTP error, a body too large, or
        /// transient errors on every try.
        case fetch
    }

    public var stage: Stage
    public var reason: String

    public init(_ stage: Stage, _ reason: String) {
        self.stage = stage
        self.reason = reason
    }

    public var description: String { "\(stage.rawValue): \(reason)" }
}
