import Foundation

/// What near-duplicate and story features are computed from: the title and the beginning of
/// the body, at most 100,000 characters (an article is rarely a tenth of that). A multi-megabyte
/// input then costs no more to compare than a long article, and every place that computes
/// features — on arrival, for `similar` and for `why` — sees the same text.
public enum SimilarityInput {
    public static let maximumBodyCharacters = 100_000

    public static func features(title: String?, body: String) -> SimilarityFeatures {
        SimilarityFeatures(title: title, body: bounded(body))
    }

    /// The article's features: those its parse computed, or, if it computed none, the same
    /// features computed now.
    public static func features(of article: Article) -> SimilarityFeatures {
        article.similarity ?? features(title: article.title, body: article.text)
    }

    public static func text(title: String?, body: String) -> SimilarityText {
        SimilarityText(title: title, body: bounded(body))
    }

    /// The body cut at the last paragraph break (or space) before the limit.
    static func bounded(_ body: String) -> String {
        // No more bytes than the limit means no more characters: nothing to count.
        guard body.utf8.count > maximumBodyCharacters else { return body }
        let scalars = body.unicodeScalars
        guard let limit = scalars.index(scalars.startIndex, offsetBy: maximumBodyCharacters, limitedBy: scalars.endIndex),
              limit < scalars.endIndex else { return body }
        let head = body[..<limit]
        let cut = head.range(of: "\n\n", options: .backwards)?.lowerBound ?? head.lastIndex(of: " ") ?? limit
        return String(body[..<cut])
    }
}
