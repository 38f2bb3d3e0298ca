import Foundation
import XCTest
@testable import NewsdropCore

/// Alignment, IDF and story vectors on hand-made inputs whose answers can be worked out by hand.
final class SimilarityScoringTests: XCTestCase {
    func testDefaultSettingsAreTheMeasuredOnes() {
        let settings = SimilaritySettings()
        XCTAssertEqual(settings.sentenceDice, 0.5)
        XCTAssertEqual(settings.duplicateThreshold, 0.65)
        XCTAssertEqual(settings.postingCap, 64)
        XCTAssertEqual(settings.postedSentenceKeys, 48)
        XCTAssertEqual(settings.maximumVerified, 16)
        XCTAssertEqual(settings.minimumVotes, 2)
        XCTAssertEqual(settings.minimumVotesForFullSample, 3)
        XCTAssertEqual(settings.votesNeeded(lookingUp: 47), 2)
        XCTAssertEqual(settings.votesNeeded(lookingUp: 48), 3)
        XCTAssertEqual(settings.storyWindowDays, 3)
        XCTAssertEqual(settings.storyThreshold, 0.26)
        XCTAssertEqual(settings.passageBonus, 0.5)
        XCTAssertEqual(settings.minimumPassageCoverage, 0.1)
        XCTAssertEqual(settings.entityBoost, 1.5)
        XCTAssertEqual(settings.titleBoost, 2.0)
        XCTAssertEqual(settings.idfPseudoDocuments, 20)
        XCTAssertEqual([settings.queryTerms, settings.postedTerms, settings.centroidTerms], [12, 24, 200])
        XCTAssertEqual(settings.storyCandidates, 24)
    }

    func testAlignmentCoverageAndPairs() {
        let a = [
            SentenceUnit(terms: [1, 2, 3, 4]),        // best: b0 with 3 shared, Dice 6/9
            SentenceUnit(terms: [10, 11, 12]),        // best: b1 and b2 tie at 2/3 → b1
            SentenceUnit(terms: [20, 21, 22, 23, 24]), // nothing shared
        ]
        let b = [
            SentenceUnit(terms: [1, 2, 3, 5, 6]),
            SentenceUnit(terms: [10, 11, 13]),
            SentenceUnit(terms: [11, 12, 14]),
        ]
        let alignment = Alignment.align(a, b, sentenceDice: 0.5)
        XCTAssertEqual(alignment.pairs, [AlignedPair(unitA: 0, unitB: 0, dice: 6.0 / 9.0),
                                         AlignedPair(unitA: 1, unitB: 1, dice: 4.0 / 6.0)])
        XCTAssertEqual(alignment.coverageAToB, 7.0 / 12.0)
        // b0 → a0 (6/9), b1 → a1 (4/6), b2 → a1 (4/6): all of B is covered.
        XCTAssertEqual(alignment.coverageBToA, 1.0)
        XCTAssertEqual(alignment.score, (7.0 / 12.0 + 1.0) / 2)
        // A stricter τ_s drops both alignments.
        let strict = Alignment.align(a, b, sentenceDice: 0.7)
        XCTAssertEqual(strict.coverageAToB, 0)
        XCTAssertEqual(strict.coverageBToA, 0)
        XCTAssertTrue(strict.pairs.isEmpty)
    }

    func testAlignmentOfIdenticalAndEmptyUnits() {
        let units = [SentenceUnit(terms: [1, 2, 3]), SentenceUnit(terms: [3, 4, 5, 6])]
        let same = Alignment.align(units, units, sentenceDice: 0.5)
        XCTAssertEqual(same.score, 1)
        XCTAssertEqual(same.pairs.map(\.unitB), [0, 1])
        XCTAssertEqual(Alignment.align([], units, sentenceDice: 0.5).score, 0)
        XCTAssertEqual(Alignment.align(units, [], sentenceDice: 0.5), Alignment(coverageAToB: 0, coverageBToA: 0, pairs: []))
    }

    /// One index, many partners: every alignment equals the definition worked out pair by pair
    /// (each unit's best partner by Dice, ties to the lower index), in both directions, whether
    /// the partner's units are parsed or read from their stored blob.
    func testAnIndexAlignsWithManyPartnersAsTheDefinitionSays() {
        var random = SystemRandomNumberGenerator()
        func units(_ count: Int) -> [SentenceUnit] {
            (0..<count).map { _ in
                SentenceUnit(terms: Array(Set((0..<Int.random(in: 3...9, using: &random)).map { _ in UInt32.random(in: 0..<24, using: &random) })).sorted())
            }
        }
        func dice(_ x: SentenceUnit, _ y: SentenceUnit) -> Double {
            2 * Double(Set(x.terms).intersection(y.terms).count) / Double(x.terms.count + y.terms.count)
        }
        func definition(_ a: [SentenceUnit], _ b: [SentenceUnit], _ threshold: Double) -> Alignment {
            var pairs: [AlignedPair] = []
            var coveredA = 0, coveredB = 0
            for (index, unit) in a.enumerated() {
                let scores = b.map { dice(unit, $0) }
                guard let best = scores.max(), best >= threshold else { continue }
                coveredA += unit.terms.count
                if best > 0 { pairs.append(AlignedPair(unitA: index, unitB: scores.firstIndex(of: best)!, dice: best)) }
            }
            for unit in b where (a.map { dice(unit, $0) }.max() ?? 0) >= threshold { coveredB += unit.terms.count }
            let totalA = a.reduce(0) { $0 + $1.terms.count }, totalB = b.reduce(0) { $0 + $1.terms.count }
            return Alignment(coverageAToB: totalA > 0 ? Double(coveredA) / Double(totalA) : 0,
                             coverageBToA: totalB > 0 ? Double(coveredB) / Double(totalB) : 0, pairs: pairs)
        }
        for _ in 0..<50 {
            let a = units(Int.random(in: 0...12, using: &random))
            let threshold = [0.3, 0.5, 0.7].randomElement(using: &random)!
            let index = AlignmentIndex(a, sentenceDice: threshold)
            for _ in 0..<4 {
                let b = units(Int.random(in: 0...12, using: &random))
                XCTAssertEqual(index.align(with: b), definition(a, b, threshold), "a: \(a), b: \(b), τ_s \(threshold)")
                // A candidate's units as verification reads them: in place, from the stored blob.
                FeatureCoding.encode(units: b).withUnsafeBytes { blob in
                    XCTAssertEqual(EncodedUnits(blob).map { index.align(with: $0) }, definition(a, b, threshold), "stored b: \(b)")
                }
            }
        }
    }

    func testInverseDocumentFrequency() {
        XCTAssertEqual(InverseDocumentFrequency.weight(documentFrequency: 0, documents: 0, pseudoDocuments: 20), log(21) + 1, accuracy: 1e-15)
        XCTAssertEqual(InverseDocumentFrequency.weight(documentFrequency: 1, documents: 1, pseudoDocuments: 20), log(11) + 1, accuracy: 1e-15)
        XCTAssertEqual(InverseDocumentFrequency.weight(documentFrequency: 5, documents: 100, pseudoDocuments: 20), log(121.0 / 6) + 1, accuracy: 1e-15)
        // A term in every document of a large corpus tends to weight 1.
        XCTAssertEqual(InverseDocumentFrequency.weight(documentFrequency: 1_000_000, documents: 1_000_000, pseudoDocuments: 20), 1, accuracy: 1e-4)
        // Frequencies on either side of the table of logarithms weight by the same formula.
        for frequency in [16_382, 16_383, 16_384, 16_385, 50_000] {
            XCTAssertEqual(InverseDocumentFrequency.weight(documentFrequency: frequency, documents: 200_000, pseudoDocuments: 20),
                           log(200_021.0 / Double(frequency + 1)) + 1, accuracy: 1e-14, "df \(frequency)")
        }
    }

    func testWeightedVectorsAreUnitLength() {
        let weights: TermWeights = [1: 3, 2: 4, 3: 1]
        let vector = StoryVector.weighted(weights) { $0 == 3 ? 0 : 1 }
        XCTAssertEqual(vector[1] ?? .nan, 0.6, accuracy: 1e-15)
        XCTAssertEqual(vector[2] ?? .nan, 0.8, accuracy: 1e-15)
        XCTAssertEqual(vector[3], 0)
        XCTAssertEqual(StoryVector.cosine(vector, vector), 1, accuracy: 1e-15)
        // No weight at all stays a zero vector instead of dividing by zero.
        XCTAssertEqual(StoryVector.weighted([7: 0]) { _ in 2 }, [7: 0])
    }

    func testCosine() {
        let a = StoryVector.weighted([1: 1, 2: 1]) { _ in 1 }
        let b = StoryVector.weighted([3: 2, 4: 5]) { _ in 1 }
        let c = StoryVector.weighted([2: 1, 3: 1]) { _ in 1 }
        XCTAssertEqual(StoryVector.cosine(a, b), 0)
        XCTAssertEqual(StoryVector.cosine(a, c), 0.5, accuracy: 1e-15)
        XCTAssertEqual(StoryVector.cosine(c, a), StoryVector.cosine(a, c))
        XCTAssertEqual(StoryVector.cosine(a, [:]), 0)
        let article = SimilarityFeatures(title: "Harbor bridge closes", body: "Engineers found cracks in the Casco Harbor Bridge.")
        let vector = StoryVector.weighted(article.termWeights) { _ in 1.7 }
        XCTAssertEqual(StoryVector.cosine(vector, vector), 1, accuracy: 1e-12)
    }

    /// The quickselect behind `topTerms` and `strongest` agrees with a full sort, ties and all.
    func testTopTermsMatchAFullSort() {
        var random = SystemRandomNumberGenerator()
        for size in [1, 2, 13, 200, 700] {
            var vector: [UInt64: Double] = [:]
            // Few distinct weights, so that many ties must be broken by term.
            for _ in 0..<size { vector[random.next() % 10_000] = Double(random.next() % 7) / 7 }
            let sorted = vector.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
            let terms = Array(vector.keys), values = terms.map { vector[$0]! }
            for count in [1, 12, 200, size, size + 5] {
                XCTAssertEqual(topTerms(vector, count: count), Array(sorted.prefix(count)), "size \(size), count \(count)")
                let strongest = StoryVector.strongest(terms, by: values, keeping: count, ranking: 12)
                XCTAssertEqual(strongest.kept.count, terms.count)
                XCTAssertEqual(Set(zip(terms, strongest.kept).filter(\.1).map(\.0)), Set(sorted.prefix(count)), "size \(size), count \(count)")
                XCTAssertEqual(strongest.ranked, Array(sorted.prefix(min(count, 12))), "size \(size), count \(count)")
            }
        }
    }

    func testTopTermsBreakTiesByTermHash() {
        let vector: [UInt64: Double] = [9: 0.5, 3: 0.5, 7: 0.9, 1: 0.1, 5: 0.5]
        XCTAssertEqual(topTerms(vector, count: 3), [7, 3, 5])
        XCTAssertEqual(topTerms(vector, count: 10), [7, 3, 5, 9, 1])
        XCTAssertEqual(topTerms(vector, count: 0), [])
    }

    func testTermWeightsAreSortedByTermAndFoundByTerm() {
        let weights = TermWeights([90: 1.5, 3: 0.25, UInt64.max: 2, 0: 4])
        XCTAssertEqual(weights.terms, [0, 3, 90, UInt64.max])
        XCTAssertEqual(weights.weights, [4, 0.25, 1.5, 2])
        XCTAssertEqual(weights.count, 4)
        for (term, weight) in zip(weights.terms, weights.weights) { XCTAssertEqual(weights[term], weight) }
        for absent: UInt64 in [1, 4, 89, 91, UInt64.max - 1] { XCTAssertNil(weights[absent], "term \(absent)") }
        XCTAssertTrue(TermWeights([:]).isEmpty)
        XCTAssertNil(TermWeights([:])[0])
        // A real article's weights come sorted and distinct from the parse stage.
        let features = SimilarityFeatures(title: "Harbor bridge to close", body: "Engineers found cracks in the Casco Harbor Bridge.")
        XCTAssertEqual(features.termWeights.terms, features.termWeights.terms.sorted())
        XCTAssertEqual(Set(features.termWeights.terms).count, features.termWeights.count)
    }

    func testArticleStoryTermsAreTheWeightedVectorSortedByTerm() {
        let idf: (UInt64) -> Double = { 1 + Double($0 % 5) / 3 }
        let weights: TermWeights = [8: 1, 1: 2, 3: 0.5, 2: 1]
        let terms = ArticleStoryTerms(weights, idf: idf)
        XCTAssertEqual(terms.terms, [1, 2, 3, 8])
        XCTAssertEqual(terms.weights, [2, 1, 0.5, 1])
        XCTAssertEqual(terms.idf, [1, 2, 3, 8].map(idf))
        // w ∘ idf = [2 × 4/3, 1 × 5/3, 0.5 × 2, 1 × 2], then L2-normalised.
        let weighted = [8.0 / 3, 5.0 / 3, 1, 2]
        let norm = weighted.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for (actual, expected) in zip(terms.vector, weighted.map { $0 / norm }) { XCTAssertEqual(actual, expected, accuracy: 1e-15) }
        XCTAssertEqual(terms.topTerms(count: 2), [1, 8])
        XCTAssertEqual(ArticleStoryTerms([5: 0], idf: idf).vector, [0], "an all-zero vector stays zero")
    }

    func testStoryQueryCosineEqualsCosineWithTheWeightedCentroid() {
        let idf: (UInt64) -> Double = { 1 + Double($0 % 5) / 3 }
        let article: TermWeights = [1: 2, 2: 1, 3: 0.5, 8: 1]
        let centroid = StoryCentroid(terms: [2, 3, 4, 8], weights: [0.7, 0.2, 1.1, 0.4], idf: idf)
        let raw: TermWeights = [2: 0.7, 3: 0.2, 4: 1.1, 8: 0.4]
        let query = ArticleStoryTerms(article, idf: idf).query
        XCTAssertEqual(query.cosine(with: centroid),
                       StoryVector.cosine(StoryVector.weighted(article, idf: idf), StoryVector.weighted(raw, idf: idf)), accuracy: 1e-12)
        XCTAssertEqual(query.cosine(with: .empty), 0)
        XCTAssertEqual(ArticleStoryTerms([:], idf: idf).query.cosine(with: centroid), 0)
    }

    /// Scoring probes a hash table of the article's terms; the score must equal, to the bit, the
    /// merge walk over both sorted lists that defines it, with terms crowding the same slots and
    /// the term 0, which the table keeps apart.
    func testStoryQueryCosineEqualsTheMergeWalkToTheBit() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            // Random hashes, plus terms that differ only in their low bits or are extremes.
            var pool = Set((0..<400).map { _ in UInt64.random(in: .min ... .max, using: &random) })
            pool.formUnion((0..<40).map { UInt64($0) } + [.max, .max - 1, 1 << 63])
            pool.remove(0)
            // Both always hold the term whose hash is 0, the table's mark of an empty slot.
            let articleTerms = [0] + Array(pool.shuffled(using: &random).prefix(300))
            let centroidTerms = ([0] + Array(pool.shuffled(using: &random).prefix(200))).sorted()
            let article = TermWeights(Dictionary(uniqueKeysWithValues: articleTerms.map { ($0, Double.random(in: 0.1...3, using: &random)) }))
            let idf: (UInt64) -> Double = { 1 + Double($0 % 7) / 3 }
            let centroid = StoryCentroid(terms: centroidTerms, weights: centroidTerms.map { _ in Double.random(in: 0.01...1, using: &random) }, idf: idf)
            let terms = ArticleStoryTerms(article, idf: idf)
            var dot = 0.0, mine = 0, theirs = 0
            while mine < terms.terms.count, theirs < centroid.terms.count {
                if terms.terms[mine] == centroid.terms[theirs] {
                    dot += terms.vector[mine] * terms.idf[mine] * centroid.weights[theirs]
                    mine += 1
                    theirs += 1
                } else if terms.terms[mine] < centroid.terms[theirs] {
                    mine += 1
                } else {
                    theirs += 1
                }
            }
            XCTAssertEqual(terms.query.cosine(with: centroid), dot / centroid.weightedNorm)
        }
    }

    func testStoryQueryKeepsTheCentroidNormItWasBuiltWith() {
        // The norm is the one of the centroid's last change: a later IDF changes the shared
        // terms' weights in the dot product, not the norm.
        let centroid = StoryCentroid(terms: [2, 5], weights: [0.6, 0.8], idf: { _ in 1 })
        XCTAssertEqual(centroid.weightedNorm, 1, accuracy: 1e-12)
        let laterIDF: (UInt64) -> Double = { $0 == 2 ? 2 : 1 }
        XCTAssertEqual(ArticleStoryTerms([2: 1], idf: laterIDF).query.cosine(with: centroid), 1 * 2 * 0.6 / 1, accuracy: 1e-12)
    }

    /// Folding an article in adds its weights normalised to length 1, keeps the strongest terms
    /// by IDF-weighted value, and asks `idf` only for the centroid's own terms.
    func testAddingAnArticleFoldsItsNormalisedWeightsAndKeepsTheStrongestTerms() {
        let idf: (UInt64) -> Double = { $0 == 1 ? 10 : 1 }
        var asked: Set<UInt64> = []
        let centroid = StoryCentroid(terms: [3, 5, 9], weights: [0.5, 0.5, 0.5], weightedNorm: 1)
        let article = ArticleStoryTerms([1: 0.3, 7: 0.4, 9: 0], idf: idf)  // norm 0.5
        let (added, posted) = centroid.adding(article, keeping: 3, posting: 2, idf: { asked.insert($0); return idf($0) })
        // Weighted: 1 → 0.6 × 10, 7 → 0.8, 3, 5 and 9 → 0.5 (ties by term).
        XCTAssertEqual(posted, [1, 7])
        XCTAssertEqual(added.terms, [1, 3, 7])
        XCTAssertEqual(added.weights, [0.3 / 0.5, 0.5, 0.4 / 0.5])
        XCTAssertEqual(added.weightedNorm, (36.0 + 0.25 + 0.64).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(asked, [3, 5])
        let first = StoryCentroid.empty.adding(article, keeping: 200, posting: 24, idf: idf)
        XCTAssertEqual(first.centroid.terms, [1, 7, 9])
        XCTAssertEqual(first.posted, [1, 7, 9])
        let nothingKept = centroid.adding(article, keeping: 0, posting: 24, idf: idf)
        XCTAssertEqual(nothingKept.centroid, .empty)
        XCTAssertEqual(nothingKept.posted, [])
        let unlisted = centroid.adding(article, keeping: 3, posting: 0, idf: idf)
        XCTAssertEqual(unlisted.centroid, added)
        XCTAssertEqual(unlisted.posted, [])
    }

    private func topTerms(_ vector: [UInt64: Double], count: Int) -> [UInt64] {
        let terms = Array(vector.keys)
        return StoryVector.topTerms(terms, by: terms.map { vector[$0]! }, count: count)
    }
}
