import XCTest
@testable import NewsdropCore

/// An article posts and looks up at most `postedSentenceKeys` of its sentence keys (a bottom-k
/// sample); these hold the sample to the properties that make that enough.
final class SentenceKeySampleTests: XCTestCase {
    func testAnArticleWithFewKeysPostsThemAll() {
        let keys = randomKeys(count: 20, seed: 1)
        XCTAssertEqual(SentenceFingerprint.postedSample(of: keys, limit: 32), keys)
        XCTAssertEqual(SentenceFingerprint.postedSample(of: keys, limit: 20), keys)
    }

    func testALongArticlePostsExactlyTheLimitOfItsOwnKeys() {
        let keys = randomKeys(count: 200, seed: 2)
        let posted = SentenceFingerprint.postedSample(of: keys, limit: 32)
        XCTAssertEqual(posted.count, 32)
        XCTAssertEqual(Set(posted).count, 32)
        XCTAssertTrue(Set(posted).isSubset(of: keys))
        let unposted = Set(keys).subtracting(posted)
        XCTAssertLessThan(posted.map(SentenceFingerprint.postingRank).max()!, unposted.map(SentenceFingerprint.postingRank).min()!,
                          "the sample is the lowest-ranked keys")
        XCTAssertEqual(posted, keys.filter(Set(posted).contains), "in the keys' order")
        XCTAssertEqual(Set(posted), Set(SentenceFingerprint.postedSample(of: keys.reversed(), limit: 32)),
                       "the sample depends on the keys, not on their order")
        XCTAssertEqual(SentenceFingerprint.postedSample(of: keys, limit: 0), [])
    }

    /// The sample is the `limit` lowest-ranked keys for every size and limit, against sorting
    /// every rank as the model.
    func testTheSampleIsTheLowestRankedKeysAtEverySize() {
        for count in [2, 3, 5, 33, 49, 154, 400] {
            let keys = randomKeys(count: count, seed: UInt64(count))
            for limit in Set([1, 2, count / 2, count - 1]) where limit > 0 && limit < count {
                let model = Set(keys.sorted { SentenceFingerprint.postingRank($0) < SentenceFingerprint.postingRank($1) }.prefix(limit))
                XCTAssertEqual(Set(SentenceFingerprint.postedSample(of: keys, limit: limit)), model, "\(limit) of \(count)")
            }
        }
    }

    /// A key two texts share that is among the 32 lowest-ranked of their keys together is in
    /// both samples, so a copy and its original meet in their samples about as often as their
    /// keys agree: a copy cut short, and one that kept only every other key and added as many.
    func testTwoTextsMeetInTheirSamplesWhereTheirKeysAgree() {
        let original = randomKeys(count: 240, seed: 3)
        let cut = Array(original.prefix(144))
        let edited = original.enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element) + randomKeys(count: 120, seed: 5)
        for copy in [cut, edited] {
            let together = SentenceFingerprint.postedSample(of: Array(Set(original).union(copy)), limit: 32)
            let shared = Set(together).intersection(original).intersection(copy)
            let meeting = Set(SentenceFingerprint.postedSample(of: original, limit: 32))
                .intersection(SentenceFingerprint.postedSample(of: copy, limit: 32))
            XCTAssertTrue(shared.isSubset(of: meeting))
            XCTAssertGreaterThanOrEqual(meeting.count, 6, "about 32 × their Jaccard similarity: 19 for the cut copy, 11 for the edited one")
        }
    }

    /// Ranked by the keys themselves, a sample would hold only keys from the bottom of the key
    /// space, which the index writes in its first slices (by their top six bits).
    func testTheSampleSpreadsOverTheKeySpace() {
        let posted = SentenceFingerprint.postedSample(of: randomKeys(count: 1_000, seed: 4), limit: 32)
        let slices = Set(posted.map { $0 >> 58 })
        XCTAssertGreaterThan(slices.count, 16, "32 keys spread over \(slices.count) of 64 slices")
        XCTAssertGreaterThan(posted.max()!, UInt64.max / 2)
    }

    func testAParsedArticleSamplesItsOwnSentenceKeys() {
        let sentences = (0..<60).map { index in
            (0..<9).map { word in "w\((index * 31 + word * 17) % 997)x\(word)" }.joined(separator: " ") + "."
        }
        let features = SimilarityFeatures(title: nil, body: sentences.joined(separator: " "))
        XCTAssertGreaterThan(features.sentenceKeys.count, 64)
        let posted = features.postedSentenceKeys(limit: 32)
        XCTAssertEqual(posted, SentenceFingerprint.postedSample(of: features.sentenceKeys, limit: 32))
        XCTAssertEqual(posted.count, 32)
    }

    /// Distinct keys (splitmix64 is a bijection) spread over the key space, sorted as an
    /// article's are.
    private func randomKeys(count: Int, seed: UInt64) -> [UInt64] {
        (0..<UInt64(count)).map { SimilarityHash.mix64($0 &+ seed << 32) }.sorted()
    }
}
