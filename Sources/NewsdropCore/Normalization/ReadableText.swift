import Foundation

/// Readable-text rules: how a body splits into paragraphs and how each paragraph is cleaned.
/// What comes out is what people read back from the database, so it stays close to the input.
enum ReadableText {
    /// The lines of a text, whatever its line-break convention: LF, CRLF, CR, VT, FF, NEL,
    /// U+2028 and U+2029 (the characters Swift calls newlines), found by scanning UTF-8 bytes.
    static func lines(_ text: String) -> [Substring] {
        var text = text
        let breaks: [(start: Int, length: Int)] = text.withUTF8 { bytes in
            var found: [(Int, Int)] = []
            var offset = 0
            while offset < bytes.count {
                let length = lineBreakLength(bytes, at: offset)
                if length > 0 {
                    found.append((offset, length))
                    offset += length
                } else {
                    offset += 1
                }
            }
            return found
        }
        let utf8 = text.utf8
        var lines: [Substring] = []
        lines.reserveCapacity(breaks.count + 1)
        var start = utf8.startIndex, startOffset = 0
        for (offset, length) in breaks {
            let end = utf8.index(start, offsetBy: offset - startOffset)
            lines.append(text[start..<end])
            start = utf8.index(end, offsetBy: length)
            startOffset = offset + length
        }
        lines.append(text[start..<utf8.endIndex])
        return lines
    }

    /// The length in bytes of the line break at `offset`, or 0 when there is none.
    private static func lineBreakLength(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
        func byte(_ ahead: Int) -> UInt8? { offset + ahead < bytes.count ? bytes[offset + ahead] : nil }
        switch bytes[offset] {
        case 0x0A, 0x0B, 0x0C: return 1
        case 0x0D: return byte(1) == 0x0A ? 2 : 1
        case 0xC2: return byte(1) == 0x85 ? 2 : 0
        case 0xE2: return byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9) ? 3 : 0
        default: return 0
        }
    }

    /// Splits a body into paragraphs. Blank lines separate paragraphs; inside a block, lines are
    /// joined when they look hard-wrapped (the line before is at most 100 characters and does
    /// not end a sentence) and kept apart otherwise, so one-paragraph-per-line files (as many
    /// scrapers write) stay readable. Lines for which `isDropped` is true (boilerplate) are
    /// removed before any joining, so they cannot hide inside a joined paragraph.
    static func paragraphs<Lines: Collection>(_ lines: Lines, dropping isDropped: (String) -> Bool) -> [String]
    where Lines.Element == Substring {
        var paragraphs: [String] = []
        var current = ""
        var previousLineWraps = false
        for rawLine in lines {
            let line = clean(rawLine)
            if line.isEmpty {
                if !current.isEmpty { paragraphs.append(current); current = "" }
                continue
            }
            if isDropped(line) { continue }
            if current.isEmpty {
                current = line
            } else if previousLineWraps {
                current += " " + line
            } else {
                paragraphs.append(current)
                current = line
            }
            previousLineWraps = isShort(line) && !endsSentence(line)
        }
        if !current.isEmpty { paragraphs.append(current) }
        return paragraphs
    }

    /// At most 100 characters. Counting characters walks grapheme clusters, which is slow on
    /// long paragraphs, so the UTF-8 length decides where it can: 100 bytes or fewer is short,
    /// and more than 400 bytes is long (a character outside clusters such as flags and joined
    /// emoji takes at most 4 bytes).
    private static func isShort(_ line: String) -> Bool {
        let bytes = line.utf8.count
        return bytes <= 100 || (bytes <= 400 && line.count <= 100)
    }

    /// True when the text ends with sentence punctuation, closing quotes and brackets aside.
    static func endsSentence(_ text: String) -> Bool {
        guard let last = text.last(where: { !closingMarks.contains($0) }) else { return false }
        return ".!?:;…".contains(last)
    }

    /// Quotes and brackets that may follow a sentence's final punctuation.
    static let closingMarks: Set<Character> = ["\"", "'", "\u{201D}", "\u{2019}", "\u{00BB}", ")", "]"]

    /// One line or paragraph cleaned for reading: Unicode NFC, control and zero-width characters
    /// removed, every run of white space (tabs, NBSP, …) made one space, ends trimmed. Works on
    /// the UTF-8 bytes in place; Foundation's NFC runs only for text that could change under it.
    static func clean<S: StringProtocol>(_ text: S) -> String {
        text.withUTF8Buffer(clean(utf8:))
    }

    /// `clean` over valid UTF-8 (a Swift string's bytes). Printable ASCII, nearly all of most
    /// articles, is copied a word at a time.
    private static func clean(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var pendingSpace = false, needsComposition = false
        var index = 0
        func keep(_ kept: Range<Int>) {
            if pendingSpace, !output.isEmpty { output.append(0x20) }
            pendingSpace = false
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[kept]))
        }
        while index < bytes.count {
            let lead = bytes[index]
            if lead > 0x20, lead < 0x7F {
                var end = index + 1
                while end < bytes.count, bytes[end] > 0x20, bytes[end] < 0x7F { end += 1 }
                keep(index..<end)
                index = end
                continue
            }
            if lead < 0x80 {
                // White space, or a control character, which is dropped.
                if lead == 0x20 || (0x09...0x0D).contains(lead) { pendingSpace = true }
                index += 1
                continue
            }
            // A multi-byte scalar: its length from the lead byte.
            let length = min(lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2, bytes.count - index)
            var value = UInt32(lead) & (0xFF >> (length + 1))
            for offset in 1..<max(length, 1) { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
            if isUnicodeWhitespace(value) {
                pendingSpace = true
            } else if let scalar = Unicode.Scalar(value), !isInvisible(scalar) {
                keep(index..<index + length)
                if !isStableUnderComposition(value) { needsComposition = true }
            }
            index += length
        }
        let cleaned = String(decoding: output, as: UTF8.self)
        return needsComposition ? cleaned.precomposedStringWithCanonicalMapping : cleaned
    }

    /// Unicode's White_Space property beyond ASCII.
    private static func isUnicodeWhitespace(_ value: UInt32) -> Bool {
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// Latin letters, general punctuation and currency signs: starters that NFC never changes
    /// (their only singletons, U+2000/2001, are white space and gone already). Text with only
    /// these needs no composition pass.
    private static func isStableUnderComposition(_ value: UInt32) -> Bool {
        switch value {
        case 0x80...0x24F, 0x2000...0x206F, 0x20A0...0x20CF: return true
        default: return false
        }
    }

    /// Zero-width spaces and joiners, word joiners, stray byte-order marks and soft hyphens.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD: return true
        default: return false
        }
    }
}
