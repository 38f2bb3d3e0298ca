/// Plain-text articles: a title line, optional header lines, then the body.
///
///     Blinken to meet with senior Russian as Ukraine tensions soar     ← title
///     20220118                                                         ← header: a date
///     https://www.example.com/world/blinken-…                          ← header: a URL
///     Lavrov reaffirmed that Russia expects …                          ← body
///
/// The first non-empty line is the title when it reads like one (short, not a finished
/// sentence); otherwise the file has no title and that line starts the body. A file that is
/// only a headline therefore has no body, and fails as such instead of becoming an article. Header lines — a
/// date, a URL, a "By …" byline, each at most once — may stand directly before or after the
/// title. Lead-ins such as "You're reading:" are removed from the title.
enum PlainTextFormat {
    static func parse(_ text: String) -> RawArticle {
        let lines = ReadableText.lines(text)
        var article = RawArticle(text: "")
        var index = lines.startIndex

        func skipBlankLines() {
            while index < lines.endIndex, lines[index].allSatisfy(\.isWhitespace) { index += 1 }
        }
        func takeHeaders() {
            while true {
                skipBlankLines()
                guard index < lines.endIndex, let header = HeaderLine(lines[index]),
                      header.isNew(for: article) else { return }
                header.apply(to: &article)
                index += 1
            }
        }

        takeHeaders()
        if index < lines.endIndex {
            // A headline is at most 250 characters: a longer first line (even megabytes of one
            // line) is body text, and is not cleaned twice to find that out.
            let line = lines[index]
            let candidate = line.utf8.count <= 1_000 ? TitleLeadIn.strip(ReadableText.clean(line)) : nil
            if let candidate, looksLikeTitle(candidate) {
                article.title = candidate
                index += 1
                takeHeaders()
            }
        }
        article.text = lines[index...].joined(separator: "\n")
        return article
    }

    /// A headline is short and, unless very short, does not end like a finished sentence.
    static func looksLikeTitle(_ line: String) -> Bool {
        let words = line.split(separator: " ").count
        guard words >= 1, words <= 30, line.count <= 250 else { return false }
        let last = line.last(where: { !ReadableText.closingMarks.contains($0) })
        if let last, last == "." || last == "," || last == ";" { return words <= 12 }
        return true
    }
}

/// A header line of a plain-text article.
private enum HeaderLine {
    case date(String)
    case url(String)
    case author(String)

    init?(_ line: Substring) {
        guard line.utf8.count <= 1_200 else { return nil }
        let text = ReadableText.clean(line)
        guard !text.isEmpty, text.count <= 300 else { return nil }
        let urlValue = Self.unlabelled(text, labels: Self.urlLabels)
        let dateValue = Self.unlabelled(text, labels: Self.dateLabels)
        if Self.isURL(urlValue) {
            self = .url(urlValue)
        } else if DateParser.parse(dateValue) != nil {
            self = .date(dateValue)
        } else if let name = Self.byline(text) {
            self = .author(name)
        } else {
            return nil
        }
    }

    /// Each kind of header is taken once; a second date line is body text.
    func isNew(for article: RawArticle) -> Bool {
        switch self {
        case .date: return article.published == nil
        case .url: return article.url == nil
        case .author: return article.author == nil
        }
    }

    func apply(to article: inout RawArticle) {
        switch self {
        case .date(let value): article.published = value
        case .url(let value): article.url = value
        case .author(let value): article.author = value
        }
    }

    private static let urlLabels = ["url:", "link:", "source:", "source url:", "original url:"]
    private static let dateLabels = [
        "published:", "published on", "published", "updated:", "updated on", "date:", "posted:",
        "posted on", "posted",
    ]

    /// The line without one of its optional labels ("Published: …"), or the line itself.
    private static func unlabelled(_ line: String, labels: [String]) -> String {
        let lowered = line.lowercased()
        for label in labels where lowered.hasPrefix(label) {
            return line.dropFirst(label.count).trimmingWhitespace()
        }
        return line
    }

    private static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return (lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) && text.count > 10
            && !text.contains(" ")
    }

    /// "By Jane Doe and John Roe" → "Jane Doe and John Roe"; "Author: Jane Doe" → "Jane Doe".
    private static func byline(_ line: String) -> String? {
        let lowered = line.lowercased()
        let name: String
        if lowered.hasPrefix("by ") {
            name = line.dropFirst(3).trimmingWhitespace()
        } else if lowered.hasPrefix("author:") {
            name = line.dropFirst(7).trimmingWhitespace()
        } else {
            return nil
        }
        let words = name.split(whereSeparator: { $0 == " " || $0 == "," })
        guard (1...8).contains(words.count), name.count <= 80,
              let last = name.last, !".!?:".contains(last) else { return nil }
        let connectors: Set<String> = ["and", "de", "van", "von", "der", "da", "la", "le", "del", "bin", "al"]
        let isName = words.allSatisfy { word in
            word.first!.isUppercase || connectors.contains(word.lowercased())
        }
        return isName ? name : nil
    }
}
