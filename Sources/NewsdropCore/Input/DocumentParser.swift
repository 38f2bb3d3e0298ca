/// The whole way from an input file's bytes to normalized articles: decode the text, recognise
/// the format, parse it, normalize every article. Pure: the caller reads the file.
public enum DocumentParser {
    /// One article of a document, or why it could not become one. `index` is 0 for a
    /// single-article document and the line number (from 1) in JSON Lines.
    public struct Item: Sendable {
        public var index: Int
        public var outcome: Result<Article, IngestFailure>
    }

    /// What an input file holds: articles, or links to fetch.
    public enum Document: Sendable {
        case articles([Item])
        case urls([URLListFormat.Entry])
    }

    /// The articles of a document, for callers that take articles only: a URL list is a failure.
    public static func parse(_ bytes: [UInt8], fileName: String, similarityFeatures: Bool = true) throws(IngestFailure) -> [Item] {
        switch try read(bytes, fileName: fileName, similarityFeatures: similarityFeatures) {
        case .articles(let items): return items
        case .urls: throw IngestFailure(.format, "a URL list (.url, .urls) holds links to fetch, not articles")
        }
    }

    /// Reads a document. A failure of the whole document (not text, unsupported format,
    /// no article) is thrown; a JSON Lines file returns its good and bad lines as items, a URL
    /// list its good and bad lines as entries. `similarityFeatures`: whether to compute each
    /// article's similarity features (`Article.similarity`) while parsing.
    public static func read(_ bytes: [UInt8], fileName: String, similarityFeatures: Bool = true) throws(IngestFailure) -> Document {
        // An .html/.htm file goes to the extractor undecoded: its charset may be declared inside
        // it, and NUL bytes are stripped there. (With empty text only the extension decides.)
        if InputFormat.detect(fileName: fileName, text: "") == .html {
            return .articles([try html(bytes, similarityFeatures: similarityFeatures)])
        }
        let text = try TextDecoding.decode(bytes)
        switch InputFormat.detect(fileName: fileName, text: text) {
        case .plainText:
            return .articles([try single(PlainTextFormat.parse(text), similarityFeatures: similarityFeatures)])
        case .json:
            return .articles([try single(JSONFormat.parseDocument(text), similarityFeatures: similarityFeatures)])
        case .jsonLines:
            let items = JSONFormat.parseLines(text).map { line, result in
                Item(index: line, outcome: result.flatMap { raw in
                    Result { () throws(IngestFailure) in try ArticleNormalizer.normalize(raw, similarityFeatures: similarityFeatures) }
                        .mapError { IngestFailure($0.stage, "line \(line): \($0.reason)") }
                })
            }
            guard !items.isEmpty else { throw IngestFailure(.validate, "no articles: the JSON Lines file has no lines") }
            return .articles(items)
        case .html:
            return .articles([try html(bytes, similarityFeatures: similarityFeatures)])
        case .urlList:
            return .urls(try URLListFormat.parse(text))
        }
    }

    /// A fetched page: HTML (or no type given, as servers sometimes do) goes to the extractor
    /// with its Content-Type charset and URL; plain text is read as a text article; anything
    /// else is refused, since a PDF or an image is no article newsdrop can read.
    public static func parseFetched(_ bytes: [UInt8], contentType: String?, url: String,
                                    similarityFeatures: Bool = true) throws(IngestFailure) -> Item {
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
        switch mediaType {
        case "", "text/html", "application/xhtml+xml":
            return try html(bytes, contentType: contentType, url: url, similarityFeatures: similarityFeatures)
        case "text/plain":
            var raw = PlainTextFormat.parse(try TextDecoding.decode(bytes))
            if raw.url == nil { raw.url = url }
            return try single(raw, similarityFeatures: similarityFeatures)
        default:
            throw IngestFailure(.format, "not HTML or text: Content-Type \(mediaType)")
        }
    }

    private static func html(_ bytes: [UInt8], contentType: String? = nil, url: String? = nil,
                             similarityFeatures: Bool) throws(IngestFailure) -> Item {
        try single(HTMLArticleExtractor.extract(bytes, contentType: contentType, url: url), similarityFeatures: similarityFeatures)
    }

    private static func single(_ raw: RawArticle, similarityFeatures: Bool) throws(IngestFailure) -> Item {
        Item(index: 0, outcome: .success(try ArticleNormalizer.normalize(raw, similarityFeatures: similarityFeatures)))
    }
}
