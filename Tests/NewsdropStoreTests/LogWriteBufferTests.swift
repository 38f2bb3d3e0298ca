import Foundation
import GRDB
import GRDBSQLite
@testable import NewsdropStore
import Synchronization
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

    /// A cache of ten pages: a transaction of more spills pages into the log before its commit.
    private static var spillingEarly: Configuration {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = 10") }
        return configuration
    }

    /// Reads the database through a connection of its own: `count` rows in `rows`, and intact.
    private func assertReadBack(_ path: String, rows count: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        try DatabaseQueue(path: path).read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT count(*) FROM rows"), count, file: file, line: line)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok", file: file, line: line)
        }
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
        let writer = try DatabasePool(path: path, configuration: Self.spillingEarly)
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
        let writer = try DatabasePool(path: path, configuration: Self.spillingEarly)
        try writer.write { try $0.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, padding BLOB NOT NULL); INSERT INTO rows VALUES (1, x'00')") }
        struct Abandon: Error {}
        XCTAssertThrowsError(try writer.write { db in
            for id in 2...2_000 { try db.execute(sql: "INSERT INTO rows VALUES (?, zeroblob(500))", arguments: [id]) }
            throw Abandon()
        })
        try writer.write { try $0.execute(sql: "INSERT INTO rows VALUES (2, x'01')") }
        try assertReadBack(path, rows: 2)
    }

    /// A commit header SQLite rewrites with new checksums after pages spilled is followed by no
    /// page: it must reach the file at once. The files copied right after the commit are what a
    /// crash then would leave, and opening the copy recovers it from the log alone.
    func testACommitWithoutASyncIsInTheFilesACrashWouldLeave() throws {
        let path = folder.appendingPathComponent("crash.db").path
        let writer = try DatabaseQueue(path: path, configuration: Self.spillingEarly)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, value INTEGER NOT NULL, padding BLOB NOT NULL)")
            try db.execute(sql: """
                BEGIN;
                WITH RECURSIVE ids (id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM ids WHERE id < 3000)
                INSERT INTO rows SELECT id, 0, zeroblob(300) FROM ids;
                UPDATE rows SET value = value + 1;
                UPDATE rows SET value = value + 2;
                COMMIT;
                """)
        }
        let copy = folder.appendingPathComponent("copy.db").path
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + suffix)
        }
        let recovered = try DatabaseQueue(path: copy)
        try recovered.read { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT sum(value) FROM rows"), 9_000)
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA integrity_check"), "ok")
        }
        try writer.close()
    }

    /// Frames a transaction spilled and then rolled back reach the file before its connection
    /// gives up the write lock: held longer, they landed on the frames another writer then
    /// committed at the same offsets.
    func testARolledBackTransactionNeverWritesOverAnotherWritersCommit() throws {
        let path = folder.appendingPathComponent("two-writers.db").path
        let first = try DatabaseQueue(path: path)
        try first.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, padding BLOB NOT NULL); INSERT INTO rows VALUES (1, x'00')")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            try db.execute(sql: "PRAGMA cache_size = 5")
            try db.execute(sql: """
                BEGIN;
                WITH RECURSIVE ids (id) AS (SELECT 2 UNION ALL SELECT id + 1 FROM ids WHERE id < 14)
                INSERT INTO rows SELECT id, randomblob(3000) FROM ids;
                ROLLBACK;
                """)
        }
        let second = try DatabaseQueue(path: path)
        try second.write { db in
            try db.execute(sql: """
                WITH RECURSIVE ids (id) AS (SELECT 100 UNION ALL SELECT id + 1 FROM ids WHERE id < 111)
                INSERT INTO rows SELECT id, randomblob(3000) FROM ids
                """)
        }
        XCTAssertEqual(try first.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM rows") }, 13)
        try assertReadBack(path, rows: 13)
    }

    /// Without power-safe overwrite SQLite pads a commit to a sector and splits a write around
    /// a sync: such a log is not buffered, and another connection reads every commit.
    func testALogWithoutPowerSafeOverwriteIsWrittenAsSQLiteWritesIt() throws {
        let path = folder.appendingPathComponent("psow.db").path
        var handle: OpaquePointer?
        XCTAssertEqual(sqlite3_open_v2("file:\(path)?psow=0", &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nil), SQLITE_OK)
        defer { sqlite3_close_v2(handle) }
        XCTAssertEqual(sqlite3_exec(handle, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE rows (id INTEGER PRIMARY KEY, padding BLOB)", nil, nil, nil), SQLITE_OK)
        let reader = try DatabaseQueue(path: path)
        for id in 1...12 {
            XCTAssertEqual(sqlite3_exec(handle, "INSERT INTO rows VALUES (\(id), randomblob(100))", nil, nil, nil), SQLITE_OK)
            XCTAssertEqual(try reader.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM rows") }, id)
        }
    }

    /// A write refused while the buffer reaches the file inside a read fails as an I/O error,
    /// which rolls the whole transaction back: as SQLITE_FULL, SQLite rolled back only the
    /// statement, and committed the rest without the frames the buffer had lost.
    func testAWriteRefusedDuringAReadRollsTheWholeTransactionBack() throws {
        let path = folder.appendingPathComponent("full.db").path
        let writer = try DatabaseQueue(path: path, configuration: Self.spillingEarly)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE rows (id INTEGER PRIMARY KEY, unique_value INTEGER UNIQUE, padding BLOB)")
        }
        let unix = try XCTUnwrap(sqlite3_vfs_find("unix"))
        let realWrite = try XCTUnwrap(unix.pointee.xGetSystemCall(unix, "pwrite64"))
        defer { _ = unix.pointee.xSetSystemCall(unix, "pwrite64", realWrite) }
        RefusedWrites.real = unsafeBitCast(realWrite, to: RefusedWrites.Signature.self)
        XCTAssertEqual(unix.pointee.xSetSystemCall(unix, "pwrite64", unsafeBitCast(RefusedWrites.write, to: sqlite3_syscall_ptr.self)), SQLITE_OK)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN")
            try db.execute(sql: """
                WITH RECURSIVE ids (id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM ids WHERE id < 400)
                INSERT INTO rows SELECT id, id, randomblob(1000) FROM ids
                """)
            RefusedWrites.refusing.store(true, ordering: .relaxed)
            // Reads pages from the log (flushing the buffer first) in a statement with a journal.
            XCTAssertThrowsError(try db.execute(sql: "INSERT INTO rows SELECT id + 1000, unique_value + 1000, padding FROM rows WHERE id < 5"))
            RefusedWrites.refusing.store(false, ordering: .relaxed)
            XCTAssertFalse(db.isInsideTransaction, "the whole transaction rolled back")
        }
        try assertReadBack(path, rows: 0)
    }
}

/// `pwrite64` for the unix VFS that fails with ENOSPC while `refusing` is set.
private enum RefusedWrites {
    typealias Signature = @convention(c) (Int32, UnsafeRawPointer?, Int, Int) -> Int
    static let refusing = Atomic(false)
    nonisolated(unsafe) static var real: Signature?
    static let write: Signature = { descriptor, bytes, count, offset in
        if RefusedWrites.refusing.load(ordering: .relaxed) {
            errno = ENOSPC
            return -1
        }
        return RefusedWrites.real!(descriptor, bytes, count, offset)
    }
}
