import Synchronization

/// The writer's document frequencies: those it has read from the database, plus the counts the
/// current transaction added. Scoring a story reads the frequencies of every term of its recent
/// members, so they are kept between articles; and the counts an article adds stay here until
/// the end of its transaction, which writes each changed term once (`takeChanges`) instead of
/// one upsert per term per article.
///
/// Bounded: once past `capacity` terms, it starts over after the next flush. Dropped whenever a
/// transaction fails, so it never disagrees with the database.
final class DocumentFrequencyCache: Sendable {
    private struct Entry {
        var documents: Int
        /// Changed by the current transaction, so listed in `changedTerms`.
        var changed = false
    }

    private struct State {
        var frequencies: [UInt64: Entry] = [:]
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

    /// The cached frequencies among `terms`, and the terms it does not hold.
    func lookup(_ terms: some Collection<UInt64>) -> (found: [UInt64: Int], missing: [UInt64]) {
        state.withLock { state in
            var found: [UInt64: Int] = [:], missing: [UInt64] = []
            found.reserveCapacity(terms.count)
            for term in terms {
                if let entry = state.frequencies[term] { found[term] = entry.documents } else { missing.append(term) }
            }
            return (found, missing)
        }
    }

    /// The terms among `terms` that the cache does not hold.
    func missing(_ terms: some Collection<UInt64>) -> [UInt64] {
        state.withLock { state in terms.filter { state.frequencies[$0] == nil } }
    }

    /// Frequencies read from the database; never overwrites a count this cache holds.
    func remember(_ frequencies: [UInt64: Int]) {
        state.withLock { state in
            for (term, documents) in frequencies where state.frequencies[term] == nil {
                state.frequencies[term] = Entry(documents: documents)
            }
        }
    }

    /// One more document holds `terms` (distinct, and each looked up before, as is the document
    /// count); returns their frequencies with it.
    func countDocument(containing terms: some Collection<UInt64>) -> [UInt64: Int] {
        state.withLock { state in
            precondition(state.documents != nil, "the document count is read before it is incremented")
            state.documents! += 1
            state.documentsChanged = true
            var counted = [UInt64: Int](minimumCapacity: terms.count)
            for term in terms {
                let documents = modify(&state.frequencies[term, default: Entry(documents: 0)]) { entry in
                    entry.documents += 1
                    if !entry.changed {
                        entry.changed = true
                        state.changedTerms.append(term)
                    }
                    return entry.documents
                }
                counted[term] = documents
            }
            return counted
        }
    }

    /// The counts changed since the last call, to be written in the same transaction; past
    /// `capacity`, the cache starts over once they are handed out.
    func takeChanges() -> Changes {
        state.withLock { state in
            let changes = Changes(frequencies: state.changedTerms.map { term in
                state.frequencies[term]!.changed = false
                return (term, state.frequencies[term]!.documents)
            }, documents: state.documentsChanged ? state.documents : nil)
            state.changedTerms.removeAll(keepingCapacity: true)
            state.documentsChanged = false
            if state.frequencies.count > capacity { state.frequencies.removeAll(keepingCapacity: true) }
            return changes
        }
    }

    func reset() {
        state.withLock { $0 = State() }
    }
}

/// Runs `body` on a value in place (a dictionary entry, without looking it up twice).
private func modify<Value, Result>(_ value: inout Value, _ body: (inout Value) -> Result) -> Result {
    body(&value)
}
