/// Precision, recall and F1 of extracted text against expected text, measured like the
/// ScrapingHub article-extraction benchmark: both texts become lower-cased word tokens, tokens
/// become overlapping 4-token shingles, and shingles are matched as multisets.
struct ShingleScore: Encodable, Sendable {
    var precision: Double
    var recall: Double
    var f1: Double

    static let shingleSize = 4

    init(extracted: String, expected: String) {
        let found = Self.shingles(extracted), wanted = Self.shingles(expected)
        var remaining = wanted
        var matched = 0
        for (shingle, count) in found {
            let available = remaining[shingle] ?? 0
            matched += min(count, available)
            remaining[shingle] = available - min(count, available)
        }
        let foundTotal = found.values.reduce(0, +), wantedTotal = wanted.values.reduce(0, +)
        // Nothing expected and nothing found is a perfect score; one side empty is zero.
        precision = foundTotal == 0 ? (wantedTotal == 0 ? 1 : 0) : Double(matched) / Double(foundTotal)
        recall = wantedTotal == 0 ? (foundTotal == 0 ? 1 : 0) : Double(matched) / Double(wantedTotal)
        f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }

    /// Word tokens: maximal runs of letters, digits and underscores (regex `\w+`), lower-cased.
    static func tokens(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
    }

    /// Shingles with their counts; a text shorter than one shingle is one shingle of all its tokens.
    static func shingles(_ text: String) -> [[String]: Int] {
        let tokens = tokens(text)
        var counts: [[String]: Int] = [:]
        guard !tokens.isEmpty else { return counts }
        guard tokens.count >= shingleSize else { counts[tokens] = 1; return counts }
        for start in 0...(tokens.count - shingleSize) { counts[Array(tokens[start..<(start + shingleSize)]), default: 0] += 1 }
        return counts
    }

    /// A worked example the scoring must reproduce before any page is scored: 8 tokens give
    /// 5 shingles; only the first word differs, so 4 of 5 shingles match: precision = recall = F1 = 0.8.
    static var workedExampleHolds: Bool {
        let score = ShingleScore(extracted: "a b c d e x y z", expected: "x b c d e x y z")
        return abs(score.precision - 0.8) < 1e-9 && abs(score.recall - 0.8) < 1e-9 && abs(score.f1 - 0.8) < 1e-9
    }
}
