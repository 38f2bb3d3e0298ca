import Foundation
import GRDB
import GRDBSQLite
@testable import NewsdropStore
import XCTest

/// The VFS that gathers the log's appends (`LogWriteBuffer`) must leave every connection
/// seeing exactly what SQLite wrote: a commit is in the file before it is published, whatever
/// `synchronous` says; a transaction larger than the buffer, and one that spills pages and
/// rewrites them in place, read back whole.
final class LogWriteBufferTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        XCTAssertTrue(LogWriteBuffer.installedBeforeFirstConnection, "the test machine's SQLite defaults to the unix VFS")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    func testTheStoresConnectionsUseIt() throws {
        let temporary = try TemporaryStore()
        let name = try temporary.store.pool.write { db -> String in
            var vfs: UnsafeMutablePointer<sqlite3_vfs>?
            XCTAssertEqual(sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_VFS_POINTER, &vfs), SQLITE_OK)
            return vfs.map { String(cString: $0.pointee.zName) } ?? ""
        }
        XCTAssertEqual(name, "newsdrop-log-buffer")
        XCTAssertEqual(LogWriteBuffer.summary, "log writes gathered per commit")
    }

    /// With `synchronous = OFF` no sync flushes the buffer at commit: only the commit frame
    /// does. Another connection reads the log through a file handle of its own, so it sees a
    /// commit only if its frames reached the file.
    func testAnotherConnectionSeesEveryCommitWithoutASync() throws {
        let path = folder.appendingPathComponent("off.db").path
        let writer = try DatabasePool(path: path)
        try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = OFF") }
        try writer.write { try $0.execute(sql: "CREATE TABLE blobs (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)") }
        let reader = try DatabaseQueue(path: path)
        var written = 0
        // Small commits (a few frames, well inside the buffer) and large ones (megabytes: many
        // buffers' worth in one transaction).
        for (commit, rows) in [1, 3, 700, 2, 1_500, 1].enumerated() {
            try writer.write { db in
                for row in 0..<rows {
                    try db.execute(sql: "INSERT INTO blobs (bytes) VALUES (?)", arguments: [Data(repeating: UInt8((commit + row) % 251), count: 1_500)])
                }
            }
            written += rows
            let (count, check) = try reader.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM blobs") ?? -1,
                 try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "")
            }
            XCTAssertEqual(count, written, "commit \(commit) is visible to another connection")
            XCTAssertEqual(check, "ok")
        }
    }

    /// A cache of a few pages makes a transaction spill pages into the log before its commit
    /// and read them back, and a page written again after it spilled is rewritten in place.
    func testATransactionThatSpillsPagesAndRewritesThemReadsBackWhole() throws {
        let path = folder.appendingPathComponent("spill.db").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = 10") }
        let writer = try DatabasePool(path: path, configuration: configuration)
        try writer.write { db in
            try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, value INTEGER NOT NULL, padding BLOB NOT NULL)")
            for id in 1...3_000 {
                try db.execute(sql: "INSERT INTO rows (id, value, padding) VALUES (?, 0, zeroblob(300))", arguments: [id])
            }
            // Every page again, after most of them left the cache for the log.
            for pass in 1...3 {
                try db.execute(sql: "UPDATE rows SET value = value + ?", arguments: [pass])
            }
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT sum(value) FROM rows"), 3_000 * 6, "the transaction reads its own spilled pages")
        }
        let reader = try DatabaseQueue(path: path)
        try reader.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT sum(value) FROM rows"), 3_000 * 6)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok")
        }
        try writer.close()
        try reader.close()
        // Reopened, from the file the last connection's checkpoint left.
        let reopened = try DatabaseQueue(path: path)
        XCTAssertEqual(try reopened.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM rows WHERE value = 6") }, 3_000)
    }

    /// A rolled-back transaction leaves nothing behind, even after it had spilled frames.
    func testARollbackAfterSpilledFramesLeavesNothing() throws {
        let path = folder.appendingPathComponent("rollback.db").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = 10") }
        let writer = try DatabasePool(path: path, configuration: configuration)
        try writer.write { try $0.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, padding BLOB NOT NULL); INSERT INTO rows VALUES (1, x'00')") }
        struct Abandon: Error {}
        XCTAssertThrowsError(try writer.write { db in
            for id in 2...2_000 { try db.execute(sql: "INSERT INTO rows VALUES (?, zeroblob(500))", arguments: [id]) }
            throw Abandon()
        })
        try writer.write { try $0.execute(sql: "INSERT INTO rows VALUES (2, x'01')") }
        let reader = try DatabaseQueue(path: path)
        try reader.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM rows"), 2)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok")
        }
    }
}
