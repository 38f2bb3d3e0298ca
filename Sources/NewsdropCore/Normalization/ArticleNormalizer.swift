/// Turns what a producer sent into the article newsdrop stores: readable text, metadata parsed
/// into fixed forms (UTC dates, canonical URLs), a dateline lifted out of the body, and the
/// canonical form and hash that exact deduplication compares.
public enum ArticleNormalizer {
    /// `similarityFeatures`: whether to compute the article's similarity features as well.
    public static func normalize(_ raw: RawArticle, similarityFeatures: Bool = true) throws(IngestFailure) -> Article {
        var paragraphs = ReadableText.paragraphs(ReadableText.lines(raw.text), dropping: Boilerplate.isBoilerplate)
            .filter { !Boilerplate.isBoilerplate($0) }
        var dateline: Dateline?
        if let first = paragraphs.first, let (found, rest) = DatelineParser.split(first) {
            dateline = found
            paragraphs[0] = rest
        }

        let canonicalText = CanonicalText.make(paragraphs.joined(separator: " "))
        guard canonicalText.contains(where: \.isLetter) else {
            throw IngestFailure(.validate, paragraphs.isEmpty && raw.title != nil
                ? "no article text: the input holds only a title"
                : "no article text: nothing but white space, punctuation or boilerplate")
        }

        let url = field(raw.url)
        let title = field(raw.title).map(TitleLeadIn.strip).flatMap { $0.isEmpty ? nil : $0 }
        var article = Article(
            title: title,
            paragraphs: paragraphs,
            url: url,
            canonicalURL: url.flatMap(URLCanonicalizer.canonicalize),
            published: field(raw.published).flatMap(DateParser.parse),
            publishedRaw: field(raw.published),
            author: field(raw.author),
            outlet: field(raw.outlet),
            language: field(raw.language)?.lowercased(),
            externalID: field(raw.externalID),
            dateline: dateline,
            canonicalText: canonicalText,
            contentHash: ContentHash.sha256Hex(canonicalText),
            wordCount: canonicalText.withUTF8Buffer { $0.reduce(1) { $1 == UInt8(ascii: " ") ? $0 + 1 : $0 } },
            similarity: nil
        )
        if similarityFeatures { article.similarity = SimilarityInput.features(of: article) }
        return article
    }

    /// A metadata field cleaned like readable text; empty becomes nil.
    private static func field(_ value: String?) -> String? {
        guard let value else { return nil }
        let cleaned = ReadableText.clean(value)
        return cleaned.isEmpty ? nil : cleaned
    }
}

/// Lead-ins that some sites and readers put before a headline ("You're reading: …").
enum TitleLeadIn {
    static func strip(_ title: String) -> String {
        let lowered = title.prefix(24).lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        for leadIn in leadIns where lowered.hasPrefix(leadIn) {
            let rest = title.dropFirst(leadIn.count)
            guard rest.first == ":" else { continue }
            return rest.dropFirst().trimmingWhitespace()
        }
        return title
    }

    private static let leadIns = [
        "you're reading", "you are reading", "youre reading", "now reading", "headline", "title",
    ]
}
