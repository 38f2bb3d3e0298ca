@testable import NewsdropDaemon
import XCTest

/// The names a claim takes in `work/`, and how a start reads them back.
final class ClaimNameTests: XCTestCase {
    private let id = FileName("1763800000000-0004242-0000000007")

    func testAClaimIsFlatWhenItsIdAndNameFitInOneFileName() {
        let fits = FileName(String(repeating: "n", count: 255 - id.bytes.count - 1))
        let tooLong = FileName(String(repeating: "n", count: 255 - id.bytes.count))
        XCTAssertEqual(Claim.layout(id: id, name: fits), .flat)
        XCTAssertEqual(Claim.layout(id: id, name: tooLong), .folder)

        let flat = Claim(id: id, name: FileName("a-b.txt"), layout: .flat, sequence: 0, size: 0, droppedAt: 0)
        XCTAssertEqual(flat.path.display, "1763800000000-0004242-0000000007-a-b.txt")
        let folder = Claim(id: id, name: tooLong, layout: .folder, sequence: 0, size: 0, droppedAt: 0)
        XCTAssertEqual(folder.path, tooLong.inside(id))
    }

    func testWorkEntriesAreReadBackAsFolderOrFlatClaims() {
        let folder = Claim.parse(workEntry: id)
        XCTAssertEqual(folder?.id, id)
        XCTAssertNil(folder?.flatName)

        let flat = Claim.parse(workEntry: FileName("1763800000000-0004242-0000000007-2024-05-01 report.txt"))
        XCTAssertEqual(flat?.id, id)
        XCTAssertEqual(flat?.flatName?.display, "2024-05-01 report.txt", "the name keeps its own dashes")

        let oddBytes: [UInt8] = Array("1-2-3-".utf8) + [0xFF, 0x0A]
        XCTAssertEqual(Claim.parse(workEntry: FileName(bytes: oddBytes))?.flatName?.bytes, [0xFF, 0x0A])
    }

    func testEntriesThatAreNotClaimsAreRefused() {
        for entry in ["notes.txt", "1-2", "1-2-", "1-2-3-", "1-x-3-name", "-1-2-3", "1--2-3"] {
            XCTAssertNil(Claim.parse(workEntry: FileName(entry)), entry)
        }
    }

    func testClaimOrderIsNumericNotByteOrder() {
        func precedes(_ a: String, _ b: String) -> Bool {
            ClaimIDGenerator.claimOrder(of: FileName(a)).lexicographicallyPrecedes(ClaimIDGenerator.claimOrder(of: FileName(b)))
        }
        XCTAssertTrue(precedes("999-1-1", "1000-1-1"))
        XCTAssertFalse(precedes("1000-1-1", "999-1-1"))
        XCTAssertTrue(precedes("1000-1-9", "1000-1-10"))
    }
}
