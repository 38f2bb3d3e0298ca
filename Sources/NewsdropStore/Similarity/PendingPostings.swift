import Synchronization

/// Near-duplicate postings the writer has made but not yet written (`IndexSlices`): looked up
/// together with the stored ones, and handed out a slice at a time, sorted as the tables are.
///
/// Bounded: a slice's entries leave at most `IndexSlices.count` commits after they arrive, and
/// sooner when more than `budget` postings are held (`DeferredIndexWriter.writeDue`).
final class PendingPostings: Sendable {
    /// Postings held past which more than one slice is written per commit. The default is
    /// about 30 MB: sixty-four commits of a few articles each at a steady drop rate, a few
    /// commits of the largest batches.
    let budget: Int

    init(budget: Int = 400_000) {
        self.budget = budget
    }

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
        var count = 0
    }

    private struct State {
        var slices = [Lists](repeating: Lists(), count: IndexSlices.count)
        var count = 0
    }

    private let state = Mutex(State())

    /// Postings held, in every slice.
    var count: Int { state.withLock { $0.count } }

    /// Holds the article's postings until their slices are written.
    func post(articleID: Int64, bandKeys: [UInt64], sentenceKeys: [UInt64]) {
        state.withLock { state in
            for (band, key) in bandKeys.enumerated() {
                let slice = IndexSlices.slice(of: key)
                state.slices[slice].bands[BandKey(band: band, key: key), default: []].append(articleID)
                state.slices[slice].count += 1
            }
            for key in sentenceKeys {
                let slice = IndexSlices.slice(of: key)
                state.slices[slice].sentences[key, default: []].append(articleID)
                state.slices[slice].count += 1
            }
            state.count += bandKeys.count + sentenceKeys.count
        }
    }

    /// The held articles under a band key, newest first.
    func articles(band: Int, key: UInt64) -> [Int64] {
        state.withLock { $0.slices[IndexSlices.slice(of: key)].bands[BandKey(band: band, key: key)]?.reversed() ?? [] }
    }

    /// The held articles under a sentence key, newest first.
    func articles(sentenceKey key: UInt64) -> [Int64] {
        state.withLock { $0.slices[IndexSlices.slice(of: key)].sentences[key]?.reversed() ?? [] }
    }

    /// Removes and returns one slice's postings, ready to be inserted in order.
    func take(slice: Int) -> Slice {
        let lists = state.withLock { state in
            defer {
                state.count -= state.slices[slice].count
                state.slices[slice] = Lists()
            }
            return state.slices[slice]
        }
        var bands: [(band: Int64, key: Int64, articleID: Int64)] = []
        bands.reserveCapacity(lists.count)
        for (bandKey, articles) in lists.bands {
            for article in articles { bands.append((Int64(bandKey.band), Int64(bitPattern: bandKey.key), article)) }
        }
        bands.sort { ($0.band, $0.key, $0.articleID) < ($1.band, $1.key, $1.articleID) }
        var sentences: [(key: Int64, articleID: Int64)] = []
        sentences.reserveCapacity(lists.count)
        for (key, articles) in lists.sentences {
            for article in articles { sentences.append((Int64(bitPattern: key), article)) }
        }
        sentences.sort { ($0.key, $0.articleID) < ($1.key, $1.articleID) }
        return Slice(bands: bands, sentences: sentences)
    }

    func reset() {
        state.withLock { $0 = State() }
    }
}
