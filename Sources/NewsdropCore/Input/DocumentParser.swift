/// The whole way from an input file's bytes to normalized articles: decode the text, recognise
/// the format, parse it, normalize every article. Pure: the caller reads the file.
public enum DocumentParser {
    /// One article of a document, or why it could not become one. `index` is 0 for a
    /// single-article document and the line number (from 1) in JSON Lines.
    public struct Item: Sendable {
        public var index: Int
        public var outcome: Result<Article, IngestFailure>
    }

    /// Parses a document. A failure of the whole document (not text, unsupported format,
    /// no article) is thrown; a JSON Lines file returns its good and bad lines as items.
    public static func parse(_ bytes: [UInt8], fileName: String) throws(IngestFailure) -> [Item] {
        // An .html/.htm file goes to the extractor undecoded: its charset may be declared inside
        // it, and NUL bytes are stripped there. (With empty text only the extension decides.)
        if InputFormat.detect(fileName: fileName, text: "") == .html {
            return [Item(index: 0, outcome: .success(try ArticleNormalizer.normalize(HTMLArticleExtractor.extract(bytes))))]
        }
        let text = try TextDecoding.decode(bytes)
        switch InputFormat.detect(fileName: fileName, text: text) {
        case .plainText:
            return [Item(index: 0, outcome: .success(try ArticleNormalizer.normalize(PlainTextFormat.parse(text))))]
        case .json:
            return [Item(index: 0, outcome: .success(try ArticleNormalizer.normalize(JSONFormat.parseDocument(text))))]
        case .jsonLines:
            let items = JSONFormat.parseLines(text).map { line, result in
                Item(index: line, outcome: result.flatMap { raw in
                    Result { () throws(IngestFailure) in try ArticleNormalizer.normalize(raw) }
                        .mapError { IngestFailure($0.stage, "line \(line): \($0.reason)") }
                })
            }
            guard !items.isEmpty else { throw IngestFailure(.validate, "no articles: the JSON Lines file has no lines") }
            return items
        case .html:
            return [Item(index: 0, outcome: .success(try ArticleNormalizer.normalize(HTMLArticleExtractor.extract(bytes))))]
        case .urlList:
            // Never ingested as text: a list of links is not an article.
            throw IngestFailure(.format, "URL lists (.url, .urls) need URL fetching, which this version does not have yet")
        }
    }
}
