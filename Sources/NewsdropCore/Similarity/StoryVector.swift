import Foundation

/// Incremental smoothed IDF (SPEC §5.2): idf = ln((N + n0 + 1) / (df + 1)) + 1.
///
/// N counts the non-duplicate articles so far including the current one; the n0 pseudo-documents keep
/// weights near-uniform while N is small, and the formula tends to standard smoothed IDF as N grows.
public enum InverseDocumentFrequency {
    public static func weight(documentFrequency: Int, documents: Int, pseudoDocuments: Double) -> Double {
        Corpus(documents: documents, pseudoDocuments: pseudoDocuments).weight(documentFrequency: documentFrequency)
    }

    /// The IDF of any term against one corpus size, as ln(N + n0 + 1) − ln(df + 1) + 1: the
    /// corpus's logarithm taken once, and the term's read from a table for the small
    /// frequencies most terms have. Placing an article weights a few hundred terms, and a
    /// logarithm each was 4% of placement (callgrind).
    public struct Corpus: Sendable {
        private let logSize: Double

        public init(documents: Int, pseudoDocuments: Double) {
            logSize = log(Double(documents) + pseudoDocuments + 1)
        }

        public func weight(documentFrequency: Int) -> Double {
            logSize - InverseDocumentFrequency.logOfSuccessor(documentFrequency) + 1
        }
    }

    /// ln(n + 1) for n below 16,384, where most document frequencies are.
    private static let smallLogs: [Double] = (0..<16_384).map { log(Double($0) + 1) }

    /// ln(n + 1), from the table when it has it: the same value either way.
    static func logOfSuccessor(_ n: Int) -> Double {
        n >= 0 && n < smallLogs.count ? smallLogs[n] : log(Double(n) + 1)
    }
}

/// Sparse term vectors for story scoring (SPEC §5). Raw weights are stored without IDF and weighted
/// at comparison time, so old articles follow the maturing statistics instead of drifting.
public enum StoryVector {
    /// v = L2-normalise(w ∘ idf); `idf` gives the IDF of a term hash. An all-zero vector stays
    /// zero. The weighting itself is `ArticleStoryTerms`'s, which clustering uses.
    public static func weighted(_ weights: TermWeights, idf: (UInt64) -> Double) -> [UInt64: Double] {
        let terms = ArticleStoryTerms(weights, idf: idf)
        return Dictionary(uniqueKeysWithValues: zip(terms.terms, terms.vector))
    }

    /// Cosine of two normalised vectors: their dot product, walking the smaller one.
    public static func cosine(_ a: [UInt64: Double], _ b: [UInt64: Double]) -> Double {
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        var dot = 0.0
        for (term, value) in small {
            if let other = large[term] { dot += value * other }
        }
        return dot
    }

    /// The top `count` of `terms` by their `values` (parallel arrays), ties by term hash
    /// ascending (deterministic).
    public static func topTerms(_ terms: [UInt64], by values: [Double], count: Int) -> [UInt64] {
        guard count > 0 else { return [] }
        var entries = pairs(terms, values)
        // Selects the top `count` first and sorts only those: an article has hundreds of terms
        // and the caller wants a dozen.
        if entries.count > count { Quickselect.moveFirst(count, of: &entries, by: ranksBefore) }
        return entries.prefix(count).sorted(by: ranksBefore).map(\.term)
    }

    /// Which of `terms` are among the strongest `count` by `values` (parallel arrays), as flags
    /// parallel to `terms`, and the strongest `ranked` of those, strongest first. The same
    /// ranking as `topTerms`, but only the `ranked` terms are sorted: folding an article into a
    /// centroid keeps 200 terms and lists the story under 24 of them. `values` are finite
    /// (weights times IDF always are): the ranking is a total order only then.
    public static func strongest(_ terms: [UInt64], by values: [Double], keeping count: Int,
                                 ranking ranked: Int) -> (kept: [Bool], ranked: [UInt64]) {
        precondition(terms.count == values.count, "one value per term")
        assert(values.allSatisfy(\.isFinite), "finite values")
        guard count > 0 else { return ([Bool](repeating: false, count: terms.count), []) }
        guard terms.count > count else {
            return ([Bool](repeating: true, count: terms.count), topTerms(terms, by: values, count: ranked))
        }
        var entries = pairs(terms, values)
        Quickselect.moveFirst(count, of: &entries, by: ranksBefore)
        var strongest = Array(entries.prefix(count))
        // The weakest kept entry; ranking is a strict total order, so a term is kept exactly when
        // it does not rank after it.
        let weakest = strongest.max(by: ranksBefore)!
        let kept = terms.indices.map { !ranksBefore(weakest, (terms[$0], values[$0])) }
        guard ranked > 0 else { return (kept, []) }
        if strongest.count > ranked { Quickselect.moveFirst(ranked, of: &strongest, by: ranksBefore) }
        return (kept, strongest.prefix(ranked).sorted(by: ranksBefore).map(\.term))
    }

    /// The terms paired with their values, for ranking. Indexing both arrays: mapping their
    /// `zip` stepped through a generic iterator per element, 3% of placement (callgrind).
    private static func pairs(_ terms: [UInt64], _ values: [Double]) -> [(term: UInt64, weight: Double)] {
        terms.indices.map { (terms[$0], values[$0]) }
    }

    private static func ranksBefore(_ a: (term: UInt64, weight: Double), _ b: (term: UInt64, weight: Double)) -> Bool {
        a.weight != b.weight ? a.weight > b.weight : a.term < b.term
    }
}

/// An article's story terms as clustering uses them, computed once per article: sorted by
/// term (as `TermWeights` arrive), with their raw weights, their IDF and the normalised
/// IDF-weighted vector, all parallel.
/// Querying the story index, scoring candidates and folding the article into a centroid then
/// walk these arrays instead of hashing every term again at every step.
public struct ArticleStoryTerms: Sendable {
    public let terms: [UInt64]
    public let weights: [Double]
    public let idf: [Double]
    /// The weights times their IDF, L2-normalised (an all-zero vector stays zero), parallel to
    /// `terms`.
    public let vector: [Double]

    public init(_ weights: TermWeights, idf: (UInt64) -> Double) {
        self.init(weights, idf: weights.terms.map(idf))
    }

    /// `idf` parallel to the weights' terms.
    public init(_ weights: TermWeights, idf: [Double]) {
        precondition(idf.count == weights.terms.count, "one IDF per term")
        terms = weights.terms
        self.weights = weights.weights
        self.idf = idf
        let weighted = idf.indices.map { weights.weights[$0] * idf[$0] }
        let squares = weighted.reduce(0) { $0 + $1 * $1 }
        let norm = squares > 0 ? squares.squareRoot() : 1
        vector = weighted.map { $0 / norm }
    }

    /// The strongest `count` terms of the vector, strongest first.
    public func topTerms(count: Int) -> [UInt64] {
        StoryVector.topTerms(terms, by: vector, count: count)
    }

    /// The article's side of scoring against centroids.
    public var query: StoryQuery {
        StoryQuery(terms: terms, values: idf.indices.map { vector[$0] * idf[$0] })
    }
}

/// A story's centroid as clustering scores it: the sum of its members' normalised raw weights,
/// pruned to its strongest terms and sorted by term, with the norm those weights had once
/// weighted by IDF when the story last changed.
///
/// Keeping that norm is what makes scoring cheap: the cosine of an article with a centroid
/// needs the IDF of the terms they share only, which are the article's own terms, instead of
/// the IDF of all 200 terms of each of up to 24 candidates. The norm is as old as the story's
/// last change; IDF moves slowly once a corpus has some size, and story F1 on the development
/// set moved by less than the spread between arrival orders (docs/similarity.md).
public struct StoryCentroid: Sendable, Equatable {
    public private(set) var terms: [UInt64]
    public private(set) var weights: [Double]
    /// ‖weights ∘ idf‖ with the IDF of the moment the centroid was built.
    public private(set) var weightedNorm: Double

    public static let empty = StoryCentroid(terms: [], weights: [], weightedNorm: 0)

    /// `terms` ascending, `weights` parallel to them: a centroid as stored.
    public init(terms: [UInt64], weights: [Double], weightedNorm: Double) {
        precondition(terms.count == weights.count, "one weight per term")
        self.terms = terms
        self.weights = weights
        self.weightedNorm = weightedNorm
    }

    /// The centroid as reading it back from its row gives it: weights rounded to f32, as
    /// `FeatureCoding` stores them, and the norm kept as it was computed.
    public var roundedAsStored: StoryCentroid {
        StoryCentroid(terms: terms, weights: weights.map { Double(Float($0)) }, weightedNorm: weightedNorm)
    }

    /// A stored centroid without its norm (written before norms were kept), normed with `idf`.
    public init(terms: [UInt64], weights: [Double], idf: (UInt64) -> Double) {
        let squares = zip(terms, weights).reduce(0) { sum, entry in
            let value = entry.1 * idf(entry.0)
            return sum + value * value
        }
        self.init(terms: terms, weights: weights, weightedNorm: squares.squareRoot())
    }

    /// The centroid with `article` folded in (its raw weights normalised to length 1), pruned to
    /// the `count` strongest terms by IDF-weighted value, and the strongest `posting` of those,
    /// strongest first (ties by term hash), which the story is listed under. `idf` is asked only
    /// for terms the article does not have: the article brings its own.
    public func adding(_ article: ArticleStoryTerms, keeping count: Int, posting: Int,
                       idf: (UInt64) -> Double) -> (centroid: StoryCentroid, posted: [UInt64]) {
        let norm = article.weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
        func normalised(_ weight: Double) -> Double { norm > 0 ? weight / norm : 0 }
        var mergedTerms: [UInt64] = [], mergedWeights: [Double] = [], weighted: [Double] = []
        let capacity = terms.count + article.terms.count
        mergedTerms.reserveCapacity(capacity)
        mergedWeights.reserveCapacity(capacity)
        weighted.reserveCapacity(capacity)
        func append(_ term: UInt64, _ weight: Double, _ termIDF: Double) {
            mergedTerms.append(term)
            mergedWeights.append(weight)
            weighted.append(weight * termIDF)
        }
        var mine = 0, theirs = 0
        while mine < terms.count || theirs < article.terms.count {
            if theirs == article.terms.count || (mine < terms.count && terms[mine] < article.terms[theirs]) {
                append(terms[mine], weights[mine], idf(terms[mine]))
                mine += 1
            } else if mine == terms.count || article.terms[theirs] < terms[mine] {
                append(article.terms[theirs], normalised(article.weights[theirs]), article.idf[theirs])
                theirs += 1
            } else {
                append(terms[mine], weights[mine] + normalised(article.weights[theirs]), article.idf[theirs])
                mine += 1
                theirs += 1
            }
        }
        let strongest = StoryVector.strongest(mergedTerms, by: weighted, keeping: count, ranking: posting)
        var keptTerms: [UInt64] = [], keptWeights: [Double] = [], keptSquares = 0.0
        keptTerms.reserveCapacity(min(count, mergedTerms.count))
        keptWeights.reserveCapacity(min(count, mergedTerms.count))
        for index in mergedTerms.indices where strongest.kept[index] {
            keptTerms.append(mergedTerms[index])
            keptWeights.append(mergedWeights[index])
            keptSquares += weighted[index] * weighted[index]
        }
        return (StoryCentroid(terms: keptTerms, weights: keptWeights, weightedNorm: keptSquares.squareRoot()), strongest.ranked)
    }
}

/// An article's side of story scoring: its normalised IDF-weighted vector, sorted by term, each
/// value multiplied by the term's IDF once more, so that walking it beside a centroid's raw
/// weights sums exactly the IDF-weighted dot product.
public struct StoryQuery: Sendable {
    /// Open addressing over the article's terms, at most a quarter full: each slot holds a term
    /// (0: empty) in `keys` and its value in `values` (0 in an empty slot). Scoring looks each
    /// of a centroid's 200 terms up here.
    ///
    /// Whether a centroid's term is the article's is a coin toss the branch predictor loses, so
    /// a probe adds the slot's value times the match (0 for another term or an empty slot)
    /// instead of branching on it; at a quarter full, three probes in four end at the first
    /// slot. That halved the cost of scoring against a table half full that branched on each
    /// match (a micro-benchmark of 24 centroids of 260 terms against articles of 500). Before
    /// that, a merge walk of the two sorted lists stepped through the article's several hundred
    /// terms again for each of up to 24 candidates (6% of placement by callgrind).
    private let keys: [UInt64]
    private let values: [Double]
    private let slotShift: UInt64
    /// The value of the term whose hash is 0, which `keys` cannot hold (0 marks an empty slot).
    private let zeroTermValue: Double

    fileprivate init(terms: [UInt64], values: [Double]) {
        var bits: UInt64 = 4
        while (1 << bits) < 4 * terms.count { bits += 1 }
        slotShift = 64 - bits
        var keys = [UInt64](repeating: 0, count: 1 << bits), slotValues = [Double](repeating: 0, count: 1 << bits)
        var zeroTermValue = 0.0
        for (term, value) in zip(terms, values) {
            guard term != 0 else {
                zeroTermValue = value
                continue
            }
            var slot = Self.home(of: term, shift: slotShift)
            while keys[slot] != 0 { slot = (slot + 1) & (keys.count - 1) }
            keys[slot] = term
            slotValues[slot] = value
        }
        self.keys = keys
        self.values = slotValues
        self.zeroTermValue = zeroTermValue
    }

    /// Terms are hashes already; the multiply spreads any that share their high bits.
    @inline(__always)
    private static func home(of term: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (term &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The cosine of the article with `centroid` weighted by IDF: the dot product over their
    /// shared terms over the centroid's norm. The shared terms are summed in the centroid's
    /// term order, ascending, as a merge walk would (the zeros added for other terms change
    /// no bit), so every score is the same to the bit.
    public func cosine(with centroid: StoryCentroid) -> Double {
        guard centroid.weightedNorm > 0 else { return 0 }
        let shift = slotShift, zeroTermValue = zeroTermValue
        let dot = keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in
                centroid.terms.withUnsafeBufferPointer { terms in
                    centroid.weights.withUnsafeBufferPointer { weights in
                        // In bounds: `home` is below the slot count, the mask keeps each step
                        // there, and `weights` is parallel to `terms`.
                        let mask = keys.count - 1
                        var dot = 0.0
                        for index in 0..<terms.count {
                            let term = terms[index]
                            guard term != 0 else {
                                dot += zeroTermValue * weights[index]
                                continue
                            }
                            var slot = Self.home(of: term, shift: shift)
                            while true {
                                let key = keys[slot], product = values[slot] * weights[index]
                                dot += key == term ? product : 0
                                if key == term || key == 0 { break }
                                slot = (slot + 1) & mask
                            }
                        }
                        return dot
                    }
                }
            }
        }
        return dot / centroid.weightedNorm
    }
}
