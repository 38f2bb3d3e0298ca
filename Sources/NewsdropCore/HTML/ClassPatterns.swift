/// What an element's `class` and `id` say about it. Sites name their page furniture
/// consistently ("share-buttons", "related-posts", "cookie-banner"), so these names are the
/// strongest general signal short of reading the text.
enum ClassPatterns {
    /// Words that mark page furniture, matched anywhere in the names (long enough not to occur
    /// by accident inside other words).
    private static let boilerplateFragments: [[UInt8]] = fragments(
        "comment", "disqus", "sidebar", "breadcrumb", "related", "social", "share", "sharing", "newsletter",
        "subscri", "cookie", "consent", "gdpr", "promo", "advert", "sponsor", "popup", "modal", "banner", "footer",
        "masthead", "pagination", "pager", "shoutbox", "skyscraper", "outbrain", "taboola", "recommend", "trending",
        "signup", "sign-up", "navbar", "navigation", "menu", "header", "remark", "replies", "community", "agegate"
    )
    /// Short words that mark furniture only as a whole name part: "ad" in "ad-slot", not in "head".
    private static let boilerplateTokens: Set<String> = ["ad", "ads", "nav", "rss", "extra", "tools", "toolbar", "print", "skip", "hidden"]
    /// Words that say "content" strongly enough to overrule a furniture word ("article-header").
    private static let contentFragments = fragments("article", "body", "content", "main", "column", "story", "entry")

    /// Class names of the containers content management systems put the article body in.
    static let articleContainerNames: Set<String> = [
        "entry-content", "post-content", "article-body", "article-content", "story-body", "story-content",
        "post-body", "entry-body", "article__body", "article-text", "story-text", "post-entry", "articlebody",
        "article__content", "c-entry-content", "td-post-content", "field-body", "content-body", "body-text",
        "story__body", "post__content", "blog-post-content", "entry__content", "storybody", "articletext",
    ]

    private static let negativeFragments = fragments(
        "comment", "com-", "contact", "footer", "masthead", "media", "meta", "outbrain", "promo", "related", "scroll",
        "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "widget", "banner", "combx",
        "gdpr", "social", "subscribe", "newsletter", "byline", "author"
    )
    private static let negativeTokens: Set<String> = ["ad", "ads", "nav", "hidden", "hid", "foot", "tag"]
    private static let positiveFragments = fragments(
        "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text", "blog", "story"
    )

    /// Whether `names` (class and id, lower-cased) mark page furniture rather than content.
    static func isBoilerplate(_ names: String) -> Bool {
        guard !names.isEmpty else { return false }
        let bytes = Array(names.utf8)
        let marked = boilerplateFragments.contains { bytes.containsFragment($0) } || tokens(bytes).contains { boilerplateTokens.contains($0) }
        return marked && !contentFragments.contains { bytes.containsFragment($0) }
    }

    /// +25 for a content-like name, -25 for a furniture-like one (for class and id each).
    static func weight(_ names: String) -> Double {
        guard !names.isEmpty else { return 0 }
        let bytes = Array(names.utf8)
        var weight = 0.0
        if negativeFragments.contains(where: { bytes.containsFragment($0) }) || tokens(bytes).contains(where: { negativeTokens.contains($0) }) {
            weight -= 25
        }
        if positiveFragments.contains(where: { bytes.containsFragment($0) }) { weight += 25 }
        return weight
    }

    /// Whether class or id mark the author's name ("byline", "author", "writtenby").
    static func namesByline(_ names: String) -> Bool {
        let bytes = Array(names.utf8)
        return bylineFragments.contains { bytes.containsFragment($0) } || tokens(bytes).contains("author")
    }

    private static let bylineFragments = fragments("byline", "writtenby", "p-author")

    /// Whether a class list names a CMS article-body container.
    static func namesArticleContainer(_ className: String) -> Bool {
        className.split(separator: " ").contains { articleContainerNames.contains(String($0)) }
    }

    private static func fragments(_ words: String...) -> [[UInt8]] {
        words.map { Array($0.utf8) }
    }

    /// The ASCII letter-and-digit runs of a name ("share-bar_2" → share, bar, 2).
    private static func tokens(_ bytes: [UInt8]) -> [String] {
        bytes.split(whereSeparator: { !(($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 >= 0x80) })
            .map { String(decoding: $0, as: UTF8.self) }
    }
}

/// What class and id say about each element of a page. The verdicts every element needs are
/// worked out once per distinct name (pages repeat the same few class names thousands of
/// times); the ones only a few elements need are computed when asked.
struct ClassVerdicts {
    /// Each element's class and id, lower-cased.
    private let classNames: [String]
    private let ids: [String]
    let isBoilerplate: [Bool]
    let isArticleContainer: [Bool]

    init(_ tree: HTMLTree) {
        let count = tree.nodes.count
        var classNames = Array(repeating: "", count: count), ids = Array(repeating: "", count: count)
        var isBoilerplate = Array(repeating: false, count: count), isArticleContainer = Array(repeating: false, count: count)
        var boilerplateCache: [String: Bool] = [:], containerCache: [String: Bool] = ["": false]
        for index in tree.nodes.indices {
            for (name, value) in tree.nodes[index].attributes {
                if name == .class { classNames[index] = Self.lowercased(value) } else if name == .id { ids[index] = Self.lowercased(value) }
            }
            let (className, id) = (classNames[index], ids[index])
            if className.isEmpty && id.isEmpty { continue }
            let joined = className.isEmpty ? id : id.isEmpty ? className : className + " " + id
            isBoilerplate[index] = Self.cached(joined, in: &boilerplateCache, ClassPatterns.isBoilerplate)
            isArticleContainer[index] = Self.cached(className, in: &containerCache, ClassPatterns.namesArticleContainer)
        }
        (self.classNames, self.ids, self.isBoilerplate, self.isArticleContainer) = (classNames, ids, isBoilerplate, isArticleContainer)
    }

    /// `ClassPatterns.weight` of the class plus that of the id.
    func weight(_ index: Int) -> Double {
        ClassPatterns.weight(classNames[index]) + ClassPatterns.weight(ids[index])
    }

    func isByline(_ index: Int) -> Bool {
        ClassPatterns.namesByline(classNames[index] + " " + ids[index])
    }

    /// Lower case without a new string when there is nothing to lower (the usual case).
    private static func lowercased(_ value: String) -> String {
        value.utf8.contains { $0 >= 0x41 && $0 <= 0x5A } ? value.lowercased() : value
    }

    private static func cached<Value>(_ key: String, in cache: inout [String: Value], _ compute: (String) -> Value) -> Value {
        if let known = cache[key] { return known }
        let value = compute(key)
        cache[key] = value
        return value
    }
}

private extension Array where Element == UInt8 {
    /// Byte-wise substring search; Foundation's `contains` is far slower for these short ASCII names.
    func containsFragment(_ fragment: [UInt8]) -> Bool {
        guard let first = fragment.first, count >= fragment.count else { return false }
        var start = 0
        while start <= count - fragment.count {
            if self[start] == first {
                var matched = 1
                while matched < fragment.count, self[start + matched] == fragment[matched] { matched += 1 }
                if matched == fragment.count { return true }
            }
            start += 1
        }
        return false
    }
}
