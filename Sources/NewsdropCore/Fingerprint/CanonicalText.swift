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
        let utf8 = text.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            return fromASCII(utf8)
        }
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
    private static func fromASCII(_ bytes: String.UTF8View) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var pendingSeparator = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "'"):
                continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "A")...UInt8(ascii: "Z"):
                if pendingSeparator, !output.isEmpty { output.append(UInt8(ascii: " ")) }
                pendingSeparator = false
                output.append(byte | (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? 0x20 : 0))
            default:
                pendingSeparator = true
            }
        }
        return String(decoding: output, as: UTF8.self)
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
