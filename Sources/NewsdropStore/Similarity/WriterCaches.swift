import NewsdropCore
import Synchronization

/// What the writer keeps in memory between transactions so that placing an article does not
/// read and decode the same rows again: document frequencies, recently scored stories and the
/// sentence units of recent articles. All are bounded, written through on every change, and
/// dropped together when a transaction fails, so they never disagree with the database (a
/// rolled-back article's id is given to the next one).
final class WriterCaches: Sendable {
    let frequencies = DocumentFrequencyCache()
    let stories = StoryCache()
    let units = SentenceUnitCache()

    func reset() {
        frequencies.reset()
        stories.reset()
        units.reset()
    }
}

/// The sentence units of articles recorded or verified lately. Verifying a candidate read and
/// decoded its stored units, a quarter of the cost of verification; candidates come from the
/// newest entries of each posting list, so recent articles are asked for again and again.
/// Past `capacity` articles (about 4 KB each) it starts over.
final class SentenceUnitCache: Sendable {
    private let capacity: Int
    private let units = Mutex([Int64: [SentenceUnit]]())

    init(capacity: Int = 4_096) {
        self.capacity = capacity
    }

    func units(of articleID: Int64) -> [SentenceUnit]? {
        units.withLock { $0[articleID] }
    }

    func remember(_ articleUnits: [SentenceUnit], of articleID: Int64) {
        units.withLock { units in
            if units.count >= capacity, units[articleID] == nil { units.removeAll(keepingCapacity: true) }
            units[articleID] = articleUnits
        }
    }

    func reset() {
        units.withLock { $0.removeAll() }
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
