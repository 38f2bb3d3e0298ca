import Synchronization

/// The writer's document frequencies: those it has read from the database, plus the counts
/// placed articles added. Placing an article reads the frequencies of its own terms and of the
/// chosen story's centroid terms, mostly the same from one article to the next, so they are
/// kept; and the counts an article adds stay here until their slice is written
/// (`IndexSlices`), which writes each changed term once (`takeChanges`) instead of one upsert
/// per term per article.
///
/// Bounded: once past `capacity` terms, it drops every term with no unwritten change after the
/// next slice is written. Dropped whenever a transaction fails, with the unwritten counts, which
/// `DeferredIndexWriter.recover` then recomputes from the stored articles.
final class DocumentFrequencyCache: Sendable {
    fileprivate struct Entry {
        var documents: Int
        /// Changed since its slice was last written, so listed in `changedTerms`.
        var changed = false
    }

    private struct State {
        var frequencies = TermTable<Entry>()
        /// Every term with a stored count is held (`holdEveryStoredTerm`), so a term the cache
        /// does not hold is in no stored document; false once the cache sheds terms or drops
        /// everything.
        var holdsEveryStoredTerm = false
        var documents: Int?
        /// Per slice, the terms with an unwritten change.
        var changedTerms = [[UInt64]](repeating: [], count: IndexSlices.count)
        var documentsChanged = false
    }

    /// What changed in one slice, and the document count if it changed: absolute counts,
    /// ready to be written.
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

    /// The terms among `terms` whose count the cache does not know: none while it holds every
    /// stored term, since a term it does not hold then has no documents.
    func missing(_ terms: some Collection<UInt64>) -> [UInt64] {
        state.withLock { state in state.holdsEveryStoredTerm ? [] : terms.filter { state.frequencies[$0] == nil } }
    }

    /// Takes every stored count, when they fit in half the capacity (the other half leaves
    /// room for new terms before the cache must shed any): from then on a term the cache does
    /// not hold needs no lookup, which for the terms an article brings that no earlier one had
    /// was a tenth of placement (callgrind). Returns whether it took them; `read` gives the
    /// stored counts, at most the limit it is handed plus one.
    @discardableResult
    func holdEveryStoredTerm(_ read: (_ limit: Int) throws -> [(term: UInt64, documents: Int)]) rethrows -> Bool {
        let stored = try read(capacity / 2 + 1)
        guard stored.count <= capacity / 2 else { return false }
        state.withLock { state in
            for (term, documents) in stored {
                state.frequencies.modify(term, default: { Entry(documents: documents) }) { _ in }
            }
            state.holdsEveryStoredTerm = true
        }
        return true
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

    /// One more document holds `terms` (distinct; the document count is read before): returns
    /// each term's count, this document included, parallel to `terms`. A term the cache does
    /// not hold starts from its count in the database, which `stored` reads. One probe per
    /// term, where finding the missing terms, counting and reading the counts back took three.
    func countDocument(containing terms: [UInt64], stored: ([UInt64]) throws -> [UInt64: Int]) rethrows -> [Int] {
        var counts = [Int](repeating: 0, count: terms.count)
        let (missing, storedIsKnown) = state.withLock { state -> ([Int], Bool) in
            precondition(state.documents != nil, "the document count is read before it is incremented")
            state.documents! += 1
            state.documentsChanged = true
            var missing: [Int] = []
            for (index, term) in terms.enumerated() {
                let counted = state.frequencies.modifyIfPresent(term) { entry -> (documents: Int, firstChange: Bool) in
                    entry.documents += 1
                    defer { entry.changed = true }
                    return (entry.documents, !entry.changed)
                }
                guard let counted else {
                    missing.append(index)
                    continue
                }
                counts[index] = counted.documents
                if counted.firstChange { state.changedTerms[IndexSlices.slice(of: term)].append(term) }
            }
            return (missing, state.holdsEveryStoredTerm)
        }
        guard !missing.isEmpty else { return counts }
        let storedCounts = storedIsKnown ? [:] : try stored(missing.map { terms[$0] })
        state.withLock { state in
            for index in missing {
                let term = terms[index], documents = (storedCounts[term] ?? 0) + 1
                state.frequencies.modify(term, default: { Entry(documents: documents, changed: true) }) { _ in }
                state.changedTerms[IndexSlices.slice(of: term)].append(term)
                counts[index] = documents
            }
        }
        return counts
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

    /// The unwritten counts of one slice's terms, sorted as stored, and the document count
    /// if it changed since the last call; past `capacity`, the cache then drops every term
    /// without an unwritten change.
    func takeChanges(slice: Int) -> Changes {
        state.withLock { state in
            let changes = Changes(frequencies: state.changedTerms[slice].map { term in
                state.frequencies.modify(term, default: { preconditionFailure("a changed term is held") }) { entry in
                    entry.changed = false
                    return (term, entry.documents)
                }
            }.sorted { Int64(bitPattern: $0.term) < Int64(bitPattern: $1.term) },
            documents: state.documentsChanged ? state.documents : nil)
            state.changedTerms[slice].removeAll(keepingCapacity: true)
            state.documentsChanged = false
            if state.frequencies.count > capacity {
                state.frequencies.removeAll { !$0.changed }
                state.holdsEveryStoredTerm = false
            }
            return changes
        }
    }

    func reset() {
        state.withLock { $0 = State() }
    }
}
