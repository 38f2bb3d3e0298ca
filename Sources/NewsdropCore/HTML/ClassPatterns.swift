/// What an element's `class` and `id` say about it. Sites name their page furniture
/// consistently ("share-buttons", "related-posts", "cookie-banner"), so these names are the
/// strongest general signal short of reading the text. Every function takes names lower-cased.
enum ClassPatterns {
    /// Words that mark page furniture: fragments matched anywhere in the names (long enough not
    /// to occur by accident inside other words), short words only as a whole name part: "ad" in
    /// "ad-slot", not in "head".
    private static let boilerplate = NameMatcher(
        fragments: "comment", "disqus", "sidebar", "breadcrumb", "related", "social", "share", "sharing", "newsletter",
        "subscri", "cookie", "consent", "gdpr", "promo", "advert", "sponsor", "popup", "modal", "banner", "footer",
        "masthead", "pagination", "pager", "shoutbox", "skyscraper", "outbrain", "taboola", "recommend", "trending",
        "signup", "sign-up", "navbar", "navigation", "menu", "header", "remark", "replies", "community", "agegate",
        tokens: "ad", "ads", "nav", "rss", "extra", "tools", "toolbar", "print", "skip", "hidden"
    )
    /// Words that say "content" strongly enough to overrule a furniture word ("article-header").
    private static let content = NameMatcher(fragments: "article", "body", "content", "main", "column", "story", "entry")

    /// Class names of the containers content management systems put the article body in.
    static let articleContainerNames: Set<Substring> = [
        "entry-content", "post-content", "article-body", "article-content", "story-body", "story-content",
        "post-body", "entry-body", "article__body", "article-text", "story-text", "post-entry", "articlebody",
        "article__content", "c-entry-content", "td-post-content", "field-body", "content-body", "body-text",
        "story__body", "post__content", "blog-post-content", "entry__content", "storybody", "articletext",
    ]

    private static let negative = NameMatcher(
        fragments: "comment", "com-", "contact", "footer", "masthead", "media", "meta", "outbrain", "promo", "related",
        "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "widget", "banner", "combx",
        "gdpr", "social", "subscribe", "newsletter", "byline", "author",
        tokens: "ad", "ads", "nav", "hidden", "hid", "foot", "tag"
    )
    private static let positive = NameMatcher(
        fragments: "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text", "blog", "story"
    )
    /// Names of the author's name ("byline", "author", "writtenby").
    private static let byline = NameMatcher(fragments: "byline", "writtenby", "p-author", tokens: "author")

    /// What one class or id says for `isBoilerplate`; the verdict for several names is theirs combined.
    struct Marks {
        var furniture: Bool
        var content: Bool
    }

    static func marks(_ name: String) -> Marks {
        Marks(furniture: boilerplate.matches(name), content: content.matches(name))
    }

    /// Whether an element whose class and id have these marks is page furniture rather than
    /// content: class and id are judged as one list of names.
    static func isBoilerplate(class classMarks: Marks, id idMarks: Marks) -> Bool {
        (classMarks.furniture || idMarks.furniture) && !(classMarks.content || idMarks.content)
    }

    /// +25 for a content-like name, -25 for a furniture-like one.
    static func weight(_ name: String) -> Double {
        guard !name.isEmpty else { return 0 }
        return (negative.matches(name) ? -25 : 0) + (positive.matches(name) ? 25 : 0)
    }

    /// Whether a class or id marks the author's name.
    static func namesByline(_ name: String) -> Bool {
        byline.matches(name)
    }

    /// Whether a class list names a CMS article-body container.
    static func namesArticleContainer(_ className: String) -> Bool {
        // Split on the byte, not on Characters: this runs for every distinct class of a page,
        // and most hold none of the words every container name has.
        containerWords.matches(className)
            && className.utf8.split(separator: 0x20).contains { articleContainerNames.contains(Substring($0)) }
    }

    /// One of these is in every name of `articleContainerNames`.
    private static let containerWords = NameMatcher(fragments: "body", "content", "text", "entry")
}

/// Finds any of a few ASCII words in a lower-cased name in one pass over its bytes, however many
/// words there are: fragments anywhere, tokens only as a whole run of letters and digits
/// ("share-bar_2" has the runs share, bar and 2). Runs on every class and id of every page.
struct NameMatcher: Sendable {
    /// The fragments, back to back, grouped by first byte: those starting with byte `b` are
    /// `fragmentEnds[firstFragment[b] ..< firstFragment[b + 1]]`, each ending where the next begins.
    private let fragmentBytes: [UInt8]
    private let fragmentStarts: [Int]
    private let firstFragment: [Int]
    private let tokens: [[UInt8]]

    init(fragments: String..., tokens: String...) {
        let sorted = fragments.map { Array($0.utf8) }.sorted { $0[0] < $1[0] }
        fragmentBytes = sorted.flatMap { $0 }
        fragmentStarts = sorted.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        firstFragment = (0...256).map { byte in sorted.firstIndex { Int($0[0]) >= byte } ?? sorted.count }
        self.tokens = tokens.map { Array($0.utf8) }
    }

    func matches(_ name: String) -> Bool {
        // Most elements have a class and no id: the empty name is asked about most often.
        guard !name.isEmpty else { return false }
        var name = name
        return name.withUTF8(matches)
    }

    private func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var tokenStart = 0
        for index in 0...bytes.count {
            guard index < bytes.count else { return isToken(bytes, tokenStart..<index) }
            let byte = bytes[index]
            for fragment in firstFragment[Int(byte)]..<firstFragment[Int(byte) + 1] where hasFragment(fragment, in: bytes, at: index) {
                return true
            }
            if !Self.isTokenByte(byte) {
                if isToken(bytes, tokenStart..<index) { return true }
                tokenStart = index + 1
            }
        }
        return false
    }

    private func hasFragment(_ fragment: Int, in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let start = fragmentStarts[fragment], length = fragmentStarts[fragment + 1] - start
        guard bytes.count - index >= length else { return false }
        var offset = 1
        while offset < length, bytes[index + offset] == fragmentBytes[start + offset] { offset += 1 }
        return offset == length
    }

    private func isToken(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        !range.isEmpty && tokens.contains { $0.count == range.count && $0.elementsEqual(bytes[range]) }
    }

    /// Letters and digits (and any non-ASCII byte) make up a token.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80
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
        // One lookup per class list answers both questions: hashing the names costs more than most
        // verdicts. Ids are not cached: nearly every one is different.
        var classCache: [String: (marks: ClassPatterns.Marks, isContainer: Bool)] = [:]
        for index in tree.nodes.indices where !tree.nodes[index].attributes.isEmpty {
            for (name, value) in tree.nodes[index].attributes {
                if name == .class { classNames[index] = Self.lowercased(value) } else if name == .id { ids[index] = Self.lowercased(value) }
            }
            let (className, id) = (classNames[index], ids[index])
            if className.isEmpty && id.isEmpty { continue }
            let classVerdict = Self.cached(className, in: &classCache) { (ClassPatterns.marks($0), ClassPatterns.namesArticleContainer($0)) }
            isBoilerplate[index] = ClassPatterns.isBoilerplate(class: classVerdict.marks, id: ClassPatterns.marks(id))
            isArticleContainer[index] = classVerdict.isContainer
        }
        (self.classNames, self.ids, self.isBoilerplate, self.isArticleContainer) = (classNames, ids, isBoilerplate, isArticleContainer)
    }

    /// `ClassPatterns.weight` of the class plus that of the id.
    func weight(_ index: Int) -> Double {
        ClassPatterns.weight(classNames[index]) + ClassPatterns.weight(ids[index])
    }

    func isByline(_ index: Int) -> Bool {
        ClassPatterns.namesByline(classNames[index]) || ClassPatterns.namesByline(ids[index])
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
