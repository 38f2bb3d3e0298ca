import Foundation
import GRDB
import Glibc
import Synchronization

/// Where a store's filter of posted keys stands, for `status`.
public enum PostedKeyFilterState: Sendable, Equatable {
    /// None is kept: near-duplicates and stories are off, or its size is 0.
    case off
    /// It is reading the keys stored before the store opened; every key is looked up meanwhile.
    case filling
    /// Candidate search skips the keys it has not seen.
    case filled
    /// It cannot be used, for this reason; every key is looked up, as without one. A fill that
    /// failed is tried again (`PostedKeyFilter.fillRetrying`).
    case failed(String)
}

/// What the daemon logs about a store's filter of posted keys: the end of its fill, or why it
/// cannot be used (each failed try).
public enum PostedKeyFilterEvent: Sendable, Equatable {
    /// The fill read this many stored keys in this many seconds.
    case filled(keys: Int, seconds: Double)
    /// The filter cannot be used, for this reason.
    case failed(String)
}

/// Which posting keys may have postings: a Bloom filter of every key ever posted, so that
/// looking up a key no article has posted costs a few memory reads instead of a B-tree descent.
///
/// Sentence keys pair a sentence's two smallest hashed terms, so a sentence no earlier article
/// shares has a key no posting list holds: on generated news, 99.4% of the stored lists that
/// candidate search looked up were empty, each costing a descent into the posting tables (and,
/// in a store larger than the page cache, a read from disk).
///
/// Never wrong in the direction that matters: a key it has not seen has no postings. The
/// writer sets every key it posts, and at open a background reader sets every key already in
/// the tables, in short read transactions. Postings are never deleted, so a key stored before
/// the store opened is in every later snapshot, and a key stored after it was posted by this
/// writer; together they cover every stored key. Until that fill is complete the filter
/// answers "maybe" for every key. Keys stay set when a transaction fails (a few keys too many
/// only cost a lookup); a fill that fails leaves it answering "maybe", which costs the lookups
/// it would have spared and nothing else.
///
/// Memory: its size (`dedup.key_filter_size`, 64 MB by default) of anonymous mapping, taken
/// whole when the fill starts (a key's bits land on pages at random, so a store of a few
/// hundred articles had touched all of it anyway: peak RSS 108 → 174 MB for 2,000 articles,
/// `newsdrop-bench ingest`).
/// A smaller filter answers "maybe" more often as the store grows, and skips fewer lookups.
final class PostedKeyFilter: @unchecked Sendable {
    /// 64 MB, 2²⁹ bits: with three bits per key, about 0.3% false positives at a million
    /// articles (some 27 million distinct keys: 16 bands and a sample of at most 48 sentence
    /// keys each), 8% at 100 million keys.
    static let defaultByteCount = 64 << 20
    private static let hashCount = 3

    /// Why a filter could not be made: its memory could not be mapped.
    struct MappingError: Error, CustomStringConvertible {
        let byteCount: Int
        let code: Int32

        var description: String {
            "cannot map the \(byteCount) bytes asked for: \(String(cString: strerror(code)))"
        }
    }

    /// How a fill ended.
    enum FillOutcome: Equatable {
        /// Every stored key is set: this many were read.
        case filled(keys: Int)
        /// A read failed, for this reason; the filter stays unfilled.
        case failed(String)
        /// `cancelFill` was called, or the database went away.
        case cancelled
    }

    private let words: UnsafeMutablePointer<UInt64>
    private let wordCount: Int
    /// A key's bits all fall in one block of this many words, a 64-byte cache line: one
    /// memory access per key instead of one per bit, for about the same false positives as
    /// bits spread over the whole filter (8.0% against 7.8% at 100 million keys in 64 MB).
    private static let blockWords = 8
    private let blockCount: UInt64
    /// Guards `words`: the writer and the fill set bits from different threads.
    private let lock = Mutex(())
    private let filled = Atomic(false)
    private let failure = Mutex<String?>(nil)
    private let cancelled = Atomic(false)
    /// Wakes a fill that waits to try again, when the store closes.
    private let wake = DispatchSemaphore(value: 0)
    private let skipped = Atomic(0)

    /// A filter of `byteCount` bytes (rounded down to whole 64-byte blocks, at least one).
    init(byteCount: Int = defaultByteCount) throws(MappingError) {
        let blocks = max(byteCount / (Self.blockWords * 8), 1)
        blockCount = UInt64(blocks)
        wordCount = blocks * Self.blockWords
        let bytes = wordCount * MemoryLayout<UInt64>.stride
        // Anonymous pages read as zero and take memory only once written.
        let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapping, mapping != MAP_FAILED else { throw MappingError(byteCount: byteCount, code: errno) }
        // Keys land on pages at random: with 2 MB pages the filter needs a few dozen TLB entries
        // instead of thousands. Only a hint; where the kernel refuses, 4 KB pages work the same.
        _ = madvise(mapping, bytes, MADV_HUGEPAGE)
        words = mapping.bindMemory(to: UInt64.self, capacity: wordCount)
    }

    deinit {
        munmap(words, wordCount * MemoryLayout<UInt64>.stride)
    }

    /// Stops a fill under way after its current batch, or waiting to try again (the store is
    /// closing), leaving the filter unfilled.
    func cancelFill() {
        cancelled.store(true, ordering: .relaxed)
        wake.signal()
    }

    /// True once every key stored before the store opened is set: from then on, a key the
    /// filter has not seen has no postings.
    var isFilled: Bool { filled.load(ordering: .acquiring) }

    /// Why the fill stopped short, if a read failed.
    var fillFailure: String? { failure.withLock { $0 } }

    /// Lookups of stored posting lists spared so far.
    var skippedLookups: Int { skipped.load(ordering: .relaxed) }

    /// The filter's key for a band key: each band is its own key space.
    static func key(band: Int, key: UInt64) -> UInt64 {
        key ^ (UInt64(band + 1) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The filter's keys for one article's postings: its band keys (position = band), then its
    /// sentence keys as they are.
    static func keys(bandKeys: [UInt64], sentenceKeys: [UInt64]) -> [UInt64] {
        bandKeys.enumerated().map { key(band: $0.offset, key: $0.element) } + sentenceKeys
    }

    func insert<Keys: Sequence>(_ keys: Keys) where Keys.Element == UInt64 {
        lock.withLock { _ in
            for key in keys {
                forEachBit(of: key) { word, mask in words[word] |= mask }
            }
        }
    }

    /// For each key, whether it may have postings: always true until the fill is complete.
    /// Counts the keys answered false as spared lookups.
    func mayHavePostings(_ keys: [UInt64]) -> [Bool] {
        guard isFilled else { return Array(repeating: true, count: keys.count) }
        let answers = lock.withLock { _ in
            keys.map { key in
                var present = true
                forEachBit(of: key) { word, mask in present = present && words[word] & mask != 0 }
                return present
            }
        }
        skipped.add(answers.lazy.filter { !$0 }.count, ordering: .relaxed)
        return answers
    }

    /// Takes the filter's memory now, on the fill's thread. Each page is zeroed by the kernel
    /// when first written; left to the writer, that was about 150 ms of its time in the first
    /// few hundred articles after every start (4% of `newsdrop-bench stages`' samples). Only a
    /// hint: a kernel older than 5.14 refuses it, and the pages come as bits are set, as before.
    private func populate() {
        _ = madvise(words, wordCount * MemoryLayout<UInt64>.stride, MADV_POPULATE_WRITE)
    }

    /// Sets every key already in the posting tables, reading each table in key order a batch
    /// per read transaction (a long one would keep checkpoints from reusing the log), then
    /// marks the filter filled. `reader` is asked again for each batch, so the fill holds the
    /// database only while it reads; nil means the database is gone.
    func fill(from reader: () -> (any DatabaseReader)?, batchSize: Int = 65_536) -> FillOutcome {
        populate()
        var read = 0
        for table in PostingTable.allCases {
            var last: [Int64]?  // the previous batch's last row; nil before the first
            repeat {
                guard !cancelled.load(ordering: .relaxed), let database = reader() else { return .cancelled }
                var keys: [UInt64] = [], lastRow: [Int64] = []
                do {
                    try database.read { db in
                        // A cursor decodes each row in place; fetching `Row`s copied every one.
                        let rows = try Row.fetchCursor(db, sql: table.batchQuery(afterRow: last != nil),
                                                       arguments: StatementArguments((last ?? []) + [Int64(batchSize)]))
                        keys.reserveCapacity(batchSize)
                        while let row = try rows.next() {
                            keys.append(table.filterKey(row))
                            if keys.count == batchSize { lastRow = (0..<row.count).map { row[$0] } }
                        }
                    }
                } catch {
                    let reason = "reading the stored keys of \(table.rawValue) failed: \(error)"
                    failure.withLock { $0 = reason }
                    return .failed(reason)
                }
                insert(keys)
                read += keys.count
                last = keys.count == batchSize ? lastRow : nil
            } while last != nil
        }
        failure.withLock { $0 = nil }
        filled.store(true, ordering: .releasing)
        return .filled(keys: read)
    }

    /// Fills, and after a failed read tries again from the start, `firstRetryDelay` seconds
    /// later, then twice as long each time up to an hour, until the filter is filled or the
    /// fill is cancelled: a read error that passes (a full disk's, say) costs lookups for a
    /// while, not until the next start. `report` hears of every try that fills or fails.
    func fillRetrying(from reader: () -> (any DatabaseReader)?, firstRetryDelay: Double = 60,
                      report: (PostedKeyFilterEvent) -> Void) {
        var delay = firstRetryDelay
        while true {
            let started = Date()
            switch fill(from: reader) {
            case .filled(let keys):
                return report(.filled(keys: keys, seconds: Date().timeIntervalSince(started)))
            case .failed(let reason):
                report(.failed(reason + "; trying again in \(Int(delay.rounded(.up))) s"))
            case .cancelled:
                return
            }
            guard wake.wait(timeout: .now() + delay) == .timedOut, !cancelled.load(ordering: .relaxed) else { return }
            delay = min(delay * 2, 3_600)
        }
    }

    /// A posting table as the fill reads it: its distinct keys, in the order of its primary key.
    private enum PostingTable: String, CaseIterable {
        case sentence_postings
        case band_postings

        private var keyColumns: String { self == .sentence_postings ? "key" : "band, key" }

        /// The next batch: from the start, or after the row bound to the leading arguments.
        func batchQuery(afterRow: Bool) -> String {
            let placeholders = self == .sentence_postings ? "?" : "?, ?"
            let bound = afterRow ? "WHERE (\(keyColumns)) > (\(placeholders))" : ""
            return "SELECT DISTINCT \(keyColumns) FROM \(rawValue) \(bound) ORDER BY \(keyColumns) LIMIT ?"
        }

        func filterKey(_ row: Row) -> UInt64 {
            switch self {
            case .sentence_postings: UInt64(bitPattern: row[0])
            case .band_postings: PostedKeyFilter.key(band: row[0], key: UInt64(bitPattern: row[1]))
            }
        }
    }

    /// The filter's bits for `key`: one mixed value's share of the block count (its high word
    /// times the count, so any size works) picks the block, and nine high bits of another value
    /// per bit pick the bits in it.
    private func forEachBit(of key: UInt64, _ body: (_ word: Int, _ mask: UInt64) -> Void) {
        let block = Int(truncatingIfNeeded: blockCount.multipliedFullWidth(by: key &* 0x9E37_79B9_7F4A_7C15).high)
        assert(block < Int(blockCount))
        let positions = (key ^ (key >> 31)) &* 0xBF58_476D_1CE4_E5B9
        for index in 0..<Self.hashCount {
            let bit = Int(truncatingIfNeeded: positions >> UInt64(55 - 9 * index)) & 511
            body(block * Self.blockWords + (bit >> 6), 1 << UInt64(bit & 63))
        }
    }
}
