/// textproc.py's `split_sentences`, which synth.py uses to pick sentences to drop, insert and
/// reorder. It is the prototype's rule (SPEC §2.3), ported here rather than taken from
/// NewsdropCore so the generator stays independent of the detector it measures.
enum SentenceSplitter {
    /// Words that end with a `.` without ending a sentence ("Sen.", "Corp.", "Jan.").
    private static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt", "st", "jr", "sr", "prof",
        "rev", "inc", "co", "corp", "ltd", "vs", "etc", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "no", "pres", "atty", "supt",
    ]
    private static let terminators: Set<Unicode.Scalar> = [".", "!", "?"]
    private static let closers: Set<Unicode.Scalar> = ["\"", "'", ")", "]"]
    private static let wordPrefixMarks: Set<Unicode.Scalar> = ["\"", "'", "(", "["]

    static func split(_ text: CodePoints) -> [CodePoints] {
        var sentences: [CodePoints] = []
        for rawLine in text.lines {
            let line = rawLine.strippingSpace()
            var start = 0
            var i = 0
            while i < line.count {
                guard terminators.contains(line[i]) else { i += 1; continue }
                var end = i + 1
                while end < line.count, closers.contains(line[end]) || terminators.contains(line[end]) { end += 1 }
                if end < line.count, line[end].isPythonSpace,
                   line[i] != "." || !isAbbreviation(wordBefore: i, from: start, in: line) {
                    let sentence = Array(line[start..<end]).strippingSpace()
                    if !sentence.isEmpty { sentences.append(sentence) }
                    start = end
                }
                i = end
            }
            let rest = Array(line[start...]).strippingSpace()
            if !rest.isEmpty { sentences.append(rest) }
        }
        return sentences
    }

    /// Whether the word before the `.` at `dot` (back to white space, opening quotes and brackets
    /// removed) is a single letter, holds another `.` ("U.S.", "a.m."), or is a known abbreviation.
    private static func isAbbreviation(wordBefore dot: Int, from start: Int, in line: CodePoints) -> Bool {
        var wordStart = dot
        while wordStart > start, !line[wordStart - 1].isPythonSpace { wordStart -= 1 }
        let word = Array(line[wordStart..<dot]).lowercased.trimming(wordPrefixMarks)
        if word.count == 1, word[0].isPythonAlpha { return true }
        return word.contains(".") || abbreviations.contains(word.string)
    }
}

private extension Array where Element == Unicode.Scalar {
    /// Python's `str.strip(chars)`.
    func trimming(_ marks: Set<Unicode.Scalar>) -> CodePoints {
        guard let first = firstIndex(where: { !marks.contains($0) }) else { return [] }
        let last = lastIndex(where: { !marks.contains($0) })!
        return Array(self[first...last])
    }
}
