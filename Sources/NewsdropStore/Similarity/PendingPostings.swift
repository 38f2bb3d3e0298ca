import Synchronization

/// Postings the writer has made but not yet written (`IndexSlices`): near-duplicate band and
/// sentence keys, and the terms stories are newly listed under. Looked up together with the
/// stored ones, and handed out a slice at a time, sorted as the tables are.
///
/// Bounded: a slice's entries leave at most `IndexSlices.count` commits after they arrive, and
/// sooner when more than `budget` postings are held (`DeferredIndexWriter.writeDue`).
final class PendingPostings: Sendable {
    /// Postings held past which more than one slice is written per commit.
    let budget: Int
    /// About 30 MB: sixty-four commits of a few articles each at a steady drop rate, a few
    /// commits of the largest batches.
    static let defaultBudget = 400_000

    /// Every key this store has posted, for `NearDuplicateIndex` to skip lookups of keys that
    /// have none; nil in tests of the postings alone.
    let keys: PostedKeyFilter?

    init(budget: Int = defaultBudget, keys: PostedKeyFilter? = nil) {
        self.budget = budget
        self.keys = keys
    }

    /// One slice's postings, written together (`take`).
    struct Slice {
        /// Sorted by band, then key as stored (a signed integer), then article.
        var bands: [(band: Int64, key: Int64, articleID: Int64)]
        /// Sorted by key as stored, then article.
        var sentences: [(key: Int64, articleID: Int64)]
        /// Sorted by term as stored, then story.
        var stories: [(term: Int64, storyID: Int64)] = []

        /// Puts every list in its table's primary-key order, so that inserting them walks each
        /// index once, page after page.
        mutating func sortAsStored() {
            bands.sort { ($0.band, $0.key, $0.articleID) < ($1.band, $1.key, $1.articleID) }
            sentences.sort { ($0.key, $0.articleID) < ($1.key, $1.articleID) }
            stories.sort { ($0.term, $0.storyID) < ($1.term, $1.storyID) }
        }
    }

    /// A held posting, chained to the one held before it under the same table key.
    private struct Held {
        static let sentence: Int16 = -1
        static let story: Int16 = -2
        /// A story posting taken back before it was written (`withdraw`): skipped by lookups and
        /// never written.
        static let withdrawn: Int16 = -3
        var key: UInt64
        /// The article, or for a story posting the story.
        var articleID: Int64
        /// Index in `Lists.postings` of the previous posting in the chain, or -1.
        var previous: Int32
        /// The band, `sentence`, `story` or `withdrawn`.
        var band: Int16
    }

    /// One slice's postings in arrival order, which is article order, with the newest under
    /// each key found through a table keyed by the hash itself: no allocation per posting, and
    /// no SipHash (a `Dictionary` of arrays cost a twentieth of placement, callgrind).
    private struct Lists {
        var postings: [Held] = []
        /// The newest posting under each key, band keys and sentence keys alike, each key mixed
        /// with its band number (`tableKey`); a chain can then hold another band's key with the
        /// same mixed value, which `forEachArticle` skips.
        var newest = TermTable<Int32>()

        mutating func append(_ key: UInt64, band: Int16, articleID: Int64) {
            let index = Int32(postings.count)
            let previous = newest.modify(Self.tableKey(key, band: band), default: { -1 }) { newest in
                defer { newest = index }
                return newest
            }
            postings.append(Held(key: key, articleID: articleID, previous: previous, band: band))
        }

        /// Calls `body` with the article ids under the key, newest first, until it returns false.
        func forEachArticle(_ key: UInt64, band: Int16, _ body: (Int64) -> Bool) {
            forEachPosting(key, band: band) { body(postings[$0].articleID) }
        }

        /// Marks the held story posting withdrawn; false when there is none.
        mutating func withdraw(_ term: UInt64, storyID: Int64) -> Bool {
            var found: Int?
            forEachPosting(term, band: Held.story) { index in
                if postings[index].articleID == storyID { found = index }
                return found == nil
            }
            guard let found else { return false }
            postings[found].band = Held.withdrawn
            return true
        }

        /// Calls `body` with the index in `postings` of each posting under the key and band,
        /// newest first, until it returns false.
        private func forEachPosting(_ key: UInt64, band: Int16, _ body: (Int) -> Bool) {
            var next = newest[Self.tableKey(key, band: band)]
            while let index = next, index >= 0 {
                let held = postings[Int(index)]
                if held.key == key, held.band == band, !body(Int(index)) { return }
                next = held.previous
            }
        }

        private static func tableKey(_ key: UInt64, band: Int16) -> UInt64 {
            key ^ (UInt64(UInt16(bitPattern: band)) &* 0x9E37_79B9_7F4A_7C15)
        }
    }

    private struct State {
        var slices = [Lists](repeating: Lists(), count: IndexSlices.count)
        var count = 0
    }

    private let state = Mutex(State())

    /// Postings held, in every slice.
    var count: Int { state.withLock { $0.count } }

    /// Holds the article's postings until their slices are written.
    func post(articleID: Int64, keys posted: IndexKeys) {
        state.withLock { state in
            for (band, key) in posted.bands.enumerated() {
                state.slices[IndexSlices.slice(of: key)].append(key, band: Int16(band), articleID: articleID)
            }
            for key in posted.sentences {
                state.slices[IndexSlices.slice(of: key)].append(key, band: Held.sentence, articleID: articleID)
            }
            state.count += posted.bands.count + posted.sentences.count
        }
        keys?.insert(posted.filterKeys)
    }

    /// Holds the story's postings under `terms` until their slices are written.
    func post(storyID: Int64, terms: some Sequence<UInt64>) {
        state.withLock { state in
            for term in terms {
                state.slices[IndexSlices.slice(of: term)].append(term, band: Held.story, articleID: storyID)
                state.count += 1
            }
        }
    }

    /// Takes back a held story posting before it is written: true when it was held, so that
    /// the table has no row for it.
    func withdraw(storyID: Int64, term: UInt64) -> Bool {
        state.withLock { state in
            guard state.slices[IndexSlices.slice(of: term)].withdraw(term, storyID: storyID) else { return false }
            state.count -= 1
            return true
        }
    }

    /// Calls `body` with the stories held under a term, newest posting first.
    func forEachStory(term: UInt64, _ body: (Int64) -> Void) {
        state.withLock { $0.slices[IndexSlices.slice(of: term)].forEachArticle(term, band: Held.story) { body($0); return true } }
    }

    /// Calls `body` with the held articles under a band key, newest first, while it returns true.
    func forEachArticle(band: Int, key: UInt64, _ body: (Int64) -> Bool) {
        state.withLock { $0.slices[IndexSlices.slice(of: key)].forEachArticle(key, band: Int16(band), body) }
    }

    /// Calls `body` with the held articles under a sentence key, newest first, while it returns true.
    func forEachArticle(sentenceKey key: UInt64, _ body: (Int64) -> Bool) {
        state.withLock { $0.slices[IndexSlices.slice(of: key)].forEachArticle(key, band: Held.sentence, body) }
    }

    /// Removes and returns one slice's postings, ready to be inserted in order.
    func take(slice: Int) -> Slice {
        let postings = state.withLock { state in
            defer {
                state.count -= state.slices[slice].postings.count(where: { $0.band != Held.withdrawn })
                state.slices[slice] = Lists()
            }
            return state.slices[slice].postings
        }
        var slice = Slice(bands: [], sentences: [])
        for held in postings {
            switch held.band {
            case Held.sentence: slice.sentences.append((Int64(bitPattern: held.key), held.articleID))
            case Held.story: slice.stories.append((Int64(bitPattern: held.key), held.articleID))
            case Held.withdrawn: continue
            default: slice.bands.append((Int64(held.band), Int64(bitPattern: held.key), held.articleID))
            }
        }
        slice.sortAsStored()
        return slice
    }

    func reset() {
        state.withLock { $0 = State() }
    }
}
