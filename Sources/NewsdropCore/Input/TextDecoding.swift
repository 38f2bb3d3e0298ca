/// Turns the bytes of an input file into text, or says precisely why they are not text.
///
/// Order of decisions: a byte-order mark (UTF-8, UTF-16 LE/BE) decides the encoding; otherwise a
/// NUL byte means binary; valid UTF-8 is UTF-8; bytes that are not UTF-8 are read as
/// windows-1252 — unless the file also holds well-formed multi-byte UTF-8, which means it is
/// UTF-8 with corruption, not a legacy encoding. Text that is mostly control characters is
/// rejected as binary.
public enum TextDecoding {
    public static func decode(_ bytes: [UInt8]) throws(IngestFailure) -> String {
        guard !bytes.isEmpty else { throw IngestFailure(.decode, "empty file") }

        let text: String
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            let body = bytes.dropFirst(3)
            if let offset = UTF8Validation.firstInvalidOffset(body) {
                throw IngestFailure(.decode, "invalid UTF-8 at byte \(offset + 3) after a UTF-8 byte-order mark")
            }
            text = String(decoding: body, as: UTF8.self)
        } else if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            text = try decodeUTF16(bytes.dropFirst(2), bigEndian: bytes[0] == 0xFE)
        } else if let nul = bytes.firstIndex(of: 0) {
            throw IngestFailure(.decode, "binary content: NUL byte at offset \(nul) (UTF-16 text needs a byte-order mark)")
        } else if let invalid = UTF8Validation.firstInvalidOffset(bytes[...]) {
            if UTF8Validation.containsMultiByteSequence(bytes[...]) {
                throw IngestFailure(.decode, "invalid UTF-8 at byte \(invalid)")
            }
            text = try decodeWindows1252(bytes)
        } else {
            text = String(decoding: bytes, as: UTF8.self)
        }
        try rejectControlCharacters(text)
        return text
    }

    private static func decodeUTF16(_ body: ArraySlice<UInt8>, bigEndian: Bool) throws(IngestFailure) -> String {
        guard body.count % 2 == 0 else {
            throw IngestFailure(.decode, "invalid UTF-16: odd number of bytes (\(body.count + 2))")
        }
        var units: [UInt16] = []
        units.reserveCapacity(body.count / 2)
        var index = body.startIndex
        while index < body.endIndex {
            let (high, low) = bigEndian ? (body[index], body[index + 1]) : (body[index + 1], body[index])
            units.append(UInt16(high) << 8 | UInt16(low))
            index += 2
        }
        var scalars = String.UnicodeScalarView()
        var iterator = units.makeIterator()
        var decoder = UTF16()
        var unitOffset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalars.append(scalar)
                unitOffset += scalar.value > 0xFFFF ? 2 : 1
            case .emptyInput:
                return String(scalars)
            case .error:
                throw IngestFailure(.decode, "invalid UTF-16: unpaired surrogate at byte \(2 + unitOffset * 2)")
            }
        }
    }

    private static func decodeWindows1252(_ bytes: [UInt8]) throws(IngestFailure) -> String {
        var scalars = String.UnicodeScalarView()
        for (offset, byte) in bytes.enumerated() {
            if byte < 0x80 || byte >= 0xA0 {
                scalars.append(Unicode.Scalar(byte))
            } else if let scalar = windows1252High[Int(byte - 0x80)] {
                scalars.append(scalar)
            } else {
                throw IngestFailure(.decode, "invalid UTF-8 at byte \(offset), and byte 0x\(String(byte, radix: 16, uppercase: true)) is not windows-1252 either")
            }
        }
        return String(scalars)
    }

    /// Windows-1252 for 0x80–0x9F; nil marks the five bytes it leaves undefined.
    static let windows1252High: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]

    /// Text whose control characters (other than tab, line breaks and form feed) exceed 1% of
    /// its characters is binary that happened to decode.
    private static func rejectControlCharacters(_ text: String) throws(IngestFailure) {
        // Counted on the UTF-8 bytes: every control character is one ASCII byte, and every
        // character starts with one byte that is not a continuation byte (10xxxxxx).
        let (controls, total) = text.withUTF8Buffer { bytes in
            var controls = 0, total = 0
            for byte in bytes {
                if byte & 0xC0 != 0x80 { total += 1 }
                if byte < 0x80, isStrayControl(Unicode.Scalar(byte)) { controls += 1 }
            }
            return (controls, total)
        }
        if controls * 100 > total {
            throw IngestFailure(.decode, "binary content: \(controls) control characters in \(total)")
        }
    }

    static func isStrayControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0C, 0x0D: return false
        case 0x00...0x1F, 0x7F: return true
        default: return false
        }
    }
}

/// Byte-level UTF-8 checks that report where the text went wrong.
enum UTF8Validation {
    /// The offset (from the slice's start) of the first byte that is not part of a well-formed
    /// UTF-8 sequence, or nil when the whole slice is valid.
    static func firstInvalidOffset(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let length = sequenceLength(bytes, at: index)
            if length == 0 { return index - bytes.startIndex }
            index += length
        }
        return nil
    }

    static func containsMultiByteSequence(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let length = sequenceLength(bytes, at: index)
            if length > 1 { return true }
            index += max(length, 1)
        }
        return false
    }

    /// The length of the well-formed sequence starting at `index`, or 0 when there is none
    /// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
    private static func sequenceLength(_ bytes: ArraySlice<UInt8>, at index: Int) -> Int {
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        let length: Int, secondRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
        default: return 0
        }
        guard index + length <= bytes.endIndex, secondRange.contains(bytes[index + 1]) else { return 0 }
        for continuation in bytes[(index + 2)..<(index + length)] where continuation & 0xC0 != 0x80 {
            return 0
        }
        return length
    }
}
