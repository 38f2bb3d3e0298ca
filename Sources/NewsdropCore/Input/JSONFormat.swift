import Foundation

/// Articles as JSON: one object per `.json` file, or one per line in JSON Lines.
///
/// Fields: `title`, `text` (or `body`, `content`), `url`, `published` (or `date`,
/// `published_at`), `author` (a string or a list of strings), `source` (or `outlet`),
/// `language`, `id` (a string or an integer). Other fields are ignored; `null` is absent.
/// A field of the wrong type is an error that names the field.
enum JSONFormat {
    /// Deeper nesting than any article needs is refused before parsing, so hostile input
    /// cannot exhaust the parser's stack.
    static let maximumDepth = 32

    static func parseDocument(_ text: String) throws(IngestFailure) -> RawArticle {
        try parseObject(Data(text.utf8))
    }

    /// The lines of a JSON Lines file, each parsed on its own: one bad line fails alone.
    /// Items are numbered by line (from 1); blank lines are skipped.
    static func parseLines(_ text: String) -> [(line: Int, result: Result<RawArticle, IngestFailure>)] {
        lines(text).compactMap { number, line in
            guard !line.allSatisfy(\.isWhitespace) else { return nil }
            let result: Result<RawArticle, IngestFailure>
            do throws(IngestFailure) {
                result = .success(try parseObject(Data(line.utf8)))
            } catch {
                result = .failure(IngestFailure(error.stage, "line \(number): \(error.reason)"))
            }
            return (number, result)
        }
    }

    /// The lines of a JSON Lines text, numbered from 1. Only LF (with an optional CR before it)
    /// ends a line: JSON strings may hold U+2028 and other Unicode line breaks unescaped.
    static func lines(_ text: String) -> [(number: Int, text: String)] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated().map { offset, bytes in
            let trimmed = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...]
            return (offset + 1, String(decoding: trimmed, as: UTF8.self))
        }
    }

    private static func parseObject(_ data: Data) throws(IngestFailure) -> RawArticle {
        if JSONNesting.depth(of: data) > maximumDepth {
            throw IngestFailure(.parse, "JSON nested deeper than \(maximumDepth) levels")
        }
        let fields: JSONArticleFields
        do {
            fields = try JSONDecoder().decode(JSONArticleFields.self, from: data)
        } catch let error as DecodingError {
            throw IngestFailure(.parse, describe(error))
        } catch {
            throw IngestFailure(.parse, "invalid JSON: \(error)")
        }
        guard let text = fields.text ?? fields.body ?? fields.content else {
            throw IngestFailure(.validate, "no article text: the object has no \"text\", \"body\" or \"content\" field")
        }
        return RawArticle(
            title: fields.title, text: text, url: fields.url,
            published: fields.published ?? fields.date ?? fields.published_at,
            author: fields.author?.joined, outlet: fields.source ?? fields.outlet,
            language: fields.language, externalID: fields.id?.value
        )
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).filter { !$0.isEmpty }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context)
            if field.isEmpty { return "expected a JSON object with the article's fields" }
            // The decoder's own descriptions read "Expected to decode String …"; the field types
            // here describe themselves ("a string or a list of strings").
            let ownDescription = !context.debugDescription.isEmpty && !context.debugDescription.hasPrefix("Expected to decode")
            let expected = ownDescription ? context.debugDescription : type == String.self ? "a string" : "\(type)"
            return "field \"\(field)\" has the wrong type: expected \(expected)"
        case .dataCorrupted(let context):
            let field = path(context)
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            let detail = underlying ?? context.debugDescription
            return field.isEmpty ? "invalid JSON: \(detail)" : "field \"\(field)\": \(detail)"
        case .keyNotFound(let key, _):
            return "missing field \"\(key.stringValue)\""
        @unknown default:
            return "invalid JSON"
        }
    }
}

/// The accepted fields of a JSON article, with their types.
private struct JSONArticleFields: Decodable {
    var title: String?
    var text: String?
    var body: String?
    var content: String?
    var url: String?
    var published: String?
    var date: String?
    var published_at: String?
    var author: Authors?
    var source: String?
    var outlet: String?
    var language: String?
    var id: Identifier?

    /// One author, or a list of them.
    struct Authors: Decodable {
        var joined: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let name = try? container.decode(String.self) {
                joined = name
            } else if let names = try? container.decode([String].self) {
                joined = names.joined(separator: ", ")
            } else {
                throw DecodingError.typeMismatch(String.self, .init(
                    codingPath: decoder.codingPath, debugDescription: "a string or a list of strings"))
            }
        }
    }

    /// The producer's id: a string, or an integer kept as its decimal text.
    struct Identifier: Decodable {
        var value: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                value = text
            } else if let number = try? container.decode(Int64.self) {
                value = String(number)
            } else {
                throw DecodingError.typeMismatch(String.self, .init(
                    codingPath: decoder.codingPath, debugDescription: "a string or an integer"))
            }
        }
    }
}
