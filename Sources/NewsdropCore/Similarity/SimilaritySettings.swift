/// The tunable thresholds of near-duplicate detection and story clustering.
///
/// The defaults are the measured values of the reference prototype (simlab SPEC §10); change them only
/// with a new measurement, since the margins reported there hold for these values.
public struct SimilaritySettings: Sendable, Equatable {
    /// τ_s: the Dice a sentence unit needs with its best counterpart to count as aligned.
    public var sentenceDice = 0.5
    /// T_dup: the mean coverage at which two articles are near-duplicates.
    public var duplicateThreshold = 0.65
    /// Entries kept per band, sentence and story posting list (oldest evicted).
    public var postingCap = 64
    /// Sentence keys an article posts and looks up: a sample, when it has more.
    public var postedSentenceKeys = 48
    /// Candidates verified by sentence alignment per article.
    public var maximumVerified = 16
    /// Votes (2 per shared band, 1 per shared sentence key) a candidate needs to be verified.
    public var minimumVotes = 2
    /// The same, for an article that looks up a full sample of sentence keys: 48 keys meet an
    /// unrelated article's two at a time by chance far more often than a short article's few
    /// do, and more so as the store grows (`votesNeeded`).
    public var minimumVotesForFullSample = 3
    /// A story takes an article published within this many days of its date range.
    public var storyWindowDays = 3
    /// θ: the story score an article needs to join a story.
    public var storyThreshold = 0.26
    /// λ_cov: weight of shared-passage coverage in the story score.
    public var passageBonus = 0.5
    /// Coverage below this does not count as a shared passage.
    public var minimumPassageCoverage = 0.1
    /// Multiplier for entity terms (capitalised words, bigrams of them, numbers of 3+ digits).
    public var entityBoost = 1.5
    /// Count added per title occurrence of a term (body occurrences add 1).
    public var titleBoost = 2.0
    /// n0: pseudo-documents that damp IDF while the corpus is small.
    public var idfPseudoDocuments = 20.0
    /// Top terms of an article used to look up candidate stories.
    public var queryTerms = 12
    /// Top terms a story posts in the story index.
    public var postedTerms = 24
    /// Terms kept in a story centroid.
    public var centroidTerms = 200
    /// Candidate stories scored per article.
    public var storyCandidates = 24

    public init() {}

    /// Votes a candidate needs when the article looks up `sentenceKeys` sentence keys. Chance
    /// meetings of two unrelated articles grow with the product of their key counts: at 100,000
    /// stored generated articles, 2,980 of the 3,262 candidates that 2,000 more articles
    /// verified had exactly 2 votes and none of them was a near-duplicate; the 271 that were
    /// had 3 or more (`newsdrop-bench quality` keeps every figure up to 4 votes). A shared band
    /// is 2 votes: with a full sample it needs a shared sentence key beside it.
    public func votesNeeded(lookingUp sentenceKeys: Int) -> Int {
        sentenceKeys >= postedSentenceKeys ? max(minimumVotes, minimumVotesForFullSample) : minimumVotes
    }
}
