import XCTest
@testable import NewsdropCore

/// FeatureCoding: round trips, and rejection of anything that is not a blob it wrote.
final class SimilarityCodingTests: XCTestCase {
    private let units = [
        SentenceUnit(terms: [1, 7, 0xFFFF_FFFF]),
        SentenceUnit(terms: []),
        SentenceUnit(terms: Array(100..<140)),
    ]
    private let weights: [UInt64: Double] = [0: 1.0, 42: 2.386294361119891, .max: 0.1, 0x8000_0000_0000_0001: 3.75]
    private let minhash: [UInt64] = (0..<64).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }

    func testUnitsRoundTrip() throws {
        let blob = FeatureCoding.encode(units: units)
        XCTAssertEqual(blob.count, 1 + 4 + (4 + 12) + 4 + (4 + 160))
        XCTAssertEqual(FeatureCoding.decodeUnits(blob), units)
        XCTAssertEqual(FeatureCoding.decodeUnits(FeatureCoding.encode(units: [])), [])
        // Little-endian: tag, count 3, then the first unit's count 3 and first term 1.
        XCTAssertEqual(Array(blob.prefix(13)), [0x11, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0])
        // Read in place at an odd address, as SQLite may hand a blob out.
        ([0xAA] + blob).withUnsafeBytes { shifted in
            let stored = EncodedUnits(UnsafeRawBufferPointer(rebasing: shifted.dropFirst()))
            XCTAssertEqual(stored?.count, units.count)
            XCTAssertEqual(stored?.map { Array($0) }, units.map(\.terms))
        }
    }

    func testRealFeaturesRoundTrip() throws {
        let features = SimilarityFeatures(title: "Harbor bridge to close", body: "Engineers found cracks in the steel beams of the Casco Harbor Bridge. It will close Monday for six weeks of repairs.")
        XCTAssertEqual(FeatureCoding.decodeUnits(FeatureCoding.encode(units: features.units)), features.units)
        XCTAssertEqual(FeatureCoding.decodeMinhash(FeatureCoding.encode(minhash: features.minhash)), features.minhash)
        let weights = features.termWeights
        let decoded = try XCTUnwrap(FeatureCoding.decodeWeights(FeatureCoding.encode(terms: weights.terms, weights: weights.weights)))
        XCTAssertEqual(decoded.terms, weights.terms)
        XCTAssertEqual(decoded.weights, weights.weights.map { Double(Float($0)) })
    }

    func testWeightsRoundTripAtSinglePrecision() throws {
        let blob = encodeWeights(weights)
        XCTAssertEqual(blob.count, 1 + 4 + 12 * weights.count)
        let decoded = try XCTUnwrap(decodeWeights(blob))
        XCTAssertEqual(decoded, weights.mapValues { Double(Float($0)) })
        for (term, weight) in weights {
            XCTAssertEqual(decoded[term] ?? .nan, weight, accuracy: weight * 1e-7)
        }
        // Sorted by term: the first entry is term 0.
        XCTAssertEqual(Array(blob[5..<13]), [0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(decodeWeights(encodeWeights([:])), [:])
    }

    func testMinhashRoundTrip() {
        let blob = FeatureCoding.encode(minhash: minhash)
        XCTAssertEqual(blob.count, 1 + 64 * 8)
        XCTAssertEqual(FeatureCoding.decodeMinhash(blob), minhash)
    }

    func testTruncatedBlobsAreRejected() {
        let blobs: [([UInt8], ([UInt8]) -> Bool)] = [
            (FeatureCoding.encode(units: units), { FeatureCoding.decodeUnits($0) != nil }),
            (encodeWeights(weights), { decodeWeights($0) != nil }),
            (FeatureCoding.encode(minhash: minhash), { FeatureCoding.decodeMinhash($0) != nil }),
        ]
        for (blob, decodes) in blobs {
            XCTAssertTrue(decodes(blob))
            for length in 0..<blob.count {
                XCTAssertFalse(decodes(Array(blob.prefix(length))), "accepted \(length) of \(blob.count) bytes")
            }
            XCTAssertFalse(decodes(blob + [0]), "accepted a trailing byte")
        }
    }

    func testGarbageAndForeignBlobsAreRejected() {
        let unitsBlob = FeatureCoding.encode(units: units)
        let weightsBlob = encodeWeights(weights)
        let minhashBlob = FeatureCoding.encode(minhash: minhash)
        // A blob of one kind is not another kind.
        XCTAssertNil(FeatureCoding.decodeUnits(weightsBlob))
        XCTAssertNil(decodeWeights(minhashBlob))
        XCTAssertNil(FeatureCoding.decodeMinhash(unitsBlob))
        // An unknown version.
        XCTAssertNil(FeatureCoding.decodeUnits([0x12] + unitsBlob.dropFirst()))
        // A count far beyond the data must fail without allocating for it.
        XCTAssertNil(FeatureCoding.decodeUnits([0x11, 0xFF, 0xFF, 0xFF, 0xFF]))
        XCTAssertNil(FeatureCoding.decodeUnits([0x11, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]))
        XCTAssertNil(decodeWeights([0x21, 0xFF, 0xFF, 0xFF, 0xFF]))
        // Deterministic pseudo-random garbage with a valid tag.
        var state: UInt64 = 1
        for length in 1..<200 {
            let garbage = (0..<length).map { _ -> UInt8 in
                state = SimilarityHash.mix64(state)
                return UInt8(truncatingIfNeeded: state)
            }
            XCTAssertNil(FeatureCoding.decodeUnits([0x11] + garbage + [0xEE]))
            XCTAssertNil(decodeWeights([0x21] + garbage))
            XCTAssertNil(FeatureCoding.decodeMinhash([0x31] + garbage))
        }
    }

    func testInvariantBreakingValuesAreRejected() {
        // Unit terms must be strictly ascending.
        XCTAssertNil(FeatureCoding.decodeUnits(FeatureCoding.encode(units: [SentenceUnit(terms: [5, 3, 9])])))
        XCTAssertNil(FeatureCoding.decodeUnits(FeatureCoding.encode(units: [SentenceUnit(terms: [3, 3, 9])])))
        XCTAssertNil(FeatureCoding.decodeUnits(FeatureCoding.encode(units: [SentenceUnit(terms: [1, 2]), SentenceUnit(terms: [1, 2, 9, 4])])))
        // Weights: terms ascending, each once, finite weights.
        var blob = encodeWeights([1: 1.0, 2: 2.0])
        blob.replaceSubrange(5..<13, with: [3, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertNil(decodeWeights(blob))
        blob.replaceSubrange(5..<13, with: [2, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertNil(decodeWeights(blob))
        XCTAssertNil(decodeWeights(encodeWeights([1: .nan])))
        XCTAssertNil(decodeWeights(encodeWeights([1: .infinity])))
        // A signature has exactly 64 values.
        XCTAssertNil(FeatureCoding.decodeMinhash(FeatureCoding.encode(minhash: Array(minhash.prefix(63)))))
        XCTAssertNil(FeatureCoding.decodeMinhash(FeatureCoding.encode(minhash: minhash + [1])))
    }
}

/// Story weights as a dictionary, encoded in term order as a centroid is.
private func encodeWeights(_ weights: [UInt64: Double]) -> [UInt8] {
    let sorted = weights.sorted { $0.key < $1.key }
    return FeatureCoding.encode(terms: sorted.map(\.key), weights: sorted.map(\.value))
}

private func decodeWeights(_ bytes: [UInt8]) -> [UInt64: Double]? {
    FeatureCoding.decodeWeights(bytes).map { Dictionary(uniqueKeysWithValues: zip($0.terms, $0.weights)) }
}

private extension FeatureCoding {
    /// The stored units as parsed ones, through the checked in-place view verification uses.
    static func decodeUnits(_ bytes: [UInt8]) -> [SentenceUnit]? {
        bytes.withUnsafeBytes { bytes in EncodedUnits(bytes).map { $0.map { SentenceUnit(terms: Array($0)) } } }
    }
}
