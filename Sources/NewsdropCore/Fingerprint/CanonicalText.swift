import Foundation

/// The form of a text that fingerprints are taken from: what is left when typography, case and
/// spacing are set aside, so copies that differ only in those are the same text.
///
/// NFKC (so "ﬁ" is "fi" and full-width digits are digits), case-folded, apostrophes removed
/// (so "Moscow's", "Moscow’s" and "Moscows" agree), and every other character that is not a
/// letter, digit or combining mark acts as a word separator; words are joined by single spaces.
/// Quotes, dashes and punctuation therefore all vanish into the separators.
public enum CanonicalText {
    public static func make(_ text: String) -> String {
        if let plain = text.withUTF8Buffer({ $0.isASCII ? fromASCII($0) : nil }) { return plain }
        if let plain = fromTypographicASCII(text) { return plain }
        // Case folding, not lower-casing: "ΟΔΟΣ" and "οδος" agree (final sigma), as do "STRASSE" and "straße".
        let folded = text.precomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
        var output = String.UnicodeScalarView()
        var pendingSeparator = false
        for scalar in folded.unicodeScalars {
            if isApostrophe(scalar) { continue }
            if isWordScalar(scalar) {
                if pendingSeparator, !output.isEmpty { output.append(" ") }
                pendingSeparator = false
                output.append(scalar)
            } else {
                pendingSeparator = true
            }
        }
        return String(output)
    }

    /// The same rules on ASCII bytes, without the Unicode tables: the common case, made cheap.
    private static func fromASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var words = ASCIIWords(capacity: bytes.count)
        for byte in bytes { words.append(byte) }
        return words.text
    }

    /// English news is ASCII letters with typographic punctuation (curly quotes, dashes, no-break
    /// spaces, ellipses): for such text the rules need no Unicode tables, because that
    /// punctuation only separates words (or, for apostrophes, vanishes) before and after NFKC.
    /// Nil as soon as a letter or digit outside ASCII appears: the full path handles those.
    private static func fromTypographicASCII(_ text: String) -> String? {
        var words = ASCIIWords(capacity: text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                words.append(UInt8(value))
            } else if isApostrophe(scalar) {
                continue
            } else if isTypographicSeparator(value) {
                words.separate()
            } else {
                return nil
            }
        }
        return words.text
    }

    /// The canonical rules for ASCII characters, shared by both fast paths: letters lower-cased,
    /// digits kept, apostrophes dropped, anything else a word separator.
    private struct ASCIIWords {
        private var output: [UInt8] = []
        private var pendingSeparator = false

        init(capacity: Int) {
            output.reserveCapacity(capacity)
        }

        mutating func append(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "'"):
                return
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "A")...UInt8(ascii: "Z"):
                if pendingSeparator, !output.isEmpty { output.append(UInt8(ascii: " ")) }
                pendingSeparator = false
                output.append(byte | (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? 0x20 : 0))
            default:
                separate()
            }
        }

        mutating func separate() {
            pendingSeparator = true
        }

        var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// Non-ASCII punctuation and spaces that stay word separators under NFKC and case folding:
    /// no-break spaces, guillemets, dashes, curly double quotes, bullets, ellipses and the like.
    private static func isTypographicSeparator(_ value: UInt32) -> Bool {
        switch value {
        case 0x00A0, 0x00AB, 0x00BB, 0x00B7, 0x2002...0x200A, 0x2010...0x2015, 0x201A...0x201F, 0x2022, 0x2026,
             0x2039, 0x203A, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    private static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x27, 0x2018, 0x2019, 0x02BC, 0x2032, 0xFF07: return true
        default: return false
        }
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
