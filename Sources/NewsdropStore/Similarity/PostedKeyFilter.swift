import Foundation
import GRDB
import Glibc
import Synchronization

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
/// only cost a lookup). Memory: `bitCount / 8` bytes of anonymous mapping, taken as bits are
/// set; a key's bits land on pages at random, so a store of a few hundred articles has
/// touched all of it (peak RSS 108 → 174 MB for 2,000 articles, `newsdrop-bench ingest`).
final class PostedKeyFilter: @unchecked Sendable {
    /// 2²⁹ bits, 64 MB: with three bits per key, about 7% false positives at a million
    /// articles (about 100 million keys), under 0.1% at 100,000.
    static let defaultBitCount = 1 << 29
    private static let hashCount = 3

    private let words: UnsafeMutablePointer<UInt64>
    private let wordCount: Int
    /// 64 minus log2 of the bit count: the top bits of a hash choose the bit.
    private let shift: UInt64
    /// Guards `words`: the writer and the fill set bits from different threads.
    private let lock = Mutex(())
    private let filled = Atomic(false)
    private let cancelled = Atomic(false)
    private let skipped = Atomic(0)

    /// `bitCount` must be a power of two, at least 64.
    init(bitCount: Int = defaultBitCount) {
        precondition(bitCount >= 64 && bitCount.nonzeroBitCount == 1)
        wordCount = bitCount / 64
        let bytes = wordCount * MemoryLayout<UInt64>.stride
        // Anonymous pages read as zero and take memory only once written.
        let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapping, mapping != MAP_FAILED else { fatalError("cannot map \(bytes) bytes for the posted-key filter") }
        words = mapping.bindMemory(to: UInt64.self, capacity: wordCount)
        shift = UInt64(64 - bitCount.trailingZeroBitCount)
    }

    deinit {
        munmap(words, wordCount * MemoryLayout<UInt64>.stride)
    }

    /// Stops a fill under way after its current batch (the store is closing), leaving the
    /// filter unfilled.
    func cancelFill() {
        cancelled.store(true, ordering: .relaxed)
    }

    /// True once every key stored before the store opened is set: from then on, a key the
    /// filter has not seen has no postings.
    var isFilled: Bool { filled.load(ordering: .acquiring) }

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

    /// Sets every key already in the posting tables, reading them in key order a batch per
    /// read transaction (a long one would keep checkpoints from reusing the log), then marks
    /// the filter filled. Stops, leaving it unfilled, if `cancelFill` is called, a read fails
    /// or `reader` returns nil (the database is gone); `reader` is asked again for each batch, so
    /// the fill holds the database only while it reads.
    func fill(from reader: () -> (any DatabaseReader)?) {
        let batch = 65_536
        do {
            // From the smallest key on (`>=` once, so that a key of exactly Int64.min is read too).
            var after = Int64.min, comparison = ">="
            var more = true
            while more, !cancelled.load(ordering: .relaxed) {
                guard let database = reader() else { return }
                let keys = try database.read { db in
                    try Int64.fetchAll(db, sql: "SELECT DISTINCT key FROM sentence_postings WHERE key \(comparison) ? ORDER BY key LIMIT ?",
                                       arguments: [after, batch])
                }
                insert(keys.lazy.map { UInt64(bitPattern: $0) })
                more = keys.count == batch
                (after, comparison) = (keys.last ?? after, ">")
            }
            var band: Int64 = -1, key = Int64.min  // bands count from 0
            more = true
            while more, !cancelled.load(ordering: .relaxed) {
                guard let database = reader() else { return }
                let rows = try database.read { db in
                    try Row.fetchAll(db, sql: """
                        SELECT DISTINCT band, key FROM band_postings WHERE (band, key) > (?, ?) ORDER BY band, key LIMIT ?
                        """, arguments: [band, key, batch])
                }
                insert(rows.lazy.map { Self.key(band: Int($0[0] as Int64), key: UInt64(bitPattern: $0[1])) })
                more = rows.count == batch
                if let last = rows.last { (band, key) = (last[0], last[1]) }
            }
        } catch {
            return
        }
        if !cancelled.load(ordering: .relaxed) { filled.store(true, ordering: .releasing) }
    }

    /// The filter's bits for `key`, by double hashing one mixed value.
    private func forEachBit(of key: UInt64, _ body: (_ word: Int, _ mask: UInt64) -> Void) {
        let first = key &* 0x9E37_79B9_7F4A_7C15
        let step = (key ^ (key >> 31)) &* 0xBF58_476D_1CE4_E5B9 | 1
        for index in 0..<Self.hashCount {
            let bit = Int(truncatingIfNeeded: (first &+ UInt64(index) &* step) >> shift)
            body(bit >> 6, 1 << UInt64(bit & 63))
        }
    }
}
