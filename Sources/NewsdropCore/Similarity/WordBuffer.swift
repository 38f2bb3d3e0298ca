/// A word token (SPEC §2.2): where its lower-cased UTF-8 lies in a `WordBuffer`, plus the facts about
/// its written form that story weighting (SPEC §5.1) needs.
struct WordToken {
    /// Range of the lower-cased token in `WordBuffer.bytes`.
    var bytes: Range<Int>
    /// Length in scalars of the lower-cased token (Python `len(t.lower())`).
    var length: Int
    /// Length in scalars of the token as written.
    var writtenLength: Int
    /// The first scalar is upper-case.
    var startsUpper: Bool
    /// Python `str.isupper`: some upper-case scalar and no lower- or title-case one.
    var isAllUpper: Bool
    /// Python `str.isdigit`: every scalar is a (decimal) digit.
    var isAllDigits: Bool
}

/// The tokens of an article, sentence by sentence, with their lower-cased UTF-8 in one flat buffer so
/// hashing shingles and terms needs no per-token allocation.
struct WordBuffer {
    /// The tokens' bytes, each token's at its `WordToken.bytes`; past `byteCount` the buffer is
    /// room not yet written, which no token range reaches.
    private(set) var bytes: [UInt8]
    private var byteCount = 0
    var tokens: [WordToken] = []

    /// `capacity`: the scalars of the text to be tokenised, which is room for all of its bytes
    /// when the text is ASCII (a token's lower-cased ASCII has a byte per scalar).
    init(capacity: Int) {
        bytes = Array(repeating: 0, count: capacity)
        tokens.reserveCapacity(capacity / 5)
    }

    /// Appends the tokens of `range`: maximal runs of letters and digits, where an apostrophe between two
    /// of them is dropped and the run continues ("Russia's" is "russias", "don't" is "dont").
    mutating func appendTokens(of text: [Unicode.Scalar], in range: Range<Int>) {
        // One buffer pointer for the whole sentence, instead of a bounds check per scalar and an
        // array slice per token: 11% fewer instructions in tokenising (callgrind, `stages`).
        text.withUnsafeBufferPointer { text in
            var index = range.lowerBound
            while index < range.upperBound {
                guard ScalarClass.isWord(text[index]) else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < range.upperBound {
                    if ScalarClass.isWord(text[end]) {
                        end += 1
                    } else if text[end] == "'" && end + 1 < range.upperBound && ScalarClass.isWord(text[end + 1]) {
                        end += 2
                    } else {
                        break
                    }
                }
                appendToken(text, index..<end)
                index = end
            }
        }
    }

    /// `run` holds word scalars and inner apostrophes; the apostrophes are not part of the token.
    private mutating func appendToken(_ text: UnsafeBufferPointer<Unicode.Scalar>, _ run: Range<Int>) {
        for index in run where text[index].value >= 0x80 {
            appendUnicodeToken(text, run)
            return
        }
        // ASCII, nearly every token: the bytes are written through one pointer into room made
        // in advance, where appending them one at a time checked the buffer's uniqueness and
        // capacity per byte.
        makeRoom(for: run.count)
        let start = byteCount
        var hasUpper = false, hasLower = false, allDigits = true, length = 0
        bytes.withUnsafeMutableBufferPointer { out in
            for index in run where text[index] != "'" {
                let byte = UInt8(truncatingIfNeeded: text[index].value)
                hasUpper = hasUpper || Self.isASCIIUpper(byte)
                hasLower = hasLower || (byte >= 0x61 && byte <= 0x7A)
                allDigits = allDigits && byte >= 0x30 && byte <= 0x39
                out[start + length] = Self.asciiLowercase(byte)
                length += 1
            }
        }
        byteCount += length
        tokens.append(WordToken(bytes: start..<byteCount, length: length, writtenLength: length,
                                startsUpper: Self.isASCIIUpper(UInt8(truncatingIfNeeded: text[run.lowerBound].value)),
                                isAllUpper: hasUpper && !hasLower, isAllDigits: allDigits))
    }

    /// A token with a scalar outside ASCII: lower-cased and classified through Unicode's
    /// properties, as Python's `str.lower`, `isupper` and `isdigit` do.
    private mutating func appendUnicodeToken(_ text: UnsafeBufferPointer<Unicode.Scalar>, _ run: Range<Int>) {
        let start = byteCount
        var hasUpper = false, hasLowerOrTitle = false, allDigits = true, length = 0, writtenLength = 0
        for index in run where text[index] != "'" {
            let properties = text[index].properties
            hasUpper = hasUpper || properties.isUppercase
            hasLowerOrTitle = hasLowerOrTitle || properties.isLowercase || properties.generalCategory == .titlecaseLetter
            allDigits = allDigits && (properties.numericType == .decimal || properties.numericType == .digit)
            writtenLength += 1
            if text[index] == "\u{03A3}" {
                // Python lower-cases a capital sigma to the final form at the end of a word.
                let sigma: Unicode.Scalar = Self.isFinalSigma(text, run, at: index) ? "\u{03C2}" : "\u{03C3}"
                UTF8.encode(sigma) { append($0) }
                length += 1
            } else {
                for lowered in properties.lowercaseMapping.unicodeScalars {
                    UTF8.encode(lowered) { append($0) }
                    length += 1
                }
            }
        }
        tokens.append(WordToken(bytes: start..<byteCount, length: length, writtenLength: writtenLength,
                                startsUpper: text[run.lowerBound].properties.isUppercase,
                                isAllUpper: hasUpper && !hasLowerOrTitle, isAllDigits: allDigits))
    }

    private mutating func append(_ byte: UInt8) {
        makeRoom(for: 1)
        bytes[byteCount] = byte
        byteCount += 1
    }

    /// At least `count` bytes of room past `byteCount`, doubling the buffer when it lacks them.
    private mutating func makeRoom(for count: Int) {
        let missing = byteCount + count - bytes.count
        if missing > 0 { bytes.append(contentsOf: repeatElement(0, count: max(missing, bytes.count))) }
    }

    /// Unicode's Final_Sigma context within the token: a cased letter before (skipping case-ignorables)
    /// and none after.
    private static func isFinalSigma(_ text: UnsafeBufferPointer<Unicode.Scalar>, _ run: Range<Int>, at index: Int) -> Bool {
        func isCased(_ scalar: Unicode.Scalar?) -> Bool { scalar?.properties.isCased ?? false }
        let before = text[run.lowerBound..<index].last { $0 != "'" && !$0.properties.isCaseIgnorable }
        let after = text[(index + 1)..<run.upperBound].first { $0 != "'" && !$0.properties.isCaseIgnorable }
        return isCased(before) && !isCased(after)
    }

    @inline(__always)
    static func isASCIIUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    @inline(__always)
    static func asciiLowercase(_ byte: UInt8) -> UInt8 { isASCIIUpper(byte) ? byte | 0x20 : byte }
}
