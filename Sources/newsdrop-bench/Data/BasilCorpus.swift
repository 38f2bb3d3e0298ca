import Foundation

/// One article of basil-dev.jsonl: real news with a human story label.
struct BasilArticle: Decodable, Sendable {
    var id: String
    var storyID: String
    var outlet: String
    /// "YYYY-MM-DD".
    var published: String
    var title: String
    var url: String?
    var text: String

    private enum CodingKeys: String, CodingKey {
        case id, outlet, published, title, url, text
        case storyID = "story_id"
    }
}

enum BasilCorpus {
    /// The articles in file order; with `storyLimit`, only those of the first N stories to appear.
    static func load(_ url: URL, storyLimit: Int?) throws -> [BasilArticle] {
        let decoder = JSONDecoder()
        // Lines end at LF bytes only: JSON strings may hold other Unicode line breaks.
        let articles = try Data(contentsOf: url)
            .split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .enumerated()
            .filter { !$0.element.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") } }
            .map { number, line in
                do {
                    return try decoder.decode(BasilArticle.self, from: Data(line))
                } catch {
                    throw BenchError("\(url.path) line \(number + 1): \(error)")
                }
            }
        guard let storyLimit else { return articles }
        var kept: [String] = []
        for article in articles where !kept.contains(article.storyID) && kept.count < storyLimit {
            kept.append(article.storyID)
        }
        let keptStories = Set(kept)
        return articles.filter { keptStories.contains($0.storyID) }
    }
}
