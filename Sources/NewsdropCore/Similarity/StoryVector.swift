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

    /// The top `count` terms of `vector` by weight, ties by term hash ascending (deterministic).
    public static func topTerms(_ vector: [UInt64: Double], count: Int) -> [UInt64] {
        guard count > 0 else { return [] }
        return vector
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(count)
            .map(\.key)
    }
}
