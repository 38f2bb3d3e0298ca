import Foundation

/// The schema.org article a page describes in `<script type="application/ld+json">`: the
/// most deliberate metadata a page carries, so it ranks first for every field it has.
struct JSONLDArticle: Equatable {
    var headline: String?
    var author: String?
    var datePublished: String?
    var publisher: String?
    var articleBody: String?

    /// The first article-typed object in the page's JSON-LD scripts (looking inside arrays and
    /// `@graph`), or nil. Broken JSON is skipped: pages often ship malformed JSON-LD.
    static func find(in scripts: [String]) -> JSONLDArticle? {
        for script in scripts {
            guard let data = script.trimmingWhitespace().data(using: .utf8),
                  let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { continue }
            if let object = firstArticleObject(in: root) { return JSONLDArticle(object) }
        }
        return nil
    }

    private init(_ object: [String: Any]) {
        headline = Self.string(object["headline"]) ?? Self.string(object["name"])
        author = Self.names(object["author"])
        datePublished = Self.string(object["datePublished"]) ?? Self.string(object["dateCreated"])
        publisher = Self.names(object["publisher"])
        articleBody = Self.string(object["articleBody"])
    }

    /// Walks the JSON breadth-first with a queue, so deeply nested JSON cannot exhaust the stack.
    private static func firstArticleObject(in root: Any) -> [String: Any]? {
        var queue: [Any] = [root]
        var next = 0
        while next < queue.count, next < 10_000 {
            let value = queue[next]
            next += 1
            if let array = value as? [Any] {
                queue.append(contentsOf: array)
            } else if let object = value as? [String: Any] {
                if isArticleType(object["@type"]) { return object }
                if let graph = object["@graph"] { queue.append(graph) }
                if let main = object["mainEntity"] { queue.append(main) }
            }
        }
        return nil
    }

    /// schema.org's Article family: Article, NewsArticle, BlogPosting, ReportageNewsArticle,
    /// LiveBlogPosting, Report, ScholarlyArticle …
    private static func isArticleType(_ type: Any?) -> Bool {
        let types = (type as? [Any])?.compactMap { $0 as? String } ?? [(type as? String)].compactMap { $0 }
        return types.contains { $0.hasSuffix("Article") || $0.hasSuffix("Posting") || $0 == "Report" }
    }

    private static func string(_ value: Any?) -> String? {
        guard let text = value as? String else { return nil }
        let collapsed = WhiteSpace.collapse(text)
        return collapsed.isEmpty ? nil : collapsed
    }

    /// A person or organisation given as a string, an object with a name, or a list of either.
    private static func names(_ value: Any?) -> String? {
        let items = (value as? [Any]) ?? [value as Any]
        let names = items.compactMap { item -> String? in
            if let object = item as? [String: Any] { return string(object["name"]) }
            return string(item)
        }
        var unique: [String] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        return unique.isEmpty ? nil : unique.joined(separator: ", ")
    }
}
