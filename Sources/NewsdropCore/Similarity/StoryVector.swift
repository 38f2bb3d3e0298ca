import Foundation

/// Incremental smoothed IDF (SPEC §5.2): idf = ln((N + n0 + 1) / (df + 1)) + 1.
///
/// N counts the non-duplicate articles so far including the current one; the n0 pseudo-documents keep
/// weights near-uniform while N is small, and the formula tends to standard smoothed IDF as N grows.
public enum InverseDocumentFrequency {
    public static func weight(documentFrequency: Int, documents: Int, pseudoDocuments: Double) -> Double {
        log((Double(documents) + pseudoDocuments + 1) / (Double(documentFrequency) + 1)) + 1
    }
}

/// Sparse term vectors for story scoring (SPEC §5). Raw weights are stored without IDF and weighted
/// at comparison time, so old articles follow the maturing statistics instead of drifting.
public enum StoryVector {
    /// v = L2-normalise(w ∘ idf); `idf` gives the IDF of a term hash. An all-zero vector stays zero.
    public static func weighted(_ weights: [UInt64: Double], idf: (UInt64) -> Double) -> [UInt64: Double] {
        var vector = [UInt64: Double](minimumCapacity: weights.count)
        var squares = 0.0
        for (term, weight) in weights {
            let value = weight * idf(term)
            vector[term] = value
            squares += value * value
        }
        let norm = squares > 0 ? squares.squareRoot() : 1
        return vector.mapValues { $0 / norm }
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

    /// Cosine of a normalised vector with raw weights that `idf` weighs on the fly: the same as
    /// `cosine(vector, weighted(raw, idf: idf))`, in one pass and without building the weighted
    /// vector (the story step scores up to 24 centroids per article this way).
    public static func cosine(_ vector: [UInt64: Double], weighing raw: [UInt64: Double], idf: (UInt64) -> Double) -> Double {
        var dot = 0.0, squares = 0.0
        for (term, weight) in raw {
            let value = weight * idf(term)
            squares += value * value
            if let other = vector[term] { dot += value * other }
        }
        return squares > 0 ? dot / squares.squareRoot() : 0
    }

    /// The top `count` terms of `vector` by weight, ties by term hash ascending (deterministic).
    public static func topTerms(_ vector: [UInt64: Double], count: Int) -> [UInt64] {
        guard count > 0 else { return [] }
        var entries = vector.map { (term: $0.key, weight: $0.value) }
        // Selects the top `count` first and sorts only those: an article has hundreds of terms
        // and the caller wants a dozen.
        if entries.count > count { selectFirst(count, of: &entries) }
        return entries.prefix(count).sorted(by: ranksBefore).map(\.term)
    }

    private static func ranksBefore(_ a: (term: UInt64, weight: Double), _ b: (term: UInt64, weight: Double)) -> Bool {
        a.weight != b.weight ? a.weight > b.weight : a.term < b.term
    }

    /// Moves the `count` best-ranked entries to the front, in no particular order (quickselect
    /// with a middle pivot; `ranksBefore` is a strict total order, so it always ends).
    private static func selectFirst(_ count: Int, of entries: inout [(term: UInt64, weight: Double)]) {
        var low = 0, high = entries.count - 1
        while low < high {
            let pivot = entries[(low + high) / 2]
            var left = low, right = high
            while left <= right {
                while ranksBefore(entries[left], pivot) { left += 1 }
                while ranksBefore(pivot, entries[right]) { right -= 1 }
                if left <= right {
                    entries.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
            if count - 1 <= right { high = right } else if count - 1 >= left { low = left } else { return }
        }
    }
}
