import Foundation

/// Articles for load tests: 150 to 2,000 words, about half of them function words (as in real
/// English) and the rest from a 50,000-word vocabulary drawn with a skew toward common words;
/// about 10% exact copies of earlier articles and 10% near copies (a tenth of their words
/// replaced). Deterministic for a seed.
struct LoadGenerator {
    private var random: SplitMix64
    private let vocabulary: [String]

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        var syllables = SplitMix64(seed: seed &+ 1)
        let parts = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "ba", "po", "li", "gar", "ten", "mor", "sel"]
        vocabulary = (0..<50_000).map { _ in
            (0..<(2 + syllables.below(3))).map { _ in parts[syllables.below(parts.count)] }.joined()
        }
    }

    /// The latest bodies (at most `remembered`), which copies and near copies are made from:
    /// bounded, so that seeding a store with a million articles does not hold them all.
    private var bodies: [String] = []
    private static let remembered = 10_000
    private var produced = 0

    /// Writes `count` articles as .txt files into `folder`; returns their names in order.
    mutating func write(count: Int, into folder: URL) throws -> [String] {
        try (0..<count).map { _ in
            let article = next()
            try Data(article.bytes).write(to: folder.appendingPathComponent(article.name))
            return article.name
        }
    }

    /// The next article: its file name and contents.
    mutating func next() -> (name: String, bytes: [UInt8]) {
        let index = produced
        produced += 1
        let body: String
        switch random.below(10) {
        case 0 where !bodies.isEmpty:
            body = bodies[random.below(bodies.count)]
        case 1 where !bodies.isEmpty:
            var words = bodies[random.below(bodies.count)].split(separator: " ").map(String.init)
            for _ in 0..<max(1, words.count / 10) { words[random.below(words.count)] = word() }
            body = words.joined(separator: " ")
        default:
            body = sentences(words: 150 + random.below(1_851))
        }
        if bodies.count < Self.remembered { bodies.append(body) } else { bodies[index % Self.remembered] = body }
        return (String(format: "load-%07d.txt", index), Array("Report \(index): \(word()) \(word())\n\n\(body)".utf8))
    }

    private mutating func sentences(words count: Int) -> String {
        var text = ""
        for position in 0..<count {
            var next = word()
            if position % 14 == 0 { next = next.prefix(1).uppercased() + next.dropFirst() }
            text += next + (position % 14 == 13 ? ". " : " ")
        }
        return text + "end."
    }

    private static let functionWords = [
        "the", "of", "and", "to", "a", "in", "that", "is", "was", "he", "for", "it", "with", "as", "his", "on", "be",
        "at", "by", "had", "are", "but", "from", "or", "have", "an", "they", "which", "one", "were", "said", "would",
    ]

    /// A function word half the time; otherwise a vocabulary word, skewed toward the start of
    /// the vocabulary (the square of a uniform draw).
    private mutating func word() -> String {
        if random.below(2) == 0 { return Self.functionWords[random.below(Self.functionWords.count)] }
        let uniform = random.uniform()
        return vocabulary[min(vocabulary.count - 1, Int(uniform * uniform * Double(vocabulary.count)))]
    }
}
