/// Why two articles are, or are not, related: every score that decided it, and the passages
/// they share. `newsdropctl why A B` prints it.
public struct Explanation: Codable, Sendable, Equatable {
    /// "near-duplicate", "same story" or "unrelated", as the stored groups and stories say.
    public var relation: String
    public var duplicate: DuplicateEvidence
    public var story: StoryEvidence
    /// Sentence pairs that align (Dice at or above the sentence threshold), best first.
    public var passages: [SharedPassage]

    public struct DuplicateEvidence: Codable, Sendable, Equatable {
        public var coverageAToB: Double
        public var coverageBToA: Double
        /// The mean of the two coverages: near-duplicates score at or above `threshold`.
        public var score: Double
        public var threshold: Double
        /// Share of MinHash bins with equal values: an estimate of 3-word-shingle Jaccard.
        public var minhashSimilarity: Double
        public var sharedBands: Int
        public var sharedSentenceKeys: Int

        enum CodingKeys: String, CodingKey {
            case coverageAToB = "coverage_a_to_b", coverageBToA = "coverage_b_to_a", score, threshold,
                 minhashSimilarity = "minhash_similarity", sharedBands = "shared_bands",
                 sharedSentenceKeys = "shared_sentence_keys"
        }
    }

    public struct StoryEvidence: Codable, Sendable, Equatable {
        /// Cosine of the two articles' TF-IDF vectors at the corpus's current IDF.
        public var cosine: Double
        /// The score an article needs against a story's members to join it.
        public var threshold: Double
        /// The terms that contribute most to the cosine, with their share of it.
        public var sharedTerms: [SharedTerm]

        enum CodingKeys: String, CodingKey {
            case cosine, threshold, sharedTerms = "shared_terms"
        }
    }

    public struct SharedTerm: Codable, Sendable, Equatable {
        public var term: String
        public var contribution: Double
    }

    public struct SharedPassage: Codable, Sendable, Equatable {
        public var dice: Double
        public var textA: String
        public var textB: String

        enum CodingKeys: String, CodingKey {
            case dice, textA = "text_a", textB = "text_b"
        }
    }

    /// Explains two articles from their title and readable body. `relation` comes from the
    /// store (what was decided on arrival); the scores are recomputed here at the current IDF.
    public static func explain(titleA: String?, bodyA: String, titleB: String?, bodyB: String, relation: String,
                               idf: (UInt64) -> Double, settings: SimilaritySettings, maximumPassages: Int = 20,
                               maximumTerms: Int = 12) -> Explanation {
        let featuresA = SimilarityInput.features(title: titleA, body: bodyA)
        let featuresB = SimilarityInput.features(title: titleB, body: bodyB)
        let textA = SimilarityInput.text(title: titleA, body: bodyA), textB = SimilarityInput.text(title: titleB, body: bodyB)
        let alignment = Alignment.align(featuresA.units, featuresB.units, sentenceDice: settings.sentenceDice)

        let equalBins = zip(featuresA.minhash, featuresB.minhash).filter { $0 == $1 }.count
        let sharedBands = zip(featuresA.bandKeys, featuresB.bandKeys).filter { $0 == $1 }.count
        let sharedKeys = Set(featuresA.sentenceKeys).intersection(featuresB.sentenceKeys).count

        let vectorA = StoryVector.weighted(featuresA.termWeights, idf: idf)
        let vectorB = StoryVector.weighted(featuresB.termWeights, idf: idf)
        let cosine = StoryVector.cosine(vectorA, vectorB)
        let contributions = vectorA.compactMap { term, weight in vectorB[term].map { (term, weight * $0) } }
            .sorted { ($1.1, $0.0) < ($0.1, $1.0) }
            .prefix(maximumTerms)
        let names = textA.termNames.merging(textB.termNames) { first, _ in first }

        let passages = alignment.pairs.sorted { ($1.dice, $0.unitA) < ($0.dice, $1.unitA) }.prefix(maximumPassages).map { pair in
            SharedPassage(dice: pair.dice, textA: sentence(textA, pair.unitA), textB: sentence(textB, pair.unitB))
        }
        return Explanation(
            relation: relation,
            duplicate: DuplicateEvidence(
                coverageAToB: alignment.coverageAToB, coverageBToA: alignment.coverageBToA, score: alignment.score,
                threshold: settings.duplicateThreshold,
                minhashSimilarity: featuresA.minhash.isEmpty ? 0 : Double(equalBins) / Double(featuresA.minhash.count),
                sharedBands: sharedBands, sharedSentenceKeys: sharedKeys),
            story: StoryEvidence(cosine: cosine, threshold: settings.storyThreshold, sharedTerms: contributions.map {
                SharedTerm(term: names[$0.0] ?? String($0.0, radix: 16), contribution: $0.1)
            }),
            passages: Array(passages))
    }

    private static func sentence(_ text: SimilarityText, _ unit: Int) -> String {
        unit < text.unitSentences.count ? text.unitSentences[unit] : ""
    }
}
