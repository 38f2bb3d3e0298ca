import Synchronization

/// Near-duplicate postings the writer has made but not yet written (`IndexSlices`): looked up
/// together with the stored ones, and handed out a slice at a time, sorted as the tables are.
///
/// Bounded by the slice rotation: a slice's entries leave at most sixteen commits after they
/// arrive, so at most sixteen batches' postings are held (about 30 MB at the largest batch).
final class PendingPostings: Sendable {
    struct BandKey: Hashable {
        var band: Int
        var key: UInt64
    }

    /// One slice's postings, written together (`take`).
    struct Slice {
        /// Sorted by band, then key as stored (a signed integer), then article.
        var bands: [(band: Int64, key: Int64, articleID: Int64)]
        /// Sorted by key as stored, then article.
        var sentences: [(key: Int64, articleID: Int64)]
    }

    /// Article ids per key, oldest first (articles are placed in id order).
    private struct Lists {
        var bands: [BandKey: [Int64]] = [:]
        var sentences: [UInt64: [Int64]] = [:]
    }

    private let slices = Mutex([Lists](repeating: Lists(), count: IndexSlices.count))

    /// Holds the article's postings until their slices are written.
    func post(articleID: Int64, bandKeys: [UInt64], sentenceKeys: [UInt64]) {
        slices.withLock { slices in
            for (band, key) in bandKeys.enumerated() {
                slices[IndexSlices.slice(of: key)].bands[BandKey(band: band, key: key), default: []].append(articleID)
            }
            for key in sentenceKeys {
                slices[IndexSlices.slice(of: key)].sentences[key, default: []].append(articleID)
            }
        }
    }

    /// The held articles under a band key, newest first.
    func articles(band: Int, key: UInt64) -> [Int64] {
        slices.withLock { $0[IndexSlices.slice(of: key)].bands[BandKey(band: band, key: key)]?.reversed() ?? [] }
    }

    /// The held articles under a sentence key, newest first.
    func articles(sentenceKey key: UInt64) -> [Int64] {
        slices.withLock { $0[IndexSlices.slice(of: key)].sentences[key]?.reversed() ?? [] }
    }

    /// Removes and returns one slice's postings, ready to be inserted in order.
    func take(slice: Int) -> Slice {
        let lists = slices.withLock { slices in
            defer { slices[slice] = Lists() }
            return slices[slice]
        }
        var bands: [(band: Int64, key: Int64, articleID: Int64)] = []
        for (bandKey, articles) in lists.bands {
            for article in articles { bands.append((Int64(bandKey.band), Int64(bitPattern: bandKey.key), article)) }
        }
        bands.sort { ($0.band, $0.key, $0.articleID) < ($1.band, $1.key, $1.articleID) }
        var sentences: [(key: Int64, articleID: Int64)] = []
        for (key, articles) in lists.sentences {
            for article in articles { sentences.append((Int64(bitPattern: key), article)) }
        }
        sentences.sort { ($0.key, $0.articleID) < ($1.key, $1.articleID) }
        return Slice(bands: bands, sentences: sentences)
    }

    func reset() {
        slices.withLock { $0 = [Lists](repeating: Lists(), count: IndexSlices.count) }
    }
}
