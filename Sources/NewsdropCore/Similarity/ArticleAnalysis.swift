/// One pass over an article's text that derives every similarity feature (SPEC §2, §3, §5.1).
///
/// Sentences are split once and tokenised once; the same tokens feed the shingles, the sentence units
/// and the story weights. (The reference tokenises the whole text for shingles and each sentence for
/// units; tokens never straddle a sentence end, so both give the same token sequence.)
struct ArticleAnalysis {
    /// Content terms per sentence are cut into units of at most this many terms, in token order.
    static let maximumUnitTerms = 40
    /// Units with fewer distinct terms carry too little to align and are dropped.
    static let minimumUnitTerms = 3

    /// What explain needs on top of the features; recorded only when asked for.
    struct TextRecord {
        var unitSentences: [String] = []
        var termNames: [UInt64: String] = [:]
    }

    private(set) var minhash: [UInt64] = []
    private(set) var bandKeys: [UInt64] = []
    private(set) var units: [SentenceUnit] = []
    private(set) var sentenceKeys: [UInt64] = []
    private(set) var termWeights: TermWeights = [:]
    private(set) var textRecord: TextRecord?

    init(title: String?, body: String, settings: SimilaritySettings, recordsText: Bool) {
        let text = FoldedText(title: title, body: body)
        var words = WordBuffer(capacity: text.scalars.count)
        var counter = StoryTermCounter(capacity: text.scalars.count / 12)
        textRecord = recordsText ? TextRecord() : nil
        var sentenceTerms: [UInt64] = []
        for sentence in SentenceSplitter.sentences(in: text.scalars) {
            let firstToken = words.tokens.count
            words.appendTokens(of: text.scalars, in: sentence)
            let amount = sentence.lowerBound < text.titleEnd ? settings.titleBoost : 1.0
            sentenceTerms.removeAll(keepingCapacity: true)
            countTerms(words, firstToken, amount, into: &counter, &sentenceTerms)
            addUnits(sentenceTerms, from: text.scalars[sentence])
        }
        var sketch = MinHashSketch()
        sketch.insertShingles(of: words)
        minhash = sketch.values()
        bandKeys = MinHashSketch.bandKeys(minhash)
        sentenceKeys = Self.sortedDistinct(sentenceKeys)
        termWeights = counter.weights(entityBoost: settings.entityBoost)
    }

    /// The content terms of one sentence's tokens (from `firstToken` on), in token order, and their story
    /// counts: capitalised words (not sentence-initial) and all-caps words are entities, and so are
    /// numbers of three or more digits and bigrams of consecutive capitalised content words.
    private mutating func countTerms(_ words: WordBuffer, _ firstToken: Int, _ amount: Double,
                                     into counter: inout StoryTermCounter, _ terms: inout [UInt64]) {
        var previousCapital: (hash: UInt64, name: String)?
        for index in firstToken..<words.tokens.count {
            let token = words.tokens[index]
            if token.length < 2 || SimilarityLexicon.stopwords.contains(words.bytes, token.bytes) {
                previousCapital = nil
                continue
            }
            let stem = token.isAllDigits ? TermStem.unchanged(token.bytes)
                                         : TermStem(words.bytes, token.bytes, length: token.length)
            let term = stem.hash(words.bytes, token.bytes)
            terms.append(term)
            let isCapitalised = (token.startsUpper && index > firstToken) || (token.isAllUpper && token.writtenLength > 1)
            counter.add(term, amount: amount, isEntity: isCapitalised || (token.isAllDigits && token.writtenLength >= 3))
            let name = textRecord == nil ? "" : stem.string(words.bytes, token.bytes)
            textRecord?.termNames[term] = name
            // The reference pairs on `isCapitalised`, not only on `startsUpper`: an all-caps token starting
            // with a digit ("3D") extends a bigram without starting one.
            if isCapitalised || token.startsUpper, let previous = previousCapital {
                let bigram = stem.hash(words.bytes, token.bytes,
                                       continuing: SimilarityHash.fnv1a64(previous.hash, UInt8(ascii: "_")))
                counter.add(bigram, amount: amount, isEntity: true)
                textRecord?.termNames[bigram] = previous.name + "_" + name
            }
            previousCapital = token.startsUpper ? (term, name) : nil
        }
    }

    /// Cuts a sentence's terms into units and fingerprints each (SPEC §3.1, §3.3).
    private mutating func addUnits(_ terms: [UInt64], from sentence: ArraySlice<Unicode.Scalar>) {
        for start in stride(from: 0, to: terms.count, by: Self.maximumUnitTerms) {
            let distinct = Self.sortedDistinct(Array(terms[start..<min(start + Self.maximumUnitTerms, terms.count)]))
            guard distinct.count >= Self.minimumUnitTerms else { continue }
            SentenceFingerprint.appendKeys(distinctTerms: distinct[...], to: &sentenceKeys)
            units.append(SentenceUnit(terms: Self.sortedDistinct(distinct.map { UInt32(truncatingIfNeeded: $0) })))
            textRecord?.unitSentences.append(String(String.UnicodeScalarView(sentence)))
        }
    }

    private static func sortedDistinct<T: Comparable>(_ values: [T]) -> [T] {
        var values = values
        values.sort()
        var kept = 0
        for index in values.indices where kept == 0 || values[index] != values[kept - 1] {
            values[kept] = values[index]
            kept += 1
        }
        values.removeLast(values.count - kept)
        return values
    }
}
