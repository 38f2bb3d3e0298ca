/// One-permutation MinHash of word 3-shingles with rotation densification, and its LSH band keys
/// (SPEC §3.2). Catches exact and lightly edited copies; paraphrases are left to sentence fingerprints.
struct MinHashSketch {
    static let binCount = 64
    static let bandCount = 16
    static let rowsPerBand = 4
    static let shingleLength = 3
    /// Empty-bin marker: bin values are below 2⁵⁸, so it can never be a real value.
    private static let empty = UInt64.max
    private static let densifyStep: UInt64 = 0x9E37_79B9_7F4A_7C15

    private var bins = [UInt64](repeating: empty, count: binCount)

    /// Adds the shingles of the article's lower-cased tokens (stopwords included): each window of three
    /// tokens joined by single spaces, or one shingle of all tokens when there are fewer than three.
    mutating func insertShingles(of words: WordBuffer) {
        guard !words.tokens.isEmpty else { return }
        // Through buffer pointers: every byte is hashed three times, and the bounds checks of
        // indexing the arrays were about a fifth of the work (callgrind).
        words.tokens.withUnsafeBufferPointer { tokens in
            words.bytes.withUnsafeBufferPointer { bytes in
                let windows = max(tokens.count - Self.shingleLength + 1, 1)
                for first in 0..<windows {
                    var hash = SimilarityHash.fnvOffsetBasis
                    for index in first..<min(first + Self.shingleLength, tokens.count) {
                        if index > first { hash = SimilarityHash.fnv1a64(hash, UInt8(ascii: " ")) }
                        // In bounds: a token's range lies in the buffer it was appended to.
                        for byteIndex in tokens[index].bytes { hash = SimilarityHash.fnv1a64(hash, bytes[byteIndex]) }
                    }
                    insert(shingle: hash)
                }
            }
        }
    }

    /// Repeated shingles are harmless: a bin keeps a minimum.
    private mutating func insert(shingle: UInt64) {
        let mixed = SimilarityHash.mix64(shingle)
        let bin = Int(mixed >> 58)
        bins[bin] = min(bins[bin], mixed & ((1 << 58) - 1))
    }

    /// The 64 signature values. An empty bin borrows the next non-empty bin to its right (cyclically),
    /// offset by the distance, so empty bins of different articles rarely agree by accident.
    func values() -> [UInt64] {
        guard bins.contains(where: { $0 != Self.empty }) else { return Array(repeating: 0, count: Self.binCount) }
        return (0..<Self.binCount).map { bin in
            var distance = 0
            while bins[(bin + distance) % Self.binCount] == Self.empty { distance += 1 }
            return bins[(bin + distance) % Self.binCount] &+ UInt64(distance) &* Self.densifyStep
        }
    }

    /// 16 band keys of 4 rows each; a key's position is its band number.
    static func bandKeys(_ values: [UInt64]) -> [UInt64] {
        (0..<bandCount).map { band in
            var key = SimilarityHash.mix64(UInt64(band))
            for row in 0..<rowsPerBand { key = SimilarityHash.mix64(key ^ values[band * rowsPerBand + row]) }
            return key
        }
    }
}

/// Sentence fingerprints (SPEC §3.3), the paraphrase-robust channel: two keys per sentence unit, each
/// from the unit's two smallest terms under a seeded mix. Two units with term Jaccard J share a key with
/// probability about J².
enum SentenceFingerprint {
    private static let seeds: [UInt64] = [0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344]

    /// Appends the keys of a unit given its distinct (at least two) 64-bit term hashes.
    static func appendKeys(distinctTerms terms: ArraySlice<UInt64>, to keys: inout [UInt64]) {
        for (seedIndex, seed) in seeds.enumerated() {
            var smallest = UInt64.max, second = UInt64.max
            for term in terms {
                let value = SimilarityHash.mix64(term ^ seed)
                if value < smallest {
                    second = smallest
                    smallest = value
                } else if value < second {
                    second = value
                }
            }
            let rotated = (second << 1) | (second >> 63)
            keys.append(SimilarityHash.mix64((smallest ^ rotated) &+ UInt64(seedIndex)))
        }
    }

    /// The keys an article posts to the index and looks up: all of them up to `limit`, else the
    /// `limit` whose second mix ranks lowest (a bottom-k sample). A key two articles share ranks
    /// alike in both: a shared key among the `limit` lowest of their keys together is in both
    /// samples. Ranking by the key itself would post only keys from the bottom of the key space,
    /// all in the first write slices. The sample keeps the keys' order.
    static func postedSample(of keys: [UInt64], limit: Int) -> [UInt64] {
        guard keys.count > limit else { return keys }
        guard limit > 0 else { return [] }
        // The limit-th lowest rank bounds the sample. `mix64` is a bijection, so distinct keys
        // rank distinctly and exactly `limit` pass. Selecting it costs a small part of sorting
        // rank-key pairs through a closure, which was 6% of placing an article (callgrind).
        var ranks = keys.map(postingRank)
        Quickselect.moveFirst(limit, of: &ranks, by: <)
        let bound = ranks[..<limit].max()!
        return keys.filter { postingRank($0) <= bound }
    }

    /// The rank that chooses the sample: a second mix of the key.
    static func postingRank(_ key: UInt64) -> UInt64 {
        SimilarityHash.mix64(key ^ 0xA409_3822_299F_31D0)
    }
}
