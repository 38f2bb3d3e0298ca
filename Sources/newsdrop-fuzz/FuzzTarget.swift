import NewsdropControlProtocol
import NewsdropCore

/// The parsers that take untrusted bytes, each a fuzzing target. Every input must come back
/// as a result or a failure: a crash, a hang or a sanitizer report is a bug.
enum FuzzTarget: String, CaseIterable {
    /// Plain-text articles (decoding, headers, normalization, similarity features).
    case text
    /// One JSON article.
    case json
    /// JSON Lines.
    case jsonl
    /// HTML pages through the article extractor.
    case html
    /// URL lists (`.urls`, InternetShortcut `.url`).
    case urls
    /// Control-protocol request lines.
    case control

    func run(_ bytes: [UInt8]) {
        switch self {
        case .text: parse(bytes, as: "fuzz.txt")
        case .json: parse(bytes, as: "fuzz.json")
        case .jsonl: parse(bytes, as: "fuzz.jsonl")
        case .html: parse(bytes, as: "fuzz.html")
        case .urls: parse(bytes, as: "fuzz.urls")
        case .control: _ = ControlRequestDecoder.decode(bytes)
        }
    }

    private func parse(_ bytes: [UInt8], as fileName: String) {
        do throws(IngestFailure) {
            _ = try DocumentParser.read(bytes, fileName: fileName)
        } catch {
            // A precise failure is a correct answer to bad input.
        }
    }
}
