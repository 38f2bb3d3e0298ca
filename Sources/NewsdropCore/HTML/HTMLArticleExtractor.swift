/// Turns a web page into an article: its text without the page around it, and its metadata.
/// Pure: bytes in, `RawArticle` out; the caller fetches or reads the page.
///
/// The steps, each its own type: `HTMLCharset` decides the encoding and `HTMLTranscoder`
/// makes NUL-free UTF-8; `UnusedMarkupStripper` drops the script and style content and the
/// attributes no step reads; `HTMLTreeBuilder` parses it with libxml2 into a flat `HTMLTree`;
/// `HTMLMetadata` reads title, author, date, URL, language and site; `ArticleBody` finds and
/// renders the text. JSON-LD's `articleBody` stands in when the page's markup yields less.
public enum HTMLArticleExtractor {
    public static func extract(_ bytes: [UInt8], contentType: String? = nil, url: String? = nil) throws(IngestFailure) -> RawArticle {
        guard !bytes.isEmpty else { throw IngestFailure(.validate, "no article text: the HTML page is empty") }
        let tree = try parse(bytes, contentType: contentType)
        let metadata = HTMLMetadata(tree: tree, url: url)
        let body = ArticleBody.extract(from: tree, title: metadata.title)

        var paragraphs = body.paragraphs
        if let jsonBody = metadata.jsonLD?.articleBody, jsonBody.count > paragraphs.reduce(0, { $0 + $1.count }) {
            paragraphs = [jsonBody]
        }
        guard paragraphs.contains(where: { $0.contains(where: \.isLetter) }) else {
            throw IngestFailure(.validate, tree.nodes.contains(where: { $0.tag == .text && $0.text.contains(where: \.isLetter) })
                ? "no article text: the page's only text is navigation, scripts or other page furniture"
                : "no article text: the HTML page has no visible text")
        }
        return RawArticle(
            title: metadata.title,
            text: paragraphs.joined(separator: "\n\n"),
            url: metadata.url,
            published: metadata.published,
            author: metadata.author ?? body.byline,
            outlet: metadata.siteName,
            language: metadata.language
        )
    }

    /// The page as a tree. A charset only iconv knows goes to libxml2 as is; if libxml2 does
    /// not know it either, the bytes are read as UTF-8 or windows-1252 like an undeclared page.
    private static func parse(_ bytes: [UInt8], contentType: String?) throws(IngestFailure) -> HTMLTree {
        let decision = HTMLCharset.detect(bytes, contentType: contentType)
        if case .other(let name) = decision.charset,
           let tree = HTMLTreeBuilder.parse(HTMLTranscoder.utf8Bytes(bytes, as: decision), encoding: name) {
            return tree
        }
        var utf8Decision = decision
        if case .other = decision.charset {
            utf8Decision.charset = HTMLCharset.isValidUTF8(bytes[...]) ? .utf8 : .windows1252
        }
        let utf8 = UnusedMarkupStripper.stripped(HTMLTranscoder.utf8Bytes(bytes, as: utf8Decision))
        guard let tree = HTMLTreeBuilder.parse(utf8, encoding: "UTF-8") else {
            throw IngestFailure(.parse, "the HTML page could not be parsed (nothing but NUL bytes?)")
        }
        return tree
    }
}
