import Foundation

/// The article's metadata as the page declares it, each field from the most deliberate source
/// that has it: JSON-LD, then `<meta>` tags, then the document itself, then the URL.
struct HTMLMetadata: Equatable {
    var title: String?
    var author: String?
    var published: String?
    var url: String?
    var language: String?
    var siteName: String?
    var jsonLD: JSONLDArticle?

    init(tree: HTMLTree, url pageURL: String?, bylineFromBody: String? = nil) {
        let meta = MetaTags(tree)
        let jsonLD = JSONLDArticle.find(in: tree.elements(.script).map { tree.nodes[$0].text }.filter { !$0.isEmpty })
        self.jsonLD = jsonLD
        siteName = meta.first("og:site_name") ?? jsonLD?.publisher

        let documentTitle = tree.elements(.title).first.map { tree.text(of: $0) }.flatMap(nonEmpty)
        title = jsonLD?.headline
            ?? meta.first("dc:title", "dcterm:title", "og:title", "twitter:title", "parsely-title", "title")
            ?? documentTitle.map { TitleCleaner.clean($0, siteName: siteName) }
            ?? tree.elements(.h1).lazy.map { tree.text(of: $0) }.first(where: { !$0.isEmpty })

        author = jsonLD?.author
            ?? meta.first("author", "dc:creator", "dcterm:creator", "parsely-author", "sailthru.author", "byl")
                .flatMap { $0.contains("://") ? nil : $0 }
            ?? bylineFromBody

        published = jsonLD?.datePublished
            ?? meta.first("article:published_time", "datepublished", "og:published_time", "published_time",
                          "pubdate", "publishdate", "publish-date", "publish_date", "dc:date", "dc:date.issued",
                          "dcterm:created", "dcterm:date", "sailthru.date", "parsely-pub-date", "date")
            ?? Self.timeElement(tree)
            ?? pageURL.flatMap(URLDate.find)

        let canonical = tree.elements(.link).first { index in
            tree.attribute(.rel, of: index)?.lowercased().split(separator: " ").contains("canonical") == true
        }.flatMap { tree.attribute(.href, of: $0) }.flatMap(nonEmpty)
        url = (canonical ?? meta.first("og:url")).flatMap { Self.resolve($0, against: pageURL) } ?? pageURL

        language = tree.elements(.html).first.flatMap { tree.attribute(.lang, of: $0) }.flatMap(nonEmpty)
            ?? meta.first("og:locale").map { $0.replacingOccurrences(of: "_", with: "-") }
            ?? meta.first("content-language", "language", "dc:language")
    }

    /// The first `<time datetime>`, preferring one marked as the publication date.
    private static func timeElement(_ tree: HTMLTree) -> String? {
        let times = tree.elements(.time).filter { tree.attribute(.datetime, of: $0).flatMap(nonEmpty) != nil }
        let marked = times.first { tree.attribute(.pubdate, of: $0) != nil
            || tree.attribute(.itemprop, of: $0)?.lowercased().contains("datepublished") == true }
        return (marked ?? times.first).flatMap { tree.attribute(.datetime, of: $0) }.map(WhiteSpace.collapse)
    }

    /// An absolute URL; a relative one resolved against the page's URL, or nil without one.
    private static func resolve(_ link: String, against base: String?) -> String? {
        if link.hasPrefix("http://") || link.hasPrefix("https://") { return link }
        guard let base, let baseURL = URL(string: base), let resolved = URL(string: link, relativeTo: baseURL) else { return nil }
        return resolved.absoluteString
    }
}

/// `<meta>` values by name: `property`, `name` and `itemprop` each count, and a space-separated
/// list of names (`property="og:title dc:title"`) names the value under each of them.
struct MetaTags {
    private var values: [String: String] = [:]

    init(_ tree: HTMLTree) {
        for index in tree.elements(.meta) {
            guard let content = tree.attribute(.content, of: index).map(WhiteSpace.collapse), !content.isEmpty else { continue }
            let keys = [HTMLAttribute.property, .name, .itemprop, .httpEquiv].compactMap { tree.attribute($0, of: index) }
            for key in keys.flatMap({ $0.lowercased().split(separator: " ") }) {
                // "dc.title" and "dcterms.title" are spellings of "dc:title" and "dcterm:title"
                // (Foundation's replacing is slow: most keys have no "dc" to replace).
                let normalized = !key.contains("dc") ? String(key) : key.replacingOccurrences(of: "dcterms", with: "dcterm")
                    .replacingOccurrences(of: "dc.", with: "dc:").replacingOccurrences(of: "dcterm.", with: "dcterm:")
                if values[normalized] == nil { values[normalized] = content }
            }
        }
    }

    /// The value of the first of `names` the page has.
    func first(_ names: String...) -> String? {
        names.lazy.compactMap { values[$0] }.first
    }
}

/// A publication date written into an article's URL path: `/2021/03/14/` or `/2021-03-14-`.
enum URLDate {
    static func find(in url: String) -> String? {
        let parts = url.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "_" || $0 == "?" }).map(String.init)
        for start in parts.indices.dropLast(2) {
            guard let year = Int(parts[start]), parts[start].count == 4, (1990...2100).contains(year),
                  let month = Int(parts[start + 1]), parts[start + 1].count <= 2, (1...12).contains(month),
                  let day = Int(parts[start + 2]), parts[start + 2].count <= 2, (1...31).contains(day) else { continue }
            return String(format: "%04d-%02d-%02d", year, month, day)
        }
        return nil
    }
}

func nonEmpty(_ text: String) -> String? {
    let collapsed = WhiteSpace.collapse(text)
    return collapsed.isEmpty ? nil : collapsed
}
