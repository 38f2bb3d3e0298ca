#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The character encoding of an HTML page, and its bytes re-encoded as UTF-8 for the parser.
///
/// The order follows how browsers decide: a byte-order mark, then the HTTP Content-Type, then a
/// `<meta charset>` or `http-equiv` declaration in the first 2 KB (unless the page is in fact
/// multi-byte UTF-8), then valid UTF-8, and windows-1252 (what browsers use for "latin1" too)
/// for anything else. ISO-8859-1 is read as windows-1252, as browsers do, which keeps the curly
/// quotes and dashes pages put in bytes 128–159.
enum HTMLCharset: Equatable {
    case utf8
    case utf16(bigEndian: Bool)
    case windows1252
    /// A declared encoding newsdrop does not decode itself (Shift_JIS, GB2312, KOI8-R …):
    /// iconv converts it.
    case other(String)

    /// What the page's bytes are and where the decision came from.
    struct Decision: Equatable {
        var charset: HTMLCharset
        /// How many leading bytes are a byte-order mark, skipped when decoding.
        var bomLength: Int
        /// Whether the whole input is well-formed UTF-8 (nil when nobody needed to know yet).
        var isValidUTF8: Bool? = nil
    }

    static func detect(_ bytes: [UInt8], contentType: String?) -> Decision {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return Decision(charset: .utf8, bomLength: 3) }
        if bytes.starts(with: [0xFF, 0xFE]) { return Decision(charset: .utf16(bigEndian: false), bomLength: 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return Decision(charset: .utf16(bigEndian: true), bomLength: 2) }
        if let label = contentType.flatMap({ charsetParameter(in: Array($0.utf8.prefix(512))[...]) }),
           let declared = fromLabel(label, inMeta: false) {
            return Decision(charset: declared, bomLength: 0)
        }
        let isUTF8 = isValidUTF8(bytes[...])
        if let label = metaDeclaration(bytes.prefix(2_048)), let declared = fromLabel(label, inMeta: true) {
            // Templates copied between sites often keep a stale declaration. A whole page of
            // well-formed multi-byte UTF-8 is UTF-8 whatever its <meta> says: legacy encodings
            // practically never produce it by chance.
            let staleDeclaration = declared != .utf8 && isUTF8 && UTF8Validation.containsMultiByteSequence(bytes[...])
            return Decision(charset: staleDeclaration ? .utf8 : declared, bomLength: 0, isValidUTF8: isUTF8)
        }
        return Decision(charset: isUTF8 ? .utf8 : .windows1252, bomLength: 0, isValidUTF8: isUTF8)
    }

    /// Whether `bytes` are well-formed UTF-8. Pages are mostly ASCII: words of eight ASCII
    /// bytes are skipped, and only the stretches between them are validated. A stretch starts
    /// and ends beside ASCII bytes, so it holds whole characters whenever the page is valid.
    static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.startIndex
        return bytes.withUnsafeBytes { raw in
            var offset = 0
            var stretch: Int?
            while offset + 8 <= raw.count {
                let isASCII = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                if isASCII, let from = stretch {
                    guard validates(bytes[(start + from)..<(start + offset)]) else { return false }
                    stretch = nil
                } else if !isASCII, stretch == nil {
                    stretch = offset
                }
                offset += 8
            }
            return validates(bytes[(start + (stretch ?? offset))...])
        }
    }

    /// The standard library's validator where the platform has it (in place, much faster on
    /// long text), newsdrop's own elsewhere.
    private static func validates(_ bytes: ArraySlice<UInt8>) -> Bool {
        if #available(macOS 26, *) { return (try? UTF8Span(validating: bytes.span)) != nil }
        return UTF8Validation.firstInvalidOffset(bytes) == nil
    }

    /// The charset a label names (WHATWG labels, the common subset). A `<meta>` that claims
    /// UTF-16 is read as UTF-8, as browsers do: a page that could be scanned as ASCII is not UTF-16.
    static func fromLabel(_ rawLabel: String, inMeta: Bool) -> HTMLCharset? {
        let label = rawLabel.lowercased()
        switch label {
        case "": return nil
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return .utf8
        case "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",
             "us-ascii", "ascii", "ansi_x3.4-1968", "iso-ir-100", "ibm819", "cp819", "csisolatin1":
            return .windows1252
        case "utf-16", "utf-16le", "unicode", "ucs-2", "utf-16be":
            return inMeta ? .utf8 : .utf16(bigEndian: label == "utf-16be")
        default:
            // Only characters a charset name can hold, so nothing odd reaches iconv.
            let isName = label.utf8.allSatisfy { $0 < 0x80 && (isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")) }
            return isName && label.utf8.count <= 40 ? .other(label) : nil
        }
    }

    /// The value of `charset=` in a Content-Type value or a `<meta>` tag, unquoted.
    static func charsetParameter(in bytes: ArraySlice<UInt8>) -> String? {
        let lowered = bytes.map(asciiLowercase)
        let key = Array("charset".utf8)
        var index = lowered.startIndex
        while let found = firstIndex(of: key, in: lowered, from: index) {
            var cursor = found + key.count
            while cursor < lowered.endIndex, lowered[cursor] == UInt8(ascii: " ") { cursor += 1 }
            guard cursor < lowered.endIndex, lowered[cursor] == UInt8(ascii: "=") else { index = found + 1; continue }
            cursor += 1
            while cursor < lowered.endIndex, lowered[cursor] == UInt8(ascii: " ") || lowered[cursor] == UInt8(ascii: "\"") || lowered[cursor] == UInt8(ascii: "'") {
                cursor += 1
            }
            let start = cursor
            while cursor < lowered.endIndex, !isLabelEnd(lowered[cursor]) { cursor += 1 }
            return String(decoding: lowered[start..<cursor], as: UTF8.self)
        }
        return nil
    }

    /// The charset declared by the first `<meta …charset…>` tag in `head`.
    private static func metaDeclaration(_ head: ArraySlice<UInt8>) -> String? {
        let lowered = head.map(asciiLowercase)
        let open = Array("<meta".utf8)
        var index = 0
        while let tagStart = firstIndex(of: open, in: lowered, from: index) {
            let tagEnd = lowered[tagStart...].firstIndex(of: UInt8(ascii: ">")) ?? lowered.endIndex
            if let label = charsetParameter(in: lowered[tagStart..<tagEnd]) { return label }
            index = tagEnd
        }
        return nil
    }

    private static func isLabelEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ")
            || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ",") || byte < 0x20
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

/// Re-encodes a page as UTF-8 without NUL bytes: a NUL is never text, and browsers drop it too.
enum HTMLTranscoder {
    /// The page as UTF-8, NUL-free. A charset iconv does not know either is read as UTF-8 or
    /// windows-1252, like an undeclared page.
    static func utf8Bytes(_ bytes: [UInt8], as decision: HTMLCharset.Decision) -> [UInt8] {
        let body = bytes[decision.bomLength...]
        switch decision.charset {
        case .utf8:
            // Repairs broken sequences with U+FFFD only when there are any: the common case is the bytes as they are.
            guard (decision.bomLength == 0 ? decision.isValidUTF8 : nil) ?? HTMLCharset.isValidUTF8(body) else { return withoutNULs(Array(String(decoding: body, as: UTF8.self).utf8)) }
            return withoutNULs(decision.bomLength == 0 ? bytes : Array(body))
        case .windows1252:
            return withoutNULs(windows1252ToUTF8(body))
        case .utf16(let bigEndian):
            return withoutNULs(utf16ToUTF8(body, bigEndian: bigEndian))
        case .other(let name):
            if let converted = iconvToUTF8(body, from: name) { return withoutNULs(converted) }
            let isUTF8 = HTMLCharset.isValidUTF8(body)
            return utf8Bytes(bytes, as: HTMLCharset.Decision(charset: isUTF8 ? .utf8 : .windows1252, bomLength: 0, isValidUTF8: isUTF8))
        }
    }

    /// `bytes` converted from `charset` by iconv; a sequence iconv cannot convert becomes
    /// U+FFFD and the conversion goes on after its first byte. Nil when iconv does not know the charset.
    private static func iconvToUTF8(_ bytes: ArraySlice<UInt8>, from charset: String) -> [UInt8]? {
        let converter = iconv_open("UTF-8", charset)
        guard let converter, converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        input.withUnsafeMutableBufferPointer { inputBuffer in
            chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                var inPointer = inputBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
                var inLeft = inputBuffer.count
                while inLeft > 0, inPointer != nil {
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(chunkBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                    var outLeft = chunkBuffer.count
                    let result = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                    output.append(contentsOf: chunkBuffer[0..<(chunkBuffer.count - outLeft)])
                    if result == -1 && errno != E2BIG {
                        // EILSEQ or a sequence cut off at the end (EINVAL): one replacement character per bad byte.
                        output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        inPointer = inPointer.map { $0 + 1 }
                        inLeft -= 1
                    }
                }
            }
        }
        return output
    }

    private static func withoutNULs(_ bytes: [UInt8]) -> [UInt8] {
        // memchr: a byte loop over every page costs more than the rest of this step.
        let hasNUL = bytes.withUnsafeBytes { raw in raw.baseAddress.map { memchr($0, 0, raw.count) != nil } ?? false }
        return hasNUL ? bytes.filter { $0 != 0 } : bytes
    }

    private static func windows1252ToUTF8(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                output.append(byte)
                continue
            }
            // The five bytes windows-1252 leaves undefined map to the C1 code point, as browsers do.
            let scalar = byte < 0xA0 ? TextDecoding.windows1252High[Int(byte - 0x80)] ?? Unicode.Scalar(byte) : Unicode.Scalar(byte)
            output.append(contentsOf: UTF8.encode(scalar)!)
        }
        return output
    }

    private static func utf16ToUTF8(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            units.append(UInt16(high) << 8 | UInt16(low))
            index += 2
        }
        // Unpaired surrogates become U+FFFD: a page with one bad character is still a page.
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }
}
