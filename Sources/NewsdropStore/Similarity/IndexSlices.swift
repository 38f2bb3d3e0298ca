/// The writer's deferred index writes, in slices of the 64-bit key space.
///
/// Near-duplicate postings, story postings and document frequencies are keyed by uniform
/// hashes, so writing an article's ≈ 64 postings, a new story's 24 and hundreds of term counts
/// as the article is placed touches as many B-tree pages scattered over the indexes, and a
/// commit of a few articles wrote hundreds of pages to the log per article. Instead, the writer
/// keeps them in memory and each commit writes one slice, the keys whose top six bits are the
/// slice's number, for every article since that slice was last written: up to 64 commits' worth
/// of entries landing in one sixty-fourth of each index, sorted. (At 200 files/s for 30 s the log took 108 pages per article with 16 slices,
/// 89 with 64 and 71 with 256, the last for no less CPU; `docs/performance.md`.)
///
/// Each slice's watermark (the `index_slices` table) is the highest article id whose entries in
/// that slice are written. Postings and frequencies held in memory are lost with the process; at
/// the next start `DeferredIndexWriter.recover` recomputes them from the stored articles above
/// the watermarks, so a crash loses none.
enum IndexSlices {
    static let count = 64

    /// The slice holding `key`: its top six bits.
    static func slice(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: key >> 58)
    }

    static var all: Range<Int> { 0..<count }
}
