/// Everything the similarity stages need from one article, computed once in the parallel parse stage
/// (pure, no I/O): near-duplicate signatures (SPEC §3) and raw story term weights (SPEC §5.1).
public struct SimilarityFeatures: Sendable, Equatable {
    /// 64 one-permutation MinHash values of word 3-shingles (SPEC §3.2).
    public var minhash: [UInt64]
    /// 16 LSH band keys; position = band number.
    public var bandKeys: [UInt64]
    /// Sentence units (SPEC §3.1), the input of sentence alignment.
    public var units: [SentenceUnit]
    /// Sentence fingerprint keys, distinct and sorted (SPEC §3.3).
    public var sentenceKeys: [UInt64]
    /// Raw story weights w (SPEC §5.1) by term hash th(term); IDF is applied at comparison time.
    public var termWeights: TermWeights

    /// `title` may be nil (or empty: no title); `body` is the readable body, paragraphs separated by
    /// "\n\n". `settings` supplies the title and entity boosts of the term weights.
    public init(title: String?, body: String, settings: SimilaritySettings = SimilaritySettings()) {
        let analysis = ArticleAnalysis(title: title, body: body, settings: settings, recordsText: false)
        minhash = analysis.minhash
        bandKeys = analysis.bandKeys
        units = analysis.units
        sentenceKeys = analysis.sentenceKeys
        termWeights = analysis.termWeights
    }

    /// The sentence keys this article posts to the index and looks up in it, at most `limit`
    /// (`SimilaritySettings.postedSentenceKeys`) of them. Two articles sample a key they share
    /// alike, so two that share a large part of their keys, as near-duplicates do, share a
    /// like part of their samples.
    public func postedSentenceKeys(limit: Int) -> [UInt64] {
        SentenceFingerprint.postedSample(of: sentenceKeys, limit: limit)
    }
}

/// One sentence (or a 40-term piece of a long one) as the set of its content terms.
public struct SentenceUnit: Sendable, Equatable {
    /// Sorted, distinct term hashes truncated to 32 bits (enough to compare sets; they are stored per
    /// article, so half the size matters).
    public var terms: [UInt32]

    public init(terms: [UInt32]) {
        self.terms = terms
    }
}

/// For explain (SPEC §9): the text behind an article's features, so shared passages can be shown as
/// sentences and top shared terms as words. Recomputed on demand rather than stored.
public struct SimilarityText: Sendable {
    /// The folded sentence each unit came from, parallel to `SimilarityFeatures.units`.
    public var unitSentences: [String]
    /// Term hash → term (a stem, a number, or a bigram "a_b"), for every term of `termWeights`.
    public var termNames: [UInt64: String]

    public init(title: String?, body: String) {
        let record = ArticleAnalysis(title: title, body: body, settings: SimilaritySettings(), recordsText: true).textRecord
        unitSentences = record?.unitSentences ?? []
        termNames = record?.termNames ?? [:]
    }
}
