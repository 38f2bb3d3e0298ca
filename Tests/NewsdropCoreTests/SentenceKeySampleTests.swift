import XCTest
@testable import NewsdropCore

/// An article posts at most `postedSentenceKeys` of its sentence keys (a bottom-k sample) and
/// looks all of its own up; these hold the sample to the properties that make that enough.
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
        XCTAssertEqual(Set(posted), Set(SentenceFingerprint.postedSample(of: keys.reversed(), limit: 32)),
                       "the sample depends on the keys, not on their order")
        XCTAssertEqual(SentenceFingerprint.postedSample(of: keys, limit: 0), [])
    }

    /// A key in a text's sample is in the sample of any part of that text holding it: a copy cut
    /// short, or with sentences dropped, posts the keys of the original's sample that it kept.
    func testAKeyInTheSampleOfATextIsInTheSampleOfAnyPartHoldingIt() {
        let original = randomKeys(count: 240, seed: 3)
        let originalSample = Set(SentenceFingerprint.postedSample(of: original, limit: 32))
        for part in [Array(original.prefix(144)), original.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)] {
            let partSample = Set(SentenceFingerprint.postedSample(of: part, limit: 32))
            XCTAssertTrue(originalSample.intersection(part).isSubset(of: partSample))
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
