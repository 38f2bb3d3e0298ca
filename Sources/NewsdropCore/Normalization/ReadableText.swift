import Foundation

/// Readable-text rules: how a body splits into paragraphs and how each paragraph is cleaned.
/// What comes out is what people read back from the database, so it stays close to the input.
enum ReadableText {
    /// The lines of a text, whatever its line-break convention: LF, CRLF, CR, VT, FF, NEL,
    /// U+2028 and U+2029 (the characters Swift calls newlines), found by scanning UTF-8 bytes.
    static func lines(_ text: String) -> [Substring] {
        let utf8 = text.utf8
        var lines: [Substring] = []
        var start = utf8.startIndex, index = start
        while index != utf8.endIndex {
            let length = lineBreakLength(utf8, at: index)
            if length == 0 {
                index = utf8.index(after: index)
            } else {
                lines.append(text[start..<index])
                index = utf8.index(index, offsetBy: length)
                start = index
            }
        }
        lines.append(text[start..<utf8.endIndex])
        return lines
    }

    /// The length in bytes of the line break at `index`, or 0 when there is none.
    private static func lineBreakLength(_ utf8: String.UTF8View, at index: String.Index) -> Int {
        func byte(after offset: Int) -> UInt8? {
            guard let position = utf8.index(index, offsetBy: offset, limitedBy: utf8.endIndex), position != utf8.endIndex
            else { return nil }
            return utf8[position]
        }
        switch utf8[index] {
        case 0x0A, 0x0B, 0x0C: return 1
        case 0x0D: return byte(after: 1) == 0x0A ? 2 : 1
        case 0xC2: return byte(after: 1) == 0x85 ? 2 : 0
        case 0xE2: return byte(after: 1) == 0x80 && (byte(after: 2) == 0xA8 || byte(after: 2) == 0xA9) ? 3 : 0
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
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let isWhitespace = value < 0x80 ? value == 0x20 || (0x09...0x0D).contains(value) : isUnicodeWhitespace(value)
            if isWhitespace {
                pendingSpace = true
                continue
            }
            if TextDecoding.isStrayControl(scalar) || isInvisible(scalar) { continue }
            if pendingSpace, !output.isEmpty { output.append(0x20) }
            pendingSpace = false
            if value < 0x80 {
                output.append(UInt8(value))
            } else {
                UTF8.encode(scalar) { output.append($0) }
                if !isStableUnderComposition(value) { needsComposition = true }
            }
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
