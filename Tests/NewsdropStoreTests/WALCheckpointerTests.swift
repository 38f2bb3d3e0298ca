import Foundation
import GRDB
import NewsdropCore
@testable import NewsdropStore
import XCTest

/// The writer appends to the write-ahead log; `WALCheckpointer` copies it back from its own
/// connection, so the log can start over.
final class WALCheckpointerTests: XCTestCase {
    private var temporary: TemporaryStore!
    private var path: String { temporary.store.path }

    override func setUpWithError() throws {
        temporary = try TemporaryStore()
    }

    override func tearDown() {
        temporary = nil
    }

    private func record(_ count: Int, from first: Int) throws {
        for number in first..<first + count {
            let text = "Report \(number)\n\n" + (0..<40).map { "Sentence \($0) of report \(number) names place \(number * 7 + $0)." }
                .joined(separator: " ")
            let bytes = Array(text.utf8)
            _ = try temporary.store.record([Delivery(
                key: "k\(number)", origin: .file, name: "\(number).txt", receivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000),
                rawSHA256: ContentHash.sha256Hex(bytes), content: .items(try DocumentParser.parse(bytes, fileName: "\(number).txt")))])
        }
    }

    private func size(_ file: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? Int) ?? 0
    }

    /// Commits append to the log (the writer checkpoints only past 16,384 pages), and the
    /// store's checkpointer copies them into the database file while the store sits idle.
    func testTheStoresCheckpointerCopiesTheLogInTheBackground() throws {
        let automatic = try temporary.store.pool.write { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") }
        XCTAssertEqual(automatic, ArticleStore.logPagesBeforeWriterCheckpoint, "the writer's commits must not checkpoint at 1,000 pages")
        let before = size(path)
        try record(30, from: 0)
        let deadline = Date().addingTimeInterval(10)
        while size(path) <= before, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThan(size(path), before, "the log was not copied into the database file within 10 s")
    }

    func testAfterATickTheLogStartsOverInsteadOfGrowing() throws {
        let checkpointer = try WALCheckpointer(path: path, interval: 3_600)
        try record(20, from: 0)
        try checkpointer.checkpoint()
        let logSize = size(path + "-wal")
        XCTAssertGreaterThan(logSize, 0)
        try record(3, from: 100)
        XCTAssertEqual(size(path + "-wal"), logSize, "the next commits write from the start of the log, not after its end")
    }
}
