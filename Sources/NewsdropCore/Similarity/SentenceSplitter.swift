/// Splits folded text into sentences (SPEC §2.3, `split_sentences`).
///
/// A line break always ends a sentence. Within a line, `.`, `!` or `?` plus any directly following
/// closing quotes, brackets or further terminators ends one when whitespace follows, except for a `.`
/// after a single letter, a dotted word ("U.S.", "a.m.") or a known abbreviation ("Mr.", "Jan.").
/// Sentences are reported as ranges of scalars with surrounding whitespace trimmed.
enum SentenceSplitter {
    static func sentences(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var sentences: [Range<Int>] = []
        var lineStart = 0
        while lineStart <= text.count {
            var lineEnd = lineStart
            while lineEnd < text.count && text[lineEnd] != "\n" { lineEnd += 1 }
            let line = trimmed(text, lineStart..<lineEnd)
            if !line.isEmpty { splitLine(text, line, &sentences) }
            lineStart = lineEnd + 1
        }
        return sentences
    }

    private static func splitLine(_ text: [Unicode.Scalar], _ line: Range<Int>, _ sentences: inout [Range<Int>]) {
        var start = line.lowerBound
        var index = line.lowerBound
        while index < line.upperBound {
            let scalar = text[index]
            guard isTerminator(scalar) else {
                index += 1
                continue
            }
            var end = index + 1
            while end < line.upperBound && (isClosing(text[end]) || isTerminator(text[end])) { end += 1 }
            if end < line.upperBound && ScalarClass.isSpace(text[end])
                && (scalar != "." || !isAbbreviatedWord(text, (start..<index))) {
                let sentence = trimmed(text, start..<end)
                if !sentence.isEmpty { sentences.append(sentence) }
                start = end
            }
            index = end
        }
        let sentence = trimmed(text, start..<line.upperBound)
        if !sentence.isEmpty { sentences.append(sentence) }
    }

    /// Whether the word that ends just before a "." (back to whitespace, not before the sentence start)
    /// makes the "." part of the word: a single letter, a word with an inner ".", or an abbreviation.
    /// Leading and trailing `"'([` are ignored, as is case.
    private static func isAbbreviatedWord(_ text: [Unicode.Scalar], _ before: Range<Int>) -> Bool {
        var lower = before.upperBound
        while lower > before.lowerBound && !ScalarClass.isSpace(text[lower - 1]) { lower -= 1 }
        var upper = before.upperBound
        while lower < upper && isWordWrapper(text[lower]) { lower += 1 }
        while upper > lower && isWordWrapper(text[upper - 1]) { upper -= 1 }
        let word = text[lower..<upper]
        if word.count == 1, let only = word.first {
            // Lower-casing never shortens a word, so only a one-scalar word can be one letter.
            let lowered = only.properties.lowercaseMapping.unicodeScalars
            if lowered.count == 1, let letter = lowered.first, ScalarClass.isLetter(letter) { return true }
        }
        if word.contains(".") { return true }
        // After NFKC no non-ASCII scalar lower-cases to ASCII (the Kelvin sign is already "K"), so only
        // ASCII words can be abbreviations.
        guard word.count <= 16 else { return false }
        var bytes: [UInt8] = []
        for scalar in word {
            guard scalar.isASCII else { return false }
            bytes.append(WordBuffer.asciiLowercase(UInt8(scalar.value)))
        }
        return SimilarityLexicon.abbreviations.contains(bytes, 0..<bytes.count)
    }

    private static func trimmed(_ text: [Unicode.Scalar], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && ScalarClass.isSpace(text[lower]) { lower += 1 }
        while upper > lower && ScalarClass.isSpace(text[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    @inline(__always)
    private static func isTerminator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "." || scalar == "!" || scalar == "?"
    }

    @inline(__always)
    private static func isClosing(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\"" || scalar == "'" || scalar == ")" || scalar == "]"
    }

    @inline(__always)
    private static func isWordWrapper(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\"" || scalar == "'" || scalar == "(" || scalar == "["
    }
}
