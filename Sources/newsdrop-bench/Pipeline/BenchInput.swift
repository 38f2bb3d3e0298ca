import Foundation

/// One input as the daemon receives it: a file name (whose extension picks the format) and its bytes.
struct BenchInput: Sendable {
    var name: String
    var bytes: [UInt8]

    /// An article given as fields, delivered as a `.json` document. `DocumentParser.Item` has no
    /// public initializer, so a RawArticle can only reach the store the way a JSON delivery does:
    /// JSONFormat maps these keys to RawArticle(title:text:url:published:outlet:).
    static func json(name: String, title: String? = nil, text: String, url: String? = nil,
                     published: String, outlet: String) throws -> BenchInput {
        let fields = JSONArticle(title: title, text: text, url: url, published: published, source: outlet)
        return BenchInput(name: name + ".json", bytes: Array(try encoder.encode(fields)))
    }

    private struct JSONArticle: Encodable {
        var title: String?
        var text: String
        var url: String?
        var published: String
        var source: String
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
}
