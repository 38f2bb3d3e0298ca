import Synchronization

/// Document frequencies the writer has read or written lately, so that scoring a story (which
/// reads the frequencies of every term of its recent members) does not ask SQLite for the same
/// terms article after article. Bounded: past `capacity` terms it starts over. Written through
/// on every change, and dropped whenever a transaction fails, so it never disagrees with the
/// database.
final class DocumentFrequencyCache: Sendable {
    private struct State {
        var frequencies: [UInt64: Int] = [:]
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
                if let count = state.frequencies[term] { found[term] = count } else { missing.append(term) }
            }
            return (found, missing)
        }
    }

    func remember(_ frequencies: [UInt64: Int]) {
        state.withLock { state in
            if state.frequencies.count + frequencies.count > capacity { state.frequencies.removeAll(keepingCapacity: true) }
            state.frequencies.merge(frequencies) { _, new in new }
        }
    }

    /// One more document holds these terms (mirrors the database update).
    func countDocument(containing terms: some Collection<UInt64>) {
        state.withLock { state in
            state.documents = state.documents.map { $0 + 1 }
            for term in terms where state.frequencies[term] != nil { state.frequencies[term]! += 1 }
        }
    }

    func reset() {
        state.withLock { $0 = State() }
    }
}
