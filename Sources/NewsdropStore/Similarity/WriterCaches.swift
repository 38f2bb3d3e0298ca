import Synchronization

/// What the writer keeps in memory between transactions: document frequencies and recently
/// scored stories, so that placing an article does not read and decode the same rows again, and
/// the postings and counts whose slices are not written yet (`IndexSlices`). All are bounded and
/// dropped together when a transaction fails; the store then recomputes the unwritten entries
/// from the database before it records again, so they never disagree with it.
final class WriterCaches: Sendable {
    let frequencies = DocumentFrequencyCache()
    let stories = StoryCache()
    let postings: PendingPostings
    /// The postings' filter of posted keys. Not reset with the rest: it must keep every key
    /// ever stored, and a key set for a transaction that failed only costs a lookup. Nil when
    /// the store keeps none.
    var postedKeys: PostedKeyFilter? { postings.keys }

    init(postingsBudget: Int = PendingPostings.defaultBudget, postedKeys: PostedKeyFilter? = nil) {
        postings = PendingPostings(budget: postingsBudget, keys: postedKeys)
    }

    func reset() {
        frequencies.reset()
        stories.reset()
        postings.reset()
    }
}

/// Stories as the clustering step last read or wrote them. Every article scores up to 24
/// candidate stories, mostly the same recent ones, and decoding a story's centroid from its
/// row was a large part of that. Past `capacity` stories it starts over.
final class StoryCache: Sendable {
    private let capacity: Int
    private let stories = Mutex([Int64: StoryRecord]())

    init(capacity: Int = 4_096) {
        self.capacity = capacity
    }

    func story(_ id: Int64) -> StoryRecord? {
        stories.withLock { $0[id] }
    }

    func remember(_ story: StoryRecord) {
        stories.withLock { stories in
            if stories.count >= capacity, stories[story.id] == nil { stories.removeAll(keepingCapacity: true) }
            stories[story.id] = story
        }
    }

    /// The story changed in the database in a way this cache does not mirror.
    func forget(_ id: Int64) {
        _ = stories.withLock { $0.removeValue(forKey: id) }
    }

    func reset() {
        stories.withLock { $0.removeAll() }
    }
}
