import Synchronization

/// The writer's document frequencies: those it has read from the database, plus the counts the
/// current transaction added. Placing an article reads the frequencies of its own terms and of
/// the chosen story's centroid terms, mostly the same from one article to the next, so they are
/// kept; and the counts an article adds stay here until the end of its transaction, which
/// writes each changed term once (`takeChanges`) instead of one upsert per term per article.
///
/// Bounded: once past `capacity` terms, it starts over after the next flush. Dropped whenever a
/// transaction fails, so it never disagrees with the database.
final class DocumentFrequencyCache: Sendable {
    fileprivate struct Entry {
        var documents: Int
        /// Changed by the current transaction, so listed in `changedTerms`.
        var changed = false
    }

    private struct State {
        var frequencies = TermTable<Entry>()
        var documents: Int?
        var changedTerms: [UInt64] = []
        var documentsChanged = false
    }

    /// What a transaction changed: absolute counts, ready to be written.
    struct Changes {
        var frequencies: [(term: UInt64, documents: Int)]
        var documents: Int?
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 400_000) {
        self.capacity = capacity
    }

    func documents() -> Int? { state.withLock { $0.documents } }

    func setDocuments(_ count: Int) { state.withLock { $0.documents = count } }

    /// The terms among `terms` that the cache does not hold.
    func missing(_ terms: some Collection<UInt64>) -> [UInt64] {
        state.withLock { state in terms.filter { state.frequencies[$0] == nil } }
    }

    /// Frequencies read from the database; never overwrites a count this cache holds.
    func remember(_ frequencies: [UInt64: Int]) {
        state.withLock { state in
            for (term, documents) in frequencies {
                // Only a term not held yet takes the stored count.
                state.frequencies.modify(term, default: { Entry(documents: documents) }) { _ in }
            }
        }
    }

    /// One more document holds `terms` (distinct, and each looked up before, as is the
    /// document count).
    func countDocument(containing terms: some Collection<UInt64>) {
        state.withLock { state in
            precondition(state.documents != nil, "the document count is read before it is incremented")
            state.documents! += 1
            state.documentsChanged = true
            for term in terms {
                let firstChange = state.frequencies.modify(term, default: { Entry(documents: 0) }) { entry in
                    entry.documents += 1
                    defer { entry.changed = true }
                    return !entry.changed
                }
                if firstChange { state.changedTerms.append(term) }
            }
        }
    }

    /// The cached frequencies as they are now, for a scoring pass: reading them needs no lock
    /// and copies nothing. Let it go before the cache next changes: a snapshot still held then
    /// would make that change copy the whole cache.
    var snapshot: Snapshot {
        state.withLock { Snapshot(entries: $0.frequencies) }
    }

    /// Cached frequencies, read without the lock: 0 for a term not cached (callers make sure
    /// their terms are, with `missing` and `remember`).
    struct Snapshot {
        fileprivate let entries: TermTable<Entry>

        func documents(containing term: UInt64) -> Int {
            entries[term]?.documents ?? 0
        }
    }

    /// The counts changed since the last call, to be written in the same transaction; past
    /// `capacity`, the cache starts over once they are handed out.
    func takeChanges() -> Changes {
        state.withLock { state in
            let changes = Changes(frequencies: state.changedTerms.map { term in
                state.frequencies.modify(term, default: { preconditionFailure("a changed term is held") }) { entry in
                    entry.changed = false
                    return (term, entry.documents)
                }
            }, documents: state.documentsChanged ? state.documents : nil)
            state.changedTerms.removeAll(keepingCapacity: true)
            state.documentsChanged = false
            if state.frequencies.count > capacity { state.frequencies.removeAll() }
            return changes
        }
    }

    func reset() {
        state.withLock { $0 = State() }
    }
}
