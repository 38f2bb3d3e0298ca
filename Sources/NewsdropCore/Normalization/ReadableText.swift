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
            previousLineWraps = line.count <= 100 && !endsSentence(line)
        }
        if !current.isEmpty { paragraphs.append(current) }
        return paragraphs
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
    /// UTF-8 bytes; Foundation's NFC runs only for text that could change under it.
    static func clean<S: StringProtocol>(_ text: S) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false, needsComposition = false
        var bytes = text.utf8.makeIterator()
        while let lead = bytes.next() {
            var value = UInt32(lead)
            var encoded = (count: 1, bytes: (lead, UInt8(0), UInt8(0), UInt8(0)))
            if lead >= 0x80 {
                // A multi-byte scalar (a Swift string is valid UTF-8): its length from the lead byte.
                let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
                value = UInt32(lead) & (0xFF >> (length + 1))
                while encoded.count < length, let next = bytes.next() {
                    switch encoded.count {
                    case 1: encoded.bytes.1 = next
                    case 2: encoded.bytes.2 = next
                    default: encoded.bytes.3 = next
                    }
                    value = value << 6 | UInt32(next & 0x3F)
                    encoded.count += 1
                }
            }
            let isWhitespace = value < 0x80 ? value == 0x20 || (0x09...0x0D).contains(value) : isUnicodeWhitespace(value)
            if isWhitespace {
                pendingSpace = true
                continue
            }
            guard let scalar = Unicode.Scalar(value), !TextDecoding.isStrayControl(scalar), !isInvisible(scalar) else { continue }
            if pendingSpace, !output.isEmpty { output.append(0x20) }
            pendingSpace = false
            withUnsafeBytes(of: encoded.bytes) { output.append(contentsOf: $0.prefix(encoded.count)) }
            if value >= 0x80, !isStableUnderComposition(value) { needsComposition = true }
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
