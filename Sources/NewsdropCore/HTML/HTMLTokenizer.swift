#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Splits UTF-8 HTML into start tags, end tags, text and comments, the way HTML5's tokenizer
/// does for the markup news pages contain: tag and attribute names end at white space, `/` or
/// `>`; values are quoted or run to white space; `<` that opens no tag is text; comments end
/// at `-->` (or `--!>`, or at once for `<!-->`); `<!…>`, `<?…>` and `</…>` that name nothing
/// are bogus comments up to `>`; a tag cut off by the end of the page is dropped. The content
/// of script, style, title, textarea and the other raw-text elements runs to their end tag.
///
/// It works on the page's bytes in place: names become `PackedName`s, only the attributes
/// `HTMLAttribute` names become strings, and text becomes a string only when the tree keeps it
/// (`string(_:)`), so script content, data attributes and SVG paths cost a scan, nothing more.
/// Scripts' comment-escaping rules (`<!--` inside `<script>`) are not followed: pages that rely
/// on them are vanishingly rare, and the script's text is not article text either way.
struct HTMLTokenizer {
    enum Token {
        case startTag(StartTag)
        case endTag(PackedName, HTMLTag)
        case text(Text)
        /// A comment, DOCTYPE or bogus comment: not kept, but it separates the text around it.
        case comment
    }

    struct StartTag {
        var name: PackedName
        var tag: HTMLTag
        /// The attributes `HTMLAttribute` names, first occurrence of each, values decoded.
        var attributes: [(HTMLAttribute, String)]
        /// `<br/>`, `<div/>`: honoured for every element, as XHTML-minded pages mean it (an
        /// HTML5 browser would leave `<a name="top"/>` open around the whole article).
        var selfClosing: Bool
    }

    /// A run of text in the page; `string(_:)` turns it into what it says.
    struct Text {
        var range: Range<Int>
        /// Whether `&` starts character references here (not in script or style content).
        var decodesReferences: Bool
    }

    private let page: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// After the start tag of a raw-text element: the end-tag name that ends its content.
    private var rawTextEnd: RawText?

    private struct RawText {
        var name: [UInt8]
        var decodesReferences: Bool
    }

    /// Elements whose content is text up to their end tag, markup or not.
    private static let rawTextElements = NameTable(
        ["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript"].map { ($0, RawText(name: Array($0.utf8), decodesReferences: false)) }
        + ["title", "textarea"].map { ($0, RawText(name: Array($0.utf8), decodesReferences: true)) })

    init(_ page: UnsafeBufferPointer<UInt8>) {
        self.page = page
    }

    /// The next token, or nil at the end of the page.
    mutating func next() -> Token? {
        if let raw = rawTextEnd {
            rawTextEnd = nil
            let end = rawTextClose(raw.name, from: position) ?? page.count
            if end > position {
                defer { position = end }
                return .text(Text(range: position..<end, decodesReferences: raw.decodesReferences))
            }
        }
        while position < page.count {
            let textStart = position
            var cursor = position
            var markupStart: Int?
            while let open = index(of: UInt8(ascii: "<"), from: cursor) {
                if startsMarkup(at: open) { markupStart = open; break }
                cursor = open + 1
            }
            guard let open = markupStart else {
                position = page.count
                return .text(Text(range: textStart..<page.count, decodesReferences: true))
            }
            if open > textStart {
                position = open
                return .text(Text(range: textStart..<open, decodesReferences: true))
            }
            // Markup that yields no token (`</>`, a tag the page cuts off) is skipped.
            if let token = markup() { return token }
        }
        return nil
    }

    /// Whether the `<` at `index` opens markup rather than being text.
    private func startsMarkup(at index: Int) -> Bool {
        guard let next = byte(at: index + 1) else { return false }
        // `</` at the very end is text.
        return isLetter(next) || next == UInt8(ascii: "!") || next == UInt8(ascii: "?") || (next == UInt8(ascii: "/") && index + 2 < page.count)
    }

    /// Reads the markup at `position` (a `<` that `startsMarkup`) and moves past it; nil for
    /// markup that yields no token (`</>`, a tag cut off by the end of the page).
    private mutating func markup() -> Token? {
        switch page[position + 1] {
        case UInt8(ascii: "!"):
            if startsWith("--", at: position + 2) { return comment() }
            return bogusComment(from: position + 2)
        case UInt8(ascii: "?"):
            return bogusComment(from: position + 1)
        case UInt8(ascii: "/"):
            let first = page[position + 2]
            if first == UInt8(ascii: ">") {
                position += 3
                return nil
            }
            guard isLetter(first) else { return bogusComment(from: position + 2) }
            guard let tag = tag(from: position + 2) else {
                position = page.count
                return nil
            }
            return .endTag(tag.name, tag.tag)
        default:
            guard let tag = tag(from: position + 1) else {
                position = page.count
                return nil
            }
            if !tag.selfClosing, let raw = Self.rawTextElements[tag.name] { rawTextEnd = raw }
            return .startTag(tag)
        }
    }

    /// `<!--` up to `-->` or `--!>`; `<!-->` and `<!--->` are whole comments; an unclosed one runs to the end.
    private mutating func comment() -> Token {
        let start = position + 4
        if byte(at: start) == UInt8(ascii: ">") {
            position = start + 1
        } else if startsWith("->", at: start) {
            position = start + 2
        } else {
            var cursor = start
            position = page.count
            while let dash = index(of: UInt8(ascii: "-"), from: cursor) {
                if startsWith("-->", at: dash) { position = dash + 3; break }
                if startsWith("--!>", at: dash) { position = dash + 4; break }
                cursor = dash + 1
            }
        }
        return .comment
    }

    /// A DOCTYPE, `<?…>`, `<!…>` or `</` not followed by a letter: everything up to the next `>`.
    private mutating func bogusComment(from start: Int) -> Token {
        position = index(of: UInt8(ascii: ">"), from: start).map { $0 + 1 } ?? page.count
        return .comment
    }

    /// A tag's name and attributes from `start` (the name's first byte) to after its `>`; nil when
    /// the page ends first. End tags are read the same way and their attributes dropped.
    private mutating func tag(from start: Int) -> StartTag? {
        var cursor = start
        var name = PackedName()
        var colon: Int?
        while let byte = byte(at: cursor), !isBlank(byte), byte != UInt8(ascii: "/"), byte != UInt8(ascii: ">") {
            name.append(byte)
            if byte == UInt8(ascii: ":") { colon = cursor }
            cursor += 1
        }
        var tag = HTMLTag.named[name]
        // A prefixed name means its local name, as libxml2 read it too: `<a0:nav>` is a nav.
        if tag == nil, let colon, colon > start, colon + 1 < cursor {
            tag = HTMLTag.named[PackedName(page, (colon + 1)..<cursor)]
        }
        var result = StartTag(name: name, tag: tag ?? .other, attributes: [], selfClosing: false)
        while true {
            while let byte = byte(at: cursor), isBlank(byte) { cursor += 1 }
            guard let byte = byte(at: cursor) else { return nil }
            if byte == UInt8(ascii: ">") {
                position = cursor + 1
                return result
            }
            if byte == UInt8(ascii: "/") {
                if self.byte(at: cursor + 1) == UInt8(ascii: ">") {
                    result.selfClosing = true
                    position = cursor + 2
                    return result
                }
                cursor += 1
                continue
            }
            guard attribute(from: &cursor, into: &result.attributes) else { return nil }
        }
    }

    /// Reads one attribute at `cursor` (its name's first byte); false when the page ends inside it.
    private func attribute(from cursor: inout Int, into attributes: inout [(HTMLAttribute, String)]) -> Bool {
        var name = PackedName()
        // The first byte may be `=`: `<a =x>` names an attribute "=x".
        repeat {
            name.append(page[cursor])
            cursor += 1
        } while cursor < page.count && !isBlank(page[cursor]) && page[cursor] != UInt8(ascii: "/")
            && page[cursor] != UInt8(ascii: ">") && page[cursor] != UInt8(ascii: "=")
        let known = HTMLAttribute.named[name]
        var afterName = cursor
        while let byte = byte(at: afterName), isBlank(byte) { afterName += 1 }
        guard byte(at: afterName) == UInt8(ascii: "=") else {
            if let known, !attributes.contains(where: { $0.0 == known }) { attributes.append((known, "")) }
            return true
        }
        cursor = afterName + 1
        while let byte = byte(at: cursor), isBlank(byte) { cursor += 1 }
        guard let first = byte(at: cursor) else { return false }
        let value: Range<Int>
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            guard let close = index(of: first, from: cursor + 1) else { return false }
            value = (cursor + 1)..<close
            cursor = close + 1
        } else {
            let valueStart = cursor
            while let byte = byte(at: cursor), !isBlank(byte), byte != UInt8(ascii: ">") { cursor += 1 }
            value = valueStart..<cursor
        }
        if let known, !attributes.contains(where: { $0.0 == known }) {
            // Room for the usual few at once, rather than growing one by one.
            if attributes.isEmpty { attributes.reserveCapacity(4) }
            attributes.append((known, string(value, decodingReferences: true, inAttribute: true)))
        }
        return true
    }

    /// Where the raw text of element `name` ends: the next `</name` followed by white space, `/` or `>`.
    private func rawTextClose(_ name: [UInt8], from start: Int) -> Int? {
        var cursor = start
        while let open = index(of: UInt8(ascii: "<"), from: cursor) {
            if byte(at: open + 1) == UInt8(ascii: "/"), open + 2 + name.count < page.count,
               matchesLowercased(name, at: open + 2),
               isBlank(page[open + 2 + name.count]) || page[open + 2 + name.count] == UInt8(ascii: "/")
               || page[open + 2 + name.count] == UInt8(ascii: ">") {
                return open
            }
            cursor = open + 1
        }
        return nil
    }

    /// The text a token covers, character references decoded where they count.
    func string(_ text: Text) -> String {
        string(text.range, decodingReferences: text.decodesReferences, inAttribute: false)
    }

    private func string(_ range: Range<Int>, decodingReferences: Bool, inAttribute: Bool) -> String {
        guard decodingReferences, var ampersand = index(of: UInt8(ascii: "&"), from: range.lowerBound, before: range.upperBound) else {
            return String(decoding: UnsafeBufferPointer(rebasing: page[range]), as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        var copied = range.lowerBound
        while true {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: page[copied..<ampersand]))
            if let after = HTMLEntities.decode(page, at: ampersand, limit: range.upperBound, inAttribute: inAttribute, into: &bytes) {
                copied = after
            } else {
                bytes.append(UInt8(ascii: "&"))
                copied = ampersand + 1
            }
            guard let next = index(of: UInt8(ascii: "&"), from: copied, before: range.upperBound) else { break }
            ampersand = next
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: page[copied..<range.upperBound]))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the bytes in `range` are all HTML white space.
    func isBlank(_ range: Range<Int>) -> Bool {
        range.allSatisfy { isBlank(page[$0]) }
    }

    /// memchr: most of the page is scanned for the next `<`, `&` or quote.
    private func index(of target: UInt8, from start: Int, before limit: Int? = nil) -> Int? {
        let end = limit ?? page.count
        guard start < end, let base = page.baseAddress, let found = memchr(base + start, Int32(target), end - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private func byte(at index: Int) -> UInt8? {
        index < page.count ? page[index] : nil
    }

    private func startsWith(_ text: StaticString, at start: Int) -> Bool {
        guard start + text.utf8CodeUnitCount <= page.count else { return false }
        return (0..<text.utf8CodeUnitCount).allSatisfy { page[start + $0] == text.utf8Start[$0] }
    }

    private func matchesLowercased(_ name: [UInt8], at start: Int) -> Bool {
        name.indices.allSatisfy { PackedName.lowercased(page[start + $0]) == name[$0] }
    }

    private func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    /// HTML's white space between attributes: space, tab, line feed, form feed, carriage return.
    private func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D }
}

/// A tag or attribute name, ASCII lower-cased, packed into two words so that it is looked up and
/// compared as integers, never built as a String: the first 16 bytes as they are (names the
/// tree knows are all shorter), any further bytes folded into the second word. The length is
/// kept too, so a long name never equals a short one.
struct PackedName: Equatable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    private var count = 0

    init() {}

    init(_ name: String) {
        for byte in name.utf8 { append(byte) }
    }

    init(_ page: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        for index in range { append(page[index]) }
    }

    mutating func append(_ byte: UInt8) {
        let lower = UInt64(Self.lowercased(byte))
        if count < 8 {
            low |= lower << (8 * count)
        } else if count < 16 {
            high |= lower << (8 * (count - 8))
        } else {
            high = (high ^ lower) &* 0x100_0000_01B3
        }
        count += 1
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// A hash good enough for a table of a hundred names, in two multiplications.
    var hash: Int {
        Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(count)) &* 0xBF58_476D_1CE4_E5B9) >> 32)
    }
}

/// A fixed set of names and their values, looked up by `PackedName` with a multiplication and
/// a probe or two. Every tag and attribute name of every page is looked up, and `Dictionary`'s
/// SipHash cost more than the rest of reading a tag.
struct NameTable<Value: Sendable>: Sendable {
    private struct Slot: Sendable {
        var name = PackedName()
        var value: Value?
    }

    private var slots: [Slot]
    private let mask: Int

    init(_ entries: [(String, Value)]) {
        var capacity = 16
        while capacity < entries.count * 4 { capacity *= 2 }
        mask = capacity - 1
        slots = Array(repeating: Slot(), count: capacity)
        for (name, value) in entries {
            let packed = PackedName(name)
            var slot = packed.hash & mask
            while slots[slot].value != nil { slot = (slot + 1) & mask }
            slots[slot] = Slot(name: packed, value: value)
        }
    }

    subscript(name: PackedName) -> Value? {
        var slot = name.hash & mask
        while let value = slots[slot].value {
            if slots[slot].name == name { return value }
            slot = (slot + 1) & mask
        }
        return nil
    }
}

extension HTMLTag {
    /// Every element tag by its name.
    static let named = NameTable(allCases.filter { $0 != .text && $0 != .other }.map { ($0.rawValue, $0) })
}

extension HTMLAttribute {
    static let named = NameTable(allCases.map { ($0.rawValue, $0) })
}
