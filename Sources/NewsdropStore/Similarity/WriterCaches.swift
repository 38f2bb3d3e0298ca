import NewsdropCore
import Synchronization

/// What the writer keeps in memory between transactions: document frequencies and recently
/// scored stories' centroids, so that placing an article does not read the same rows again, and
/// the postings and counts whose slices are not written yet (`IndexSlices`). All are bounded and
/// dropped together when a transaction fails; the store then recomputes the unwritten entries
/// from the database before it records again, so they never disagree with it.
final class WriterCaches: Sendable {
    let frequencies = DocumentFrequencyCache()
    let stories = StoryCentroidCache()
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

/// What scoring a candidate story needs, as the clustering step last read or wrote it: its
/// date range and centroid, with the weights as stored (rounded to f32), so that a cached story
/// scores the same bits as one read from its row. Every article scores up to 24 candidate
/// stories; on a small store mostly the same recent ones, on a large one mostly others (at
/// 100,000 stored articles, 2,000 more scored 20,550 distinct stories in 35,000 lookups).
struct CachedCentroid {
    let firstDay: Int64?
    let lastDay: Int64?
    let centroid: StoryCentroid
}

/// Recently scored or saved stories' centroids, at most `capacity`, in two generations: a
/// story used again is moved to the young one, and when the young generation is full the old
/// one is dropped. Stories in use stay; before, the whole cache was dropped when full.
final class StoryCentroidCache: Sendable {
    private let generationSize: Int
    private let generations = Mutex((young: [Int64: CachedCentroid](), old: [Int64: CachedCentroid]()))

    /// About 3.3 KB per story: 8,192 take about 27 MB.
    init(capacity: Int = 8_192) {
        generationSize = max(capacity / 2, 1)
    }

    func centroid(of id: Int64) -> CachedCentroid? {
        generations.withLock { generations in
            if let young = generations.young[id] { return young }
            guard let old = generations.old.removeValue(forKey: id) else { return nil }
            Self.add(id, old, to: &generations, generationSize: generationSize)
            return old
        }
    }

    func remember(_ id: Int64, _ centroid: CachedCentroid) {
        generations.withLock { generations in
            generations.old[id] = nil
            Self.add(id, centroid, to: &generations, generationSize: generationSize)
        }
    }

    /// The story changed in the database in a way this cache does not mirror.
    func forget(_ id: Int64) {
        generations.withLock { generations in
            generations.young[id] = nil
            generations.old[id] = nil
        }
    }

    func reset() {
        generations.withLock { $0 = ([:], [:]) }
    }

    var count: Int { generations.withLock { $0.young.count + $0.old.count } }

    private static func add(_ id: Int64, _ centroid: CachedCentroid,
                            to generations: inout (young: [Int64: CachedCentroid], old: [Int64: CachedCentroid]),
                            generationSize: Int) {
        if generations.young.count >= generationSize, generations.young[id] == nil {
            generations.old = generations.young
            generations.young = [:]
        }
        generations.young[id] = centroid
    }
}
