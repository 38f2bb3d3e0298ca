@testable import NewsdropStore
import XCTest

/// The writer's document frequencies: each counted document returns its terms' counts with
/// itself included, a term new to the cache starts from its stored count, and a slice's
/// changes leave once, as absolute counts.
final class DocumentFrequencyCacheTests: XCTestCase {
    func testCountingReturnsEachTermsCountAndReadsOnlyTermsNotHeld() {
        let cache = DocumentFrequencyCache()
        cache.setDocuments(10)
        let stored: [UInt64: Int] = [7: 4]  // term 9 is in no stored document
        var asked: [[UInt64]] = []
        let read = { (terms: [UInt64]) -> [UInt64: Int] in
            asked.append(terms)
            return stored.filter { terms.contains($0.key) }
        }
        XCTAssertEqual(cache.countDocument(containing: [7, 9], stored: read), [5, 1])
        XCTAssertEqual(cache.countDocument(containing: [9, 7, 3], stored: read), [2, 6, 1])
        XCTAssertEqual(asked, [[7, 9], [3]], "a held term is not read again")
        XCTAssertEqual(cache.documents(), 12)
        XCTAssertEqual(cache.snapshot.documents(containing: 7), 6)
        XCTAssertEqual(cache.missing([3, 7, 9, 11]), [11])
    }

    func testASlicesChangesLeaveOnceAsAbsoluteCounts() {
        let cache = DocumentFrequencyCache()
        cache.setDocuments(0)
        let high: UInt64 = 0xFC00_0000_0000_0001  // slice 63
        _ = cache.countDocument(containing: [1, high], stored: { _ in [1: 2] })
        _ = cache.countDocument(containing: [1], stored: { _ in XCTFail("held"); return [:] })
        let first = cache.takeChanges(slice: 0)
        XCTAssertEqual(first.frequencies.map(\.term), [1], "each changed term once")
        XCTAssertEqual(first.frequencies.map(\.documents), [4])
        XCTAssertEqual(first.documents, 2)
        let again = cache.takeChanges(slice: 0)
        XCTAssertTrue(again.frequencies.isEmpty)
        XCTAssertNil(again.documents, "the document count left with the first slice")
        XCTAssertEqual(cache.takeChanges(slice: IndexSlices.slice(of: high)).frequencies.map(\.documents), [1])
    }

    /// Holding every stored count, the cache answers for a term it does not hold (no stored
    /// document) without reading; once it sheds terms, it reads again.
    func testHoldingEveryStoredTermSparesTheReadsUntilTermsAreShed() {
        let cache = DocumentFrequencyCache(capacity: 8)
        cache.setDocuments(3)
        XCTAssertFalse(cache.holdEveryStoredTerm { limit in
            XCTAssertEqual(limit, 5, "half the capacity, and one more to tell that there are more")
            return (1...5).map { (UInt64($0), 1) }
        }, "more stored terms than half the capacity")
        XCTAssertEqual(cache.missing([1, 2]), [1, 2])

        XCTAssertTrue(cache.holdEveryStoredTerm { _ in [(1, 2), (2, 1)] })
        XCTAssertEqual(cache.missing([1, 2, 99]), [], "a term not held is in no stored document")
        let counts = cache.countDocument(containing: [1, 99], stored: { _ in XCTFail("no read while every term is held"); return [:] })
        XCTAssertEqual(counts, [3, 1])

        // Past the capacity, the next slice's write sheds the unchanged terms.
        for slice in IndexSlices.all { _ = cache.takeChanges(slice: slice) }
        _ = cache.countDocument(containing: (100..<110).map { UInt64($0) }, stored: { _ in XCTFail("still held"); return [:] })
        for slice in IndexSlices.all { _ = cache.takeChanges(slice: slice) }
        var read: [UInt64] = []
        _ = cache.countDocument(containing: [2, 200], stored: { terms in read = terms; return [2: 1] })
        XCTAssertEqual(read, [2, 200], "shed terms are read again")
    }
}
