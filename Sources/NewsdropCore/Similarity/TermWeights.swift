/// An article's raw story weights (SPEC §5.1): term hashes ascending, each with its weight.
///
/// Sorted once, in the parallel parse stage, because every step of story clustering walks the
/// terms in that order beside a centroid's (`ArticleStoryTerms`, `StoryCentroid`). Sorting a
/// dictionary there instead cost the single writer about a twentieth of its placement work.
public struct TermWeights: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// Distinct term hashes, ascending.
    public let terms: [UInt64]
    /// The weight of each term, parallel to `terms`.
    public let weights: [Double]

    public init(_ weights: [UInt64: Double]) {
        let sorted = weights.sorted { $0.key < $1.key }
        self.init(ascendingTerms: sorted.map(\.key), weights: sorted.map(\.value))
    }

    /// `terms` distinct and ascending, `weights` parallel to them.
    init(ascendingTerms terms: [UInt64], weights: [Double]) {
        assert(zip(terms, terms.dropFirst()).allSatisfy { $0 < $1 }, "distinct terms, ascending")
        precondition(terms.count == weights.count, "one weight per term")
        self.terms = terms
        self.weights = weights
    }

    /// Traps on a repeated term, as a dictionary literal does.
    public init(dictionaryLiteral elements: (UInt64, Double)...) {
        self.init(Dictionary(uniqueKeysWithValues: elements))
    }

    public var count: Int { terms.count }
    public var isEmpty: Bool { terms.isEmpty }

    /// The weight of `term`, or nil when the article does not have it (a binary search).
    public subscript(term: UInt64) -> Double? {
        var low = 0, high = terms.count
        while low < high {
            let middle = (low + high) / 2
            if terms[middle] < term { low = middle + 1 } else { high = middle }
        }
        return low < terms.count && terms[low] == term ? weights[low] : nil
    }
}
