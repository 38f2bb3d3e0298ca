/// The formats an input file can be in, recognised by extension and then by content.
public enum InputFormat: String, Sendable, CaseIterable {
    case plainText = "text"
    case json
    case jsonLines = "jsonl"
    case html
    /// A URL to fetch (`.url`, also Windows' InternetShortcut files) or a list of them (`.urls`).
    case urlList = "urls"

    /// The format of a file named `fileName` whose decoded content is `text`. A known extension
    /// decides; an unknown one (or none) lets the first characters decide.
    public static func detect(fileName: String, text: String) -> InputFormat {
        switch fileExtension(fileName) {
        case "txt", "text": return .plainText
        case "json": return .json
        case "jsonl", "ndjson": return .jsonLines
        case "html", "htm", "xhtml": return .html
        case "url", "urls": return .urlList
        default: return sniff(text)
        }
    }

    private static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    private static func sniff(_ text: String) -> InputFormat {
        let head = text.prefix(2_048)
        guard let first = head.first(where: { !$0.isWhitespace }) else { return .plainText }
        if first == "{" {
            var objectLines = JSONFormat.lines(String(head)).map(\.text).filter { !$0.allSatisfy(\.isWhitespace) }
            if head.endIndex < text.endIndex { objectLines = objectLines.dropLast() }  // cut by the window
            let isLines = objectLines.count > 1 && objectLines.allSatisfy {
                $0.first(where: { !$0.isWhitespace }) == "{" && $0.last(where: { !$0.isWhitespace }) == "}"
            }
            return isLines ? .jsonLines : .json
        }
        if first == "<" {
            let lowered = head.lowercased()
            if lowered.contains("<html") || lowered.contains("<!doctype html") || lowered.contains("<body") {
                return .html
            }
        }
        return .plainText
    }
}
