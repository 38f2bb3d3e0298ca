/// Makes the ten variants of one source text, as synth.py's `make_variants` does: same edits,
/// same random draws in the same order.
struct VariantMaker {
    /// Replacement words for `sub10`/`sub25`: the corpus's distinct lower-case words without apostrophes, sorted.
    private let vocabulary: [CodePoints]
    /// The body sentences of every source, for `ins10` to borrow from.
    private let bodySentences: [[CodePoints]]
    private let sources: [CodePoints]
    private let stories: [String]

    /// `stories[i]` is the story label of `sources[i]`.
    init(sources: [CodePoints], stories: [String]) {
        self.sources = sources
        self.stories = stories
        let words = Set(sources.flatMap { text in
            text.wordRanges.map { Array(text[$0]) }
                .filter { !$0.contains("'") && !$0.contains("\u{2019}") }
                .map(\.lowercased.string)
        })
        // Code-point order, as Python sorts strings.
        vocabulary = words.map(\.codePoints).sorted { $0.lexicographicallyPrecedes($1) { $0.value < $1.value } }
        bodySentences = sources.map { Sentences(of: $0).paragraphs.dropFirst().flatMap { $0 } }
    }

    /// The variants of source `index` in `VariantKind` order.
    func variants(ofSource index: Int, rng: inout SplitMix64) -> [(kind: VariantKind, text: CodePoints)] {
        // `ins10` borrows from other stories only, and only from articles that have a body.
        let pool = sources.indices.filter { stories[$0] != stories[index] && !bodySentences[$0].isEmpty }
        return VariantKind.allCases.map { kind in (kind, variant(kind, of: sources[index], pool: pool, rng: &rng)) }
    }

    private func variant(_ kind: VariantKind, of text: CodePoints, pool: [Int], rng: inout SplitMix64) -> CodePoints {
        switch kind {
        case .exact: text
        case .typo: typo(text, rng: &rng)
        case .boiler: boiler(text, rng: &rng)
        case .trunc60: truncated(text, fraction: 0.6)
        case .drop10: droppingSentences(text, fraction: 0.1, rng: &rng)
        case .ins10: insertingSentences(text, fraction: 0.1, pool: pool, rng: &rng)
        case .parashuf: shufflingParagraphs(text, rng: &rng)
        case .sub10: substitutingWords(text, fraction: 0.10, rng: &rng)
        case .sub25: substitutingWords(text, fraction: 0.25, rng: &rng)
        case .synonym: synonyms(text, rng: &rng)
        }
    }

    /// Typography and layout noise that keeps every word: upper-case title, swapped quote and
    /// dash styles, single line breaks, doubled and trailing spaces, a few case flips.
    private func typo(_ text: CodePoints, rng: inout SplitMix64) -> CodePoints {
        var lines = text.lines
        lines[0] = lines[0].uppercased
        var opensQuote = true
        var t = CodePoints()
        for scalar in lines.joined(separator: ["\n"]) {
            switch scalar {
            case "\"":
                t.append(opensQuote ? "\u{201C}" : "\u{201D}")
                opensQuote.toggle()
            case "\u{201C}", "\u{201D}": t.append("\"")
            case "'": t.append("\u{2019}")
            case "\u{2019}", "\u{2018}": t.append("'")
            default: t.append(scalar)
            }
        }
        t = t.replacing(" -- ".codePoints, with: " \u{2014} ".codePoints)
            .replacing(" - ".codePoints, with: " \u{2013} ".codePoints)
        t = Array(t.splitAtBlankLines.joined(separator: ["\n"]))
        t = t.flatMap { scalar -> CodePoints in scalar == " " && rng.below(10) == 0 ? [" ", " "] : [scalar] }
        t = Array(t.lines.map { $0 + [" ", " "] }.joined(separator: ["\n"]))
        return t.mappingWords { _, word in
            guard rng.below(20) == 0 else { return word }
            return word[0].properties.isUppercase ? word.withFirstLowercased : word.withFirstUppercased
        }
    }

    /// Two site header lines above, three footer lines below.
    private func boiler(_ text: CodePoints, rng: inout SplitMix64) -> CodePoints {
        let headers = rng.sampleIndices(GeneratorText.headers.count, 2).map { GeneratorText.headers[$0] }
        let footers = rng.sampleIndices(GeneratorText.footers.count, 3).map { GeneratorText.footers[$0] }
        return (headers.joined(separator: "\n") + "\n\n").codePoints + text + ("\n\n" + footers.joined(separator: "\n")).codePoints
    }

    /// The first `fraction` of the text, cut back to white space.
    private func truncated(_ text: CodePoints, fraction: Double) -> CodePoints {
        var cut = Int(Double(text.count) * fraction)
        while cut > 0, !text[cut].isPythonSpace { cut -= 1 }
        return Array(text[..<cut]).strippingTrailingSpace()
    }

    /// Removes about `fraction` of the body sentences (at least one).
    private func droppingSentences(_ text: CodePoints, fraction: Double, rng: inout SplitMix64) -> CodePoints {
        var sentences = Sentences(of: text)
        let positions = sentences.bodyPositions
        let dropped = rng.sampleIndices(positions.count, max(1, pythonRound(fraction * Double(positions.count))))
        // From the back, so earlier positions stay valid.
        for index in dropped.reversed() {
            let (paragraph, sentence) = positions[index]
            sentences.paragraphs[paragraph].remove(at: sentence)
        }
        return sentences.text
    }

    /// Inserts about `fraction` as many sentences as the body has (at least one), each a random
    /// body sentence of a random article of another story, at a random place in a body paragraph.
    /// With a single story (`--limit 1`) there is nothing to borrow, and the text is only re-joined.
    private func insertingSentences(_ text: CodePoints, fraction: Double, pool: [Int], rng: inout SplitMix64) -> CodePoints {
        var sentences = Sentences(of: text)
        let count = pool.isEmpty ? 0 : max(1, pythonRound(fraction * Double(sentences.bodyPositions.count)))
        for _ in 0..<count {
            let borrowed = bodySentences[pool[rng.below(pool.count)]]
            let sentence = borrowed[rng.below(borrowed.count)]
            let paragraph = 1 + rng.below(max(1, sentences.paragraphs.count - 1))
            if paragraph >= sentences.paragraphs.count { sentences.paragraphs.append([]) }
            sentences.paragraphs[paragraph].insert(sentence, at: rng.below(sentences.paragraphs[paragraph].count + 1))
        }
        return sentences.text
    }

    /// The body paragraphs in random order; the title stays first.
    private func shufflingParagraphs(_ text: CodePoints, rng: inout SplitMix64) -> CodePoints {
        let paragraphs = text.paragraphs
        var body = Array(paragraphs.dropFirst())
        rng.shuffle(&body)
        return Array(([paragraphs[0]] + body).joined(separator: ["\n", "\n"]))
    }

    /// Replaces `fraction` of the words with random corpus words, keeping each word's case pattern.
    private func substitutingWords(_ text: CodePoints, fraction: Double, rng: inout SplitMix64) -> CodePoints {
        let wordCount = text.wordRanges.count
        let replaced = Set(rng.sampleIndices(wordCount, pythonRound(fraction * Double(wordCount))))
        return text.mappingWords { index, word in
            replaced.contains(index) ? matchingCase(of: word, vocabulary[rng.below(vocabulary.count)]) : word
        }
    }

    /// Swaps most words of the synonym table for a synonym, then turns some "A, B." body
    /// sentences into "B, a.": a paraphrase that shares few word sequences with the source.
    private func synonyms(_ text: CodePoints, rng: inout SplitMix64) -> CodePoints {
        let swapped = text.mappingWords { _, word in
            guard let alternatives = GeneratorText.synonyms[word.lowercased.string], rng.uniform() < 0.8 else { return word }
            return matchingCase(of: word, alternatives[rng.below(alternatives.count)].codePoints)
        }
        var sentences = Sentences(of: swapped)
        for paragraph in sentences.paragraphs.indices.dropFirst() {
            for index in sentences.paragraphs[paragraph].indices {
                let sentence = sentences.paragraphs[paragraph][index]
                guard sentence.occurrences(of: [",", " "]) == 1, !sentence.contains("\""), !sentence.contains("\u{201C}"),
                      sentence.last == ".", rng.uniform() < 0.3 else { continue }
                let clauses = sentence.dropLast().split(separator: [",", " "], omittingEmptySubsequences: false).map(Array.init)
                let (a, b) = (clauses[0], clauses[1])
                guard !a.isEmpty, !b.isEmpty else { continue }
                // "A" keeps its capital when it starts with an acronym ("US officials, …").
                let startsWithAcronym = a.count > 1 && a[1].properties.isUppercase && !a[1].properties.isLowercase
                sentences.paragraphs[paragraph][index] = b.withFirstUppercased + [",", " "]
                    + (startsWithAcronym ? a : a.withFirstLowercased) + ["."]
            }
        }
        return sentences.text
    }

    /// synth.py's `_match_case`: all capitals stay all capitals, a capital first letter stays one.
    private func matchingCase(of original: CodePoints, _ replacement: CodePoints) -> CodePoints {
        if original.count > 1, original.isPythonUppercase { return replacement.uppercased }
        if [original[0]].isPythonUppercase { return replacement.withFirstUppercased }
        return replacement
    }

    /// Python 3's `round`: halves go to the even neighbour.
    private func pythonRound(_ value: Double) -> Int {
        Int(value.rounded(.toNearestOrEven))
    }
}

/// synth.py's `_sent_struct`: a text's paragraphs, each split into sentences (a line break inside
/// a paragraph counts as a space). Paragraph 0 is the title.
struct Sentences {
    var paragraphs: [[CodePoints]]

    init(of text: CodePoints) {
        paragraphs = text.paragraphs.map { paragraph in
            SentenceSplitter.split(paragraph.map { $0 == "\n" ? " " : $0 })
        }
    }

    /// (paragraph, sentence) of every body sentence, in text order.
    var bodyPositions: [(paragraph: Int, sentence: Int)] {
        paragraphs.indices.dropFirst().flatMap { paragraph in
            paragraphs[paragraph].indices.map { (paragraph, $0) }
        }
    }

    /// synth.py's `_join`: sentences joined by a space, non-empty paragraphs by a blank line.
    var text: CodePoints {
        Array(paragraphs.filter { !$0.isEmpty }.map { Array($0.joined(separator: [" "])) }.joined(separator: ["\n", "\n"]))
    }
}
