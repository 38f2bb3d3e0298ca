/// Turns a web page into an article: its text without the page around it, and its metadata.
/// Pure: bytes in, `RawArticle` out; the caller fetches or reads the page.
///
/// The steps, each its own type: `HTMLCharset` decides the encoding and `HTMLTranscoder`
/// makes NUL-free UTF-8; `HTMLTokenizer` and `HTMLTreeBuilder` parse it into a flat `HTMLTree`;
/// `HTMLMetadata` reads title, author, date, URL, language and site; `ArticleBody` finds and
/// renders the text. JSON-LD's `articleBody` stands in when the page's markup yields less.
public enum HTMLArticleExtractor {
    public static func extract(_ bytes: [UInt8], contentType: String? = nil, url: String? = nil) throws(IngestFailure) -> RawArticle {
        guard !bytes.isEmpty else { throw IngestFailure(.validate, "no article text: the HTML page is empty") }
        let tree = parse(bytes, contentType: contentType)
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

    /// The page as a tree, parsed from its bytes re-encoded as UTF-8.
    private static func parse(_ bytes: [UInt8], contentType: String?) -> HTMLTree {
        HTMLTreeBuilder.parse(HTMLTranscoder.utf8Bytes(bytes, as: HTMLCharset.detect(bytes, contentType: contentType)))
    }
}
