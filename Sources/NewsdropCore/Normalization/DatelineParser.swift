/// Finds the wire-service dateline that opens a story — "WASHINGTON (AP) — …",
/// "KYIV, Ukraine (Reuters) - …", "LONDON — …" — so that it becomes metadata instead of body.
///
/// The place must be written in capitals (its first part; a following ", Region" part is
/// capitalised words), and without an agency in parentheses only a real dash (— or –)
/// counts as the separator, so an ordinary opening sentence is never taken for a dateline.
enum DatelineParser {
    static func split(_ paragraph: String) -> (dateline: Dateline, rest: String)? {
        let window = paragraph.prefix(120)
        guard let (headEnd, restStart, strongDash) = separator(in: window) else { return nil }
        var head = window[..<headEnd].trimmingWhitespace()
        let rest = paragraph[restStart...].trimmingWhitespace()
        guard !rest.isEmpty else { return nil }

        var agency: String?
        if head.hasSuffix(")"), let open = head.lastIndex(of: "(") {
            let inside = head[head.index(after: open)..<head.index(before: head.endIndex)].trimmingWhitespace()
            guard isAgency(inside) else { return nil }
            agency = inside
            head = head[..<open].trimmingWhitespace()
        }
        if head.hasSuffix(",") { head.removeLast() }
        guard agency != nil || strongDash, isPlace(head), startsSentence(rest) else { return nil }
        // "NATO — the alliance — warned": a dash that pairs with a second one is an aside.
        if agency == nil, rest.prefix(100).contains(where: { $0 == "—" || $0 == "–" }) { return nil }
        return (Dateline(place: head, agency: agency), rest)
    }

    /// The first dash that separates a dateline: "—", "–", " -- " or " - ". A scan of the UTF-8
    /// bytes: stepping through the window's Characters (grapheme breaking, and a String
    /// comparison per candidate dash) was 4% of parsing an article that has no dateline
    /// (callgrind), which is most of them.
    private static func separator(in text: Substring) -> (Substring.Index, Substring.Index, strong: Bool)? {
        let utf8 = text.utf8
        func byte(at index: Substring.Index) -> UInt8? { index < utf8.endIndex ? utf8[index] : nil }
        var index = utf8.startIndex
        var previous: UInt8 = 0
        while index < utf8.endIndex {
            let current = utf8[index]
            let next = utf8.index(after: index)
            // U+2014 EM DASH and U+2013 EN DASH: E2 80 94 and E2 80 93.
            if current == 0xE2, byte(at: next) == 0x80 {
                let third = utf8.index(after: next)
                if let last = byte(at: third), last == 0x94 || last == 0x93 {
                    return (index, utf8.index(after: third), true)
                }
            }
            if current == UInt8(ascii: "-"), previous == UInt8(ascii: " ") {
                if byte(at: next) == UInt8(ascii: " ") { return (index, next, false) }
                if byte(at: next) == UInt8(ascii: "-") {
                    let after = utf8.index(after: next)
                    if byte(at: after) == UInt8(ascii: " ") { return (index, after, false) }
                }
            }
            previous = current
            index = next
        }
        return nil
    }

    /// The text after a dateline opens a sentence: a capital, a digit or an opening quote.
    private static func startsSentence(_ text: String) -> Bool {
        guard let first = text.first else { return false }
        return first.isUppercase || first.isNumber || "\"“‘'(".contains(first)
    }

    private static func isPlace(_ head: String) -> Bool {
        let parts = head.split(separator: ",", omittingEmptySubsequences: false)
        guard let city = parts.first, parts.count <= 3 else { return false }
        let cityLetters = city.filter(\.isLetter)
        guard city.count <= 40, cityLetters.count >= 2, cityLetters.allSatisfy(\.isUppercase),
              city.allSatisfy({ $0.isLetter || " .'’-".contains($0) }) else { return false }
        return parts.dropFirst().allSatisfy { part in
            let region = part.trimmingWhitespace()
            return isDate(region) || (!region.isEmpty && region.count <= 30 && region.first!.isUppercase
                && region.allSatisfy { $0.isLetter || " .'’-".contains($0) })
        }
    }

    /// The date Reuters puts in its datelines: "LONDON, Jan 18 (Reuters) -".
    private static func isDate(_ text: String) -> Bool {
        let words = text.split(separator: " ")
        guard words.count == 2, let day = Int(words[1]), (1...31).contains(day) else { return false }
        return DateParser.monthNumber(words[0].lowercased().filter { $0 != "." }) != nil
    }

    private static func isAgency(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 40 && text.first!.isLetter
            && text.allSatisfy { $0.isLetter || " .&-".contains($0) }
    }
}
