/// Text as Python sees it: a sequence of code points. The generator works on these rather than on
/// `String`, whose grapheme clusters and canonical equivalence would make lengths, cut positions
/// and replacements differ from synth.py's on accented or combining text.
typealias CodePoints = [Unicode.Scalar]

extension String {
    var codePoints: CodePoints { Array(unicodeScalars) }
}

extension Array where Element == Unicode.Scalar {
    var string: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: self)
        return String(view)
    }

    /// Python's `str.strip()`.
    func strippingSpace() -> CodePoints {
        guard let first = firstIndex(where: { !$0.isPythonSpace }) else { return [] }
        let last = lastIndex(where: { !$0.isPythonSpace })!
        return Array(self[first...last])
    }

    /// Python's `str.rstrip()`.
    func strippingTrailingSpace() -> CodePoints {
        guard let last = lastIndex(where: { !$0.isPythonSpace }) else { return [] }
        return Array(self[...last])
    }

    /// Python's `str.split("\n")`: empty lines are kept.
    var lines: [CodePoints] {
        split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
    }

    /// How often `part` occurs without overlaps (Python's `str.count`).
    func occurrences(of part: CodePoints) -> Int {
        ranges(of: part).count
    }

    /// Python's `str.lower()` and `str.upper()` (full case mappings: "ß" upper-cases to "SS").
    var lowercased: CodePoints { string.lowercased().codePoints }
    var uppercased: CodePoints { string.uppercased().codePoints }

    /// The same text with its first code point lower- or upper-cased.
    var withFirstLowercased: CodePoints { isEmpty ? self : [self[0]].lowercased + dropFirst() }
    var withFirstUppercased: CodePoints { isEmpty ? self : [self[0]].uppercased + dropFirst() }

    /// Python's `str.isupper()`: at least one cased code point, and no lower- or title-case one.
    var isPythonUppercase: Bool {
        var cased = false
        for scalar in self {
            if scalar.properties.isLowercase || scalar.properties.generalCategory == .titlecaseLetter { return false }
            if scalar.properties.isUppercase { cased = true }
        }
        return cased
    }

    /// The spans matching synth.py's word pattern `[A-Za-z][A-Za-z'’]*`.
    var wordRanges: [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = 0
        while i < count {
            guard self[i].isASCIILetter else { i += 1; continue }
            var end = i + 1
            while end < count, self[end].isASCIILetter || self[end] == "'" || self[end] == "\u{2019}" { end += 1 }
            ranges.append(i..<end)
            i = end
        }
        return ranges
    }

    /// Python's `re.sub(WORD, f, text)`, with each word's index among the matches.
    func mappingWords(_ transform: (_ index: Int, _ word: CodePoints) -> CodePoints) -> CodePoints {
        var output = CodePoints()
        output.reserveCapacity(count)
        var last = 0
        for (index, range) in wordRanges.enumerated() {
            output += self[last..<range.lowerBound]
            output += transform(index, Array(self[range]))
            last = range.upperBound
        }
        return output + self[last...]
    }

    /// The spans matching `\n\s*\n`, synth.py's paragraph break: a line break, white space, and
    /// the last line break in that white space (the regular expression's `\s*` is greedy).
    var blankLineBreaks: [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = 0
        while i < count {
            if self[i] == "\n" {
                var end = i + 1
                var lastBreak: Int?
                while end < count, self[end].isPythonSpace {
                    if self[end] == "\n" { lastBreak = end }
                    end += 1
                }
                if let lastBreak {
                    ranges.append(i..<lastBreak + 1)
                    i = lastBreak + 1
                    continue
                }
            }
            i += 1
        }
        return ranges
    }

    /// Python's `re.split(r"\n\s*\n", text)`.
    var splitAtBlankLines: [CodePoints] {
        var pieces: [CodePoints] = []
        var start = 0
        for range in blankLineBreaks {
            pieces.append(Array(self[start..<range.lowerBound]))
            start = range.upperBound
        }
        pieces.append(Array(self[start...]))
        return pieces
    }

    /// synth.py's `paragraphs`: the pieces between blank lines that hold more than white space.
    var paragraphs: [CodePoints] {
        splitAtBlankLines.filter { !$0.strippingSpace().isEmpty }
    }
}

extension Unicode.Scalar {
    /// Python's `str.isspace()`: Unicode White_Space plus the information separators U+001C…U+001F.
    var isPythonSpace: Bool {
        properties.isWhitespace || (0x1C...0x1F).contains(value)
    }

    /// Python's `str.isalpha()`: a letter of any general category L*.
    var isPythonAlpha: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    var isASCIILetter: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self)
    }
}
