import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import XCTest

/// Candidate stories are scored from the writer's cache of centroids or from three columns of
/// their rows, read in place: both must give the story exactly as saved, and the cache must keep
/// the stories in use within its bound.
final class StoryCandidateTests: XCTestCase {
    private func story(_ id: Int64, terms: [UInt64], weights: [Double], day: Int64?) -> StoryRecord {
        StoryRecord(id: id, label: "story \(id)", firstDay: day, lastDay: day.map { $0 + 2 }, firstSeen: "2026-11-23T00:00:00Z",
                    lastSeen: "2026-11-23T00:00:00Z", articleCount: 1,
                    centroid: StoryCentroid(terms: terms, weights: weights, weightedNorm: 1.75), posted: Array(terms.prefix(2)))
    }

    /// A saved story scores the same bits from the cache as from its row, and the row's read
    /// gives the date range and norm as saved: weights are rounded as they are stored, so a
    /// score never depends on whether the story was cached.
    func testACandidateReadFromItsRowEqualsTheCachedOneToTheBit() throws {
        let database = try DatabaseQueue()
        try Schema.migrator.migrate(database)
        let caches = WriterCaches()
        let saved = story(7, terms: [3, 11, 40, 900], weights: [0.1, 1.0 / 3.0, 0.7071067811865476, 2.2], day: 19_000)
        let query = ArticleStoryTerms([3: 0.5, 40: 0.25, 77: 1.0], idf: { _ in 1.3 }).query

        let (fromCache, fromRow) = try database.write { db -> (CachedCentroid?, CachedCentroid?) in
            let index = StoryIndex(db: db, settings: SimilaritySettings(), caches: caches)
            try index.save(saved, previouslyPosted: [])
            let cached = try index.candidate(7)
            caches.reset()
            return (cached, try index.candidate(7))
        }
        let cached = try XCTUnwrap(fromCache), read = try XCTUnwrap(fromRow)
        XCTAssertEqual(read.centroid, cached.centroid)
        XCTAssertEqual(read.centroid.weights, saved.centroid.weights.map { Double(Float($0)) })
        XCTAssertNotEqual(read.centroid.weights, saved.centroid.weights, "these weights lose digits as f32")
        XCTAssertEqual(read.centroid.weightedNorm, 1.75)
        XCTAssertEqual(read.firstDay, 19_000)
        XCTAssertEqual(read.lastDay, 19_002)
        XCTAssertEqual(query.cosine(with: read.centroid).bitPattern, query.cosine(with: cached.centroid).bitPattern)
        XCTAssertEqual(caches.stories.count, 1, "the row's read is cached")
    }

    /// A story with no row, or whose centroid blob is unreadable, is no candidate.
    func testAMissingStoryOrAnUnreadableCentroidIsNoCandidate() throws {
        let database = try DatabaseQueue()
        try Schema.migrator.migrate(database)
        let caches = WriterCaches()
        try database.write { db in
            let index = StoryIndex(db: db, settings: SimilaritySettings(), caches: caches)
            XCTAssertNil(try index.candidate(1))
            try index.save(story(2, terms: [5, 6], weights: [1, 2], day: nil), previouslyPosted: [])
            try db.execute(sql: "UPDATE stories SET centroid = x'2101000000' WHERE id = 2")
            caches.reset()
            XCTAssertNil(try index.candidate(2))
        }
    }

    /// A story used again moves to the young generation and outlives the ones not used since;
    /// the cache never holds more than its capacity. Capacity 4: generations of 2.
    func testTheCacheKeepsStoriesInUseAndStaysWithinItsCapacity() {
        let cache = StoryCentroidCache(capacity: 4)
        let entry = CachedCentroid(firstDay: nil, lastDay: nil, centroid: .empty)
        cache.remember(1, entry)
        cache.remember(2, entry)
        cache.remember(3, entry)  // young (1, 2) was full: it becomes old; young (3)
        cache.remember(4, entry)  // young (3, 4)
        XCTAssertNotNil(cache.centroid(of: 1), "found in the old generation, moved to the young one")
        // Moving 1 found young (3, 4) full: old (3, 4), young (1); 2, not used since, is gone.
        cache.remember(5, entry)  // young (1, 5)
        cache.remember(6, entry)  // young (1, 5) was full: old (1, 5), young (6)
        XCTAssertNotNil(cache.centroid(of: 1), "used again, it outlives 3 and 4, which came after it")
        for gone: Int64 in [2, 3, 4] { XCTAssertNil(cache.centroid(of: gone), "story \(gone)") }
        XCTAssertNotNil(cache.centroid(of: 5))
        XCTAssertNotNil(cache.centroid(of: 6))
        XCTAssertLessThanOrEqual(cache.count, 4)

        cache.forget(6)
        XCTAssertNil(cache.centroid(of: 6))
        cache.reset()
        XCTAssertEqual(cache.count, 0)
    }
}
