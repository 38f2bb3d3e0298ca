/// Recognises paragraphs that are page furniture rather than article text: comment notices,
/// share buttons, advertising labels, newsletter prompts, copyright lines. Only short paragraphs
/// are candidates, and only whole-paragraph matches count, so a real sentence that merely
/// mentions "advertisement" is never removed.
enum Boilerplate {
    static func isBoilerplate(_ paragraph: String) -> Bool {
        // The byte count is free; most paragraphs are ruled out by it before any counting.
        guard paragraph.utf8.count <= 800, paragraph.unicodeScalars.count <= 200 else { return false }
        let key = normalizedKey(paragraph)
        if key.isEmpty { return true }
        if exactPhrases.contains(key) { return true }
        if prefixes.contains(where: { key.hasPrefix($0) }) { return true }
        return fragments.contains(where: { contains(key, $0) })
    }

    /// A plain byte scan, for a short key and a few fragments: Foundation's `contains` goes
    /// through NSString and the standard library's `firstRange(of:)` prepares a searcher per
    /// call, and either cost more than all the rest of the check (a page of 800,000 one-word
    /// paragraphs spent seconds in them).
    private static func contains(_ text: String, _ fragment: String) -> Bool {
        text.withUTF8Buffer { text in
            fragment.withUTF8Buffer { fragment in
                guard !fragment.isEmpty, fragment.count <= text.count else { return false }
                return (0...(text.count - fragment.count)).contains { start in
                    (0..<fragment.count).allSatisfy { text[start + $0] == fragment[$0] }
                }
            }
        }
    }

    /// Lower-case, curly quotes straightened, trailing punctuation and decoration dropped.
    private static func normalizedKey(_ paragraph: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in paragraph.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: scalars.append(Unicode.Scalar(UInt8(scalar.value + 0x20)))
            case 0x2018, 0x2019: scalars.append("'")
            case 0..<0x80: scalars.append(scalar)
            default: scalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        var key = String(scalars)
        while let last = key.last, last.isPunctuation || last.isWhitespace || last.isSymbol, last != ")" {
            key.removeLast()
        }
        while let first = key.first, first.isWhitespace || first == "•" || first == "|" || first == "-" {
            key.removeFirst()
        }
        return key
    }

    private static let exactPhrases: Set<String> = [
        "comments are closed", "comments", "leave a comment", "leave a reply", "add a comment",
        "advertisement", "advertisements", "ad", "sponsored", "sponsored content", "paid content",
        "story continues below advertisement", "article continues below advertisement",
        "continue reading", "continue reading below", "read more", "read full article", "see more",
        "share", "share this", "share this article", "share this story", "share this post",
        "share on facebook", "share on twitter", "share via email", "tweet", "email", "print",
        "click to share", "related", "related articles", "related stories", "related content",
        "recommended", "recommended for you", "you may also like", "trending", "most popular",
        "subscribe", "subscribe now", "sign up", "log in", "sign in", "skip to content",
        "skip to main content", "back to top", "all rights reserved", "loading", "menu",
        "listen to this article", "view comments", "show comments",
    ]

    private static let prefixes: [String] = [
        "copyright ©", "copyright (c)", "copyright 19", "copyright 20", "©", "(c) 19", "(c) 20",
        "sign up for", "subscribe to our", "subscribe to the", "follow us on", "follow us:",
        "click here to", "click here for", "read more:", "read more at", "read also:", "related:",
        "see also:", "more:", "also read:", "filed under:", "tags:", "topics:", "image:", "photo:",
        "(photo:", "photo credit:", "image source:", "image credit:", "getty images",
        "join the conversation", "we use cookies", "this site uses cookies", "have a news tip",
        "want more news like this", "download our app", "get our newsletter",
    ]

    /// Phrases specific enough to mark a paragraph wherever they stand in it.
    private static let fragments: [String] = [
        "may not be published, broadcast, rewritten or redistributed",
        "may not be published, broadcast, rewritten, or redistributed",
    ]
}
