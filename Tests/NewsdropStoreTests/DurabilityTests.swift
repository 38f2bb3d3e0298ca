@testable import NewsdropStore
import GRDB
import XCTest

/// A commit must reach the disk before the daemon moves the input out of `work/`.
final class DurabilityTests: XCTestCase {
    func testTheWriterCommitsWithSynchronousFull() throws {
        let temporary = try TemporaryStore()
        let level = try temporary.store.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        XCTAssertEqual(level, 2, "synchronous = FULL (2): a commit in WAL mode is then fsynced before it returns")
    }
}
