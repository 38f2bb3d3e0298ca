import Foundation

/// An article's text after canonicalisation (SPEC §2.1, `fold`), as Unicode scalars: the reference
/// prototype indexes code points, so every rule (sentence ends, token runs, lengths) is stated per scalar.
struct FoldedText {
    let scalars: [Unicode.Scalar]
    /// Scalars before this index belong to the title (title block of SPEC §5.1).
    let titleEnd: Int

    /// The document text is `title + "\n" + body` when there is a (non-empty) title. Title and body are
    /// folded apart: a line feed never composes under NFKC, so this equals folding the joined text.
    init(title: String?, body: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity((title?.utf8.count ?? 0) + body.utf8.count + 1)
        if let title, !title.isEmpty {
            Self.fold(title, into: &scalars)
            titleEnd = scalars.count
            scalars.append("\n")
        } else {
            titleEnd = 0
        }
        Self.fold(body, into: &scalars)
        self.scalars = scalars
    }

    /// NFKC, then the quote, dash and space mappings. After NFKC every mapping is one scalar to one
    /// (NFKC has already turned U+00A0 into a space and U+2026 into "..."), so it is applied in place.
    static func fold(_ text: String, into output: inout [Unicode.Scalar]) {
        let start = output.count
        CompatibilityNormalization.append(text, to: &output)
        for index in start..<output.count where !output[index].isASCII || output[index] == "`" {
            switch output[index].value {
            case 0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x60, 0xB4: output[index] = "'"
            case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033, 0xAB, 0xBB: output[index] = "\""
            case 0x2010...0x2015, 0x2212: output[index] = "-"
            case 0xA0: output[index] = " "
            default: break
            }
        }
    }
}

/// Character classes with the reference's (Python's) per-code-point meaning.
enum ScalarClass {
    /// Python `str.isalnum`: general category L* or N*. Decided per scalar rather than per `Character`
    /// so that a combining mark ends a token exactly where the reference ends it.
    @inline(__always)
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) || (value >= 0x30 && value <= 0x39)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Python `str.isalpha` for one scalar: general category L*.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Python `str.isspace`: Unicode White_Space plus the ASCII information separators U+001C–U+001F.
    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) || (value >= 0x1C && value <= 0x1F) }
        return scalar.properties.isWhitespace
    }
}
