import Foundation
@testable import NewsdropStore
import XCTest

/// The stories' integer lists (`posted`) keep their stored layout: a version byte, then each
/// value in eight little-endian bytes, so rows written by earlier builds still read.
final class IntegerBlobTests: XCTestCase {
    func testTheLayoutIsAVersionByteThenLittleEndianValues() {
        XCTAssertEqual([UInt8](IntegerBlob.encode([0x0102_0304_0506_0708, .max])),
                       [1, 8, 7, 6, 5, 4, 3, 2, 1, 255, 255, 255, 255, 255, 255, 255, 255])
        XCTAssertEqual([UInt8](IntegerBlob.encode([])), [1])
    }

    func testValuesRoundTripAndDamagedBlobsAreRefused() {
        let values: [UInt64] = [0, 1, 0x8000_0000_0000_0000, 0x0123_4567_89AB_CDEF, .max]
        XCTAssertEqual(IntegerBlob.decode(IntegerBlob.encode(values)), values)
        // A blob read from a row can be a slice of a larger buffer.
        let framed = Data([9, 9]) + IntegerBlob.encode(values)
        XCTAssertEqual(IntegerBlob.decode(framed.dropFirst(2)), values)
        XCTAssertEqual(IntegerBlob.decode(Data([1])), [])
        XCTAssertNil(IntegerBlob.decode(Data()), "empty")
        XCTAssertNil(IntegerBlob.decode(Data([2, 0, 0, 0, 0, 0, 0, 0, 0])), "another version")
        XCTAssertNil(IntegerBlob.decode(Data([1, 0, 0, 0])), "not whole values")
    }
}
