import Foundation

/// Readable-text rules: how a body splits into paragraphs and how each paragraph is cleaned.
/// What comes out is what people read back from the database, so it stays close to the input.
enum ReadableText {
    /// The lines of a text, whatever its line-break convention (LF, CRLF, CR, U+2028/2029).
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0.isNewline }
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
    /// removed, every run of white space (tabs, NBSP, …) made one space, ends trimmed.
    static func clean<S: StringProtocol>(_ text: S) -> String {
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            // ASCII is decided without the Unicode property tables (the common case, made cheap).
            let isWhitespace = scalar.value < 0x80 ? scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value)
                : scalar.properties.isWhitespace
            if isWhitespace {
                pendingSpace = true
            } else if TextDecoding.isStrayControl(scalar) || isInvisible(scalar) {
                continue
            } else {
                if pendingSpace, !output.isEmpty { output.append(" ") }
                pendingSpace = false
                output.append(scalar)
            }
        }
        let cleaned = String(output)
        return cleaned.utf8.allSatisfy { $0 < 0x80 } ? cleaned : cleaned.precomposedStringWithCanonicalMapping
    }

    /// Zero-width spaces and joiners, word joiners, stray byte-order marks and soft hyphens.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD: return true
        default: return false
        }
    }
}
