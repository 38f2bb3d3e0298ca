#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Removes what the extractor never reads from UTF-8 HTML before libxml2 parses it: the
/// content of `<script>` and `<style>` elements, and the attributes `HTMLAttribute` does not
/// name (data-*, srcset, SVG paths …). libxml2 reads both character by character only for the
/// tree builder to drop them: on the development pages script content alone was about a third
/// of libxml2's parse, and attribute parsing a fifth of what was left. JSON-LD scripts keep
/// their content: it is metadata.
///
/// The scan follows libxml2's HTML tokenizer (2.9) closely enough to know where it is in
/// raw text: comments, `<!…>` and `<?…>` markup, end tags, and start tags with quoted and
/// unquoted attribute values. Wherever it cannot be sure what libxml2 will do (a `<` that
/// opens no tag, a control character inside a tag, a comment closed by `--!>`, a DOCTYPE
/// with quotes, raw text that starts with `<`, an end tag such as `</scriptx`), it stops and
/// leaves the rest of the page as it is, so the parsed tree is the one the whole page gives.
enum UnusedMarkupStripper {
    static func stripped(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { page in
            var scanner = Scanner(page)
            scanner.scan()
            let removals = scanner.removals
            guard !removals.isEmpty else { return bytes }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count - removals.reduce(0) { $0 + $1.count })
            var copied = 0
            for removal in removals {
                output.append(contentsOf: page[copied..<removal.lowerBound])
                copied = removal.upperBound
            }
            output.append(contentsOf: page[copied...])
            return output
        }
    }

    /// One pass over the page that lists the ranges to remove, in order.
    private struct Scanner {
        let page: UnsafeBufferPointer<UInt8>
        var position = 0
        private(set) var removals: [Range<Int>] = []

        init(_ page: UnsafeBufferPointer<UInt8>) {
            self.page = page
        }

        mutating func scan() {
            while let open = index(of: UInt8(ascii: "<"), from: position) {
                position = open
                guard markup() else { return }
            }
        }

        /// Reads the markup at `position` (a `<`) and moves past it; false when the scan must stop.
        private mutating func markup() -> Bool {
            switch byte(at: position + 1) {
            case UInt8(ascii: "!"):
                return startsWith("--", at: position + 2) ? comment() : declaration()
            case UInt8(ascii: "?"):
                // A processing instruction with a target runs to the next `>`.
                guard let next = byte(at: position + 2), isLetter(next) || next == UInt8(ascii: "_") || next == UInt8(ascii: ":"),
                      let end = index(of: UInt8(ascii: ">"), from: position + 2),
                      !page[position..<end].contains(where: isControl) else { return false }
                position = end + 1
                return true
            case UInt8(ascii: "/"):
                // An end tag runs to the next `>`, quotes or not.
                guard let next = byte(at: position + 2), isNameStart(next),
                      let end = index(of: UInt8(ascii: ">"), from: position + 2) else { return false }
                position = end + 1
                return true
            case let next? where isLetter(next) || next == UInt8(ascii: "_") || next == UInt8(ascii: ":"):
                return startTag()
            default:
                return false
            }
        }

        /// `<!--` up to the first `-->` that starts after it.
        private mutating func comment() -> Bool {
            let start = position + 4
            guard let end = find("-->", from: start), find("--!>", from: start, before: end) == nil else { return false }
            position = end + 3
            return true
        }

        /// `<!DOCTYPE …>` or a bogus `<!…>`, both read up to the next `>`. A quote in a DOCTYPE
        /// may hide a `>` from libxml2, and a bogus one holding another `<` is read otherwise.
        private mutating func declaration() -> Bool {
            guard let end = index(of: UInt8(ascii: ">"), from: position + 2),
                  !page[(position + 2)..<end].contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "<") || isControl($0) })
            else { return false }
            position = end + 1
            return true
        }

        /// A start tag; for `<script>` and `<style>` also their raw text up to the end tag.
        private mutating func startTag() -> Bool {
            let nameStart = position + 1
            var cursor = nameStart
            while let byte = byte(at: cursor), isNameByte(byte) { cursor += 1 }
            guard cursor - nameStart <= Self.longestName else { return false }
            let rawTextName = Self.rawTextNames.first { name in
                cursor - nameStart == name.utf8.count && asciiLowercasedEqual(nameStart, name)
            }
            guard let tag = attributes(from: cursor) else { return false }
            position = tag.end
            removals += tag.unread
            guard let rawTextName, !tag.selfClosed else { return true }
            guard let close = rawTextEnd(rawTextName, from: position) else { return false }
            // Before reading raw text libxml2 tries the content as an end tag or as a start tag
            // that closes the script: raw text starting with '<' is not surely raw text.
            if close != position, byte(at: position) == UInt8(ascii: "<") { return false }
            let content = position..<close
            position = close
            // JSON-LD keeps its content; so does a script whose attributes hold an entity, which
            // could spell "ld+json" in a way only libxml2 decodes.
            let mayBeJSONLD = contains("ld+json", in: tag.attributes) || page[tag.attributes].contains(UInt8(ascii: "&"))
            if !mayBeJSONLD && !content.isEmpty { removals.append(content) }
            return true
        }

        /// A start tag's attributes as libxml2's htmlParseStartTag reads them: the index after
        /// `>` or `/>`, whether it was `/>`, the attribute text, and the attributes the tree
        /// builder does not keep. Nil at the end of the page or at a control character, where
        /// libxml2 gives up on the tag.
        private func attributes(from start: Int) -> (end: Int, selfClosed: Bool, attributes: Range<Int>, unread: [Range<Int>])? {
            var cursor = start
            var unread: [Range<Int>] = []
            while true {
                while let byte = byte(at: cursor), isBlank(byte) { cursor += 1 }
                guard let byte = byte(at: cursor), !isControl(byte) else { return nil }
                if byte == UInt8(ascii: ">") { return (cursor + 1, false, start..<cursor, unread) }
                if byte == UInt8(ascii: "/"), self.byte(at: cursor + 1) == UInt8(ascii: ">") { return (cursor + 2, true, start..<cursor, unread) }
                if isNameStart(byte) {
                    let nameStart = cursor
                    defer { if !isKept(nameStart..<cursor) { unread.append(nameStart..<cursor) } }
                    while let next = self.byte(at: cursor), isNameByte(next) { cursor += 1 }
                    guard cursor - nameStart <= Self.longestName else { return nil }
                    var afterName = cursor
                    while let next = self.byte(at: afterName), isBlank(next) { afterName += 1 }
                    guard self.byte(at: afterName) == UInt8(ascii: "=") else { continue }
                    cursor = afterName + 1
                    while let next = self.byte(at: cursor), isBlank(next) { cursor += 1 }
                    if let quote = self.byte(at: cursor), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                        guard let close = index(of: quote, from: cursor + 1) else { return nil }
                        cursor = close + 1
                    } else {
                        while let next = self.byte(at: cursor), !isBlank(next), next != UInt8(ascii: ">") { cursor += 1 }
                    }
                } else {
                    // Not an attribute name: libxml2 skips it up to a blank or the tag's end.
                    while let next = self.byte(at: cursor), !isBlank(next), next != UInt8(ascii: ">"),
                          !(next == UInt8(ascii: "/") && self.byte(at: cursor + 1) == UInt8(ascii: ">")) { cursor += 1 }
                }
            }
        }

        private static let rawTextNames = ["script", "style"]
        /// The attribute names the tree builder keeps, as bytes.
        private static let keptNames = HTMLAttribute.allCases.map { Array($0.rawValue.utf8) }

        /// Whether the attribute whose text is `attribute` (name first) is one the tree keeps.
        private func isKept(_ attribute: Range<Int>) -> Bool {
            var nameEnd = attribute.lowerBound
            while nameEnd < attribute.upperBound, isNameByte(page[nameEnd]) { nameEnd += 1 }
            let length = nameEnd - attribute.lowerBound
            return Self.keptNames.contains { name in
                name.count == length && name.indices.allSatisfy { index in
                    let byte = page[attribute.lowerBound + index]
                    return (isUpper(byte) ? byte | 0x20 : byte) == name[index]
                }
            }
        }

        /// The first `</name` (any case) from `start`: where libxml2's raw text ends. Nil when
        /// that is the start of a longer name (`</scriptx`), which libxml2 reads as an end tag
        /// of its own and then goes on with the raw text.
        private func rawTextEnd(_ name: String, from start: Int) -> Int? {
            var cursor = start
            while let open = find("</", from: cursor) {
                if open + 2 + name.utf8.count <= page.count, asciiLowercasedEqual(open + 2, name) {
                    if let next = byte(at: open + 2 + name.utf8.count), isNameByte(next) { return nil }
                    return open
                }
                cursor = open + 1
            }
            return nil
        }

        private func contains(_ word: String, in range: Range<Int>) -> Bool {
            var cursor = range.lowerBound
            while cursor + word.utf8.count <= range.upperBound {
                if asciiLowercasedEqual(cursor, word) { return true }
                cursor += 1
            }
            return false
        }

        /// Whether the bytes at `start`, lower-cased, spell `word` (lower-case ASCII).
        private func asciiLowercasedEqual(_ start: Int, _ word: String) -> Bool {
            var cursor = start
            for expected in word.utf8 {
                guard let byte = byte(at: cursor), byte | (isUpper(byte) ? 0x20 : 0) == expected else { return false }
                cursor += 1
            }
            return true
        }

        private func startsWith(_ text: String, at start: Int) -> Bool {
            var cursor = start
            for expected in text.utf8 {
                guard byte(at: cursor) == expected else { return false }
                cursor += 1
            }
            return true
        }

        private func find(_ text: String, from start: Int, before limit: Int? = nil) -> Int? {
            guard let first = text.utf8.first else { return nil }
            var cursor = start
            while let candidate = index(of: first, from: cursor), candidate < limit ?? page.count {
                if startsWith(text, at: candidate) { return candidate }
                cursor = candidate + 1
            }
            return nil
        }

        /// memchr: most of the scan is looking for the next `<` or `>`.
        private func index(of target: UInt8, from start: Int) -> Int? {
            guard start < page.count, let base = page.baseAddress,
                  let found = memchr(base + start, Int32(target), page.count - start) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }

        /// libxml2 cuts longer tag and attribute names (HTML_PARSER_BUFFER_SIZE) and reads the
        /// rest as more attributes.
        private static let longestName = 100

        private func byte(at index: Int) -> UInt8? {
            index < page.count ? page[index] : nil
        }

        private func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
        private func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
        /// libxml2's htmlParseHTMLName: a letter, `_`, `:` or `.`, then also digits and `-`.
        private func isNameStart(_ byte: UInt8) -> Bool {
            isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
        }
        private func isNameByte(_ byte: UInt8) -> Bool {
            isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-")
        }
        private func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        /// Not a character to libxml2's IS_CHAR_CH.
        private func isControl(_ byte: UInt8) -> Bool { byte < 0x20 && !isBlank(byte) }
    }
}
