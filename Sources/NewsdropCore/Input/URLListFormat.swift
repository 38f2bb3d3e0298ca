/// `.url` and `.urls` files: links to fetch, not articles.
///
/// Two shapes are read. A plain list: one URL a line, blank lines and `#` comments ignored.
/// Windows' InternetShortcut (an INI file with `[InternetShortcut]` and `URL=…`): only the
/// `URL=` keys count, because the other keys (`IconFile=`, `Modified=`) are not links.
public enum URLListFormat {
    /// One link of a list, or why its line is not one. `line` counts from 1.
    public struct Entry: Sendable, Equatable {
        public var line: Int
        public var outcome: Result<String, IngestFailure>

        public init(line: Int, outcome: Result<String, IngestFailure>) {
            self.line = line
            self.outcome = outcome
        }
    }

    /// Longest URL accepted; longer lines are garbage or an attack, not links.
    static let maximumURLLength = 8_192

    public static func parse(_ text: String) throws(IngestFailure) -> [Entry] {
        let lines = ReadableText.lines(text)
        let isShortcut = lines.contains { $0.trimmingWhitespace().lowercased() == "[internetshortcut]" }
        var entries: [Entry] = []
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || (isShortcut && line.hasPrefix(";")) { continue }
            let candidate: String
            if isShortcut {
                guard let equals = line.firstIndex(of: "="),
                      line[..<equals].trimmingWhitespace().lowercased() == "url" else { continue }
                candidate = line[line.index(after: equals)...].trimmingWhitespace()
            } else {
                candidate = line
            }
            entries.append(Entry(line: offset + 1, outcome: validate(candidate).mapError {
                IngestFailure(.parse, "line \(offset + 1): \($0.reason)")
            }))
        }
        guard !entries.isEmpty else { throw IngestFailure(.validate, "no URLs: the list has no links") }
        return entries
    }

    /// The URL as given when it is an absolute http or https URL with a host.
    public static func validate(_ candidate: String) -> Result<String, IngestFailure> {
        let shown = candidate.count > 80 ? String(candidate.prefix(80)) + "…" : candidate
        guard candidate.utf8.count <= maximumURLLength else {
            return .failure(IngestFailure(.parse, "URL longer than \(maximumURLLength) bytes: \(shown)"))
        }
        guard let schemeEnd = candidate.range(of: ":") else {
            return .failure(IngestFailure(.parse, "not a URL: \(shown)"))
        }
        let scheme = candidate[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return .failure(IngestFailure(.parse, "only http and https URLs are fetched, not \"\(scheme)\": \(shown)"))
        }
        guard URLCanonicalizer.canonicalize(candidate) != nil else {
            return .failure(IngestFailure(.parse, "not a valid http(s) URL with a host: \(shown)"))
        }
        return .success(candidate)
    }
}
