/// The reference's tiny suffix stripper (SPEC §2.4), on lower-cased UTF-8.
///
/// Every rule removes an ASCII suffix, and only "ies" → "y" adds anything, so a stem is always a prefix
/// of the word, possibly followed by "y": it is described, not built.
struct TermStem: Equatable {
    /// Bytes of the word the stem keeps.
    var prefix: Int
    /// Whether "y" follows the prefix.
    var appendsY: Bool

    /// A term left as written: numbers are not stemmed.
    static func unchanged(_ word: Range<Int>) -> TermStem {
        TermStem(prefix: word.count, appendsY: false)
    }

    private init(prefix: Int, appendsY: Bool) {
        self.prefix = prefix
        self.appendsY = appendsY
    }

    /// Stems `word` (lower-cased UTF-8) of `length` scalars. Lengths are in scalars, as in the reference;
    /// removing an ASCII suffix shortens bytes and scalars alike.
    init(_ bytes: [UInt8], _ word: Range<Int>, length: Int) {
        // Suffix checks take the current end as an argument: a nested function capturing a `var` would
        // box it and pay a dynamic exclusivity check on every call.
        func endsWith(_ suffix: StaticString, _ end: Int) -> Bool {
            let count = suffix.utf8CodeUnitCount
            guard end - word.lowerBound >= count else { return false }
            return (0..<count).allSatisfy { bytes[end - count + $0] == suffix.utf8Start[$0] }
        }
        var end = word.upperBound
        // 1. plurals
        if length >= 5 && endsWith("ies", end) {
            // The stem now ends in "y", which none of the later rules touch.
            self.init(prefix: end - 3 - word.lowerBound, appendsY: true)
            return
        } else if length >= 5 && endsWith("sses", end) {
            end -= 2
        } else if length >= 4 && endsWith("s", end) && !endsWith("ss", end) && !endsWith("us", end) && !endsWith("is", end) {
            end -= 1
        }
        // 2. verb endings
        let afterPlural = length - (word.upperBound - end)
        if afterPlural >= 6 && endsWith("ing", end) {
            end -= 3
        } else if afterPlural >= 5 && endsWith("ed", end) {
            end -= 2
        }
        // 3. silent e
        if length - (word.upperBound - end) >= 5 && endsWith("e", end) { end -= 1 }
        self.init(prefix: end - word.lowerBound, appendsY: false)
    }

    /// th(stem), hashed straight from the word's bytes; `start` continues an FNV hash (for bigrams).
    func hash(_ bytes: [UInt8], _ word: Range<Int>, continuing start: UInt64 = SimilarityHash.fnvOffsetBasis) -> UInt64 {
        var hash = start
        for index in word.lowerBound..<(word.lowerBound + prefix) { hash = SimilarityHash.fnv1a64(hash, bytes[index]) }
        return appendsY ? SimilarityHash.fnv1a64(hash, UInt8(ascii: "y")) : hash
    }

    /// The stem as text (for explain).
    func string(_ bytes: [UInt8], _ word: Range<Int>) -> String {
        String(decoding: bytes[word.lowerBound..<(word.lowerBound + prefix)], as: UTF8.self) + (appendsY ? "y" : "")
    }
}
