import Foundation
import GRDB
import XCTest

/// Bad input never stops the daemon: each bad file lands in failed/ with a precise reason, in
/// its sidecar and in the database, and the next good file is ingested as usual.
final class BadInputTests: XCTestCase {
    private var daemon: DaemonHarness!

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
        try daemon.start(DaemonHarness.quickArguments + ["--max-file-size", "4096"])
    }

    override func tearDown() {
        daemon = nil
    }

    /// Drops `name` by `drop`, waits for it in failed/, and checks its sidecar and failure row.
    private func assertFails(_ name: String, reasonContains expected: String, stage: String,
                             file: StaticString = #filePath, line: UInt = #line, drop: () throws -> Void) throws {
        try drop()
        try daemon.waitUntil("\(name) lands in failed/", file: file, line: line) {
            daemon.entries("failed").contains("\(name).error.json") && daemon.inboxAndWorkAreEmpty
        }
        let sidecarData = try Data(contentsOf: daemon.url("failed/\(name).error.json"))
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: sidecarData) as? [String: Any])
        let reason = try XCTUnwrap(sidecar["reason"] as? String)
        XCTAssertTrue(reason.contains(expected), "reason for \(name): \(reason)", file: file, line: line)
        XCTAssertEqual(sidecar["stage"] as? String, stage, file: file, line: line)
        XCTAssertEqual(sidecar["name"] as? String, name, file: file, line: line)
        XCTAssertEqual(sidecar["attempts"] as? Int, 1, file: file, line: line)
        XCTAssertNotNil(sidecar["failed_at"] as? String, file: file, line: line)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM failures WHERE name = ? AND reason = ?", [name, reason]), 1,
                       file: file, line: line)
        XCTAssertTrue(daemon.log.contains("failed \"\(name)\""), "the log names the failed file", file: file, line: line)
    }

    func testEveryKindOfBadFileFailsWithAPreciseReasonAndIngestionGoesOn() throws {
        try assertFails("binary.bin", reasonContains: "binary content: NUL byte at offset 3", stage: "decode") {
            try daemon.dropByRename("binary.bin", Data([0x7F, 0x45, 0x4C, 0x00, 0x02, 0x01]))
        }
        try assertFails("empty.txt", reasonContains: "empty file", stage: "decode") {
            try daemon.dropPlain("empty.txt", Data())
        }
        try assertFails("broken-utf8.txt", reasonContains: "invalid UTF-8 at byte 17", stage: "decode") {
            try daemon.dropByRename("broken-utf8.txt", Data("Caf\u{E9} cr\u{E8}me \u{2014} ".utf8) + Data([0xC3, 0x28]) + Data(" rest".utf8))
        }
        try assertFails("too-big.txt", reasonContains: "file too large: 5000 bytes (the limit is 4096)", stage: "read") {
            try daemon.dropByRename("too-big.txt", Data(repeating: UInt8(ascii: "a"), count: 5_000))
        }
        try assertFails("only-a-title.txt", reasonContains: "no article text", stage: "validate") {
            try daemon.dropByRename("only-a-title.txt", Data("Just a headline\n\n\n".utf8))
        }
        try assertFails("page.html", reasonContains: "no article text", stage: "validate") {
            try daemon.dropByRename("page.html", Data("<html><body><nav><a href=\"/\">Home</a></nav><script>x()</script></body></html>".utf8))
        }
        try assertFails("passwd-link", reasonContains: "not a regular file: a symbolic link to \"/etc/passwd\"", stage: "read") {
            XCTAssertEqual(symlink("/etc/passwd", daemon.url("inbox/passwd-link").path), 0)
        }
        try assertFails("pipe", reasonContains: "not a regular file: a named pipe (FIFO)", stage: "read") {
            XCTAssertEqual(mkfifo(daemon.url("inbox/pipe").path, 0o644), 0)
        }
        try assertFails("a-folder", reasonContains: "not a regular file: a directory", stage: "read") {
            try FileManager.default.createDirectory(at: daemon.url("inbox/a-folder"), withIntermediateDirectories: false)
        }

        // Links and FIFOs are moved as themselves, never followed or opened.
        var status = stat()
        XCTAssertEqual(lstat(daemon.url("failed/passwd-link").path, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFLNK)
        XCTAssertEqual(lstat(daemon.url("failed/pipe").path, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFIFO)

        try daemon.dropByRename("good.txt", Data("Still here\n\nThe daemon keeps ingesting after bad input.".utf8))
        try daemon.waitUntil("a good file is still ingested") { try daemon.count("SELECT count(*) FROM articles") == 1 }
        XCTAssertTrue(daemon.process?.isRunning ?? false)
    }

    /// Root reads every file, so the daemon runs as nobody here, as a packaged service would.
    func testAnUnreadableFileFailsWithItsReasonWhenTheDaemonIsNotRoot() throws {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv to run the daemon as nobody (as root, every file is readable)")
        }
        daemon = try DaemonHarness()
        try daemon.start(DaemonHarness.quickArguments + ["--max-file-size", "4096"], asUser: "nobody")
        try assertFails("locked.txt", reasonContains: "cannot open the file: Permission denied", stage: "read") {
            try daemon.dropByRename("locked.txt", Data("Locked\n\nNobody may read this file.".utf8), mode: 0)
        }
        try daemon.dropByRename("good.txt", Data("Readable\n\nThe daemon keeps ingesting after an unreadable file.".utf8))
        try daemon.waitUntil("a readable file is still ingested") { try daemon.count("SELECT count(*) FROM articles") == 1 }
    }

    func testOddFileNamesAreKeptExactly() throws {
        let names = ["line\nbreak.txt", "tab\tand spaces .txt", "Ünïcödé — “quotes”.txt", String(repeating: "n", count: 251) + ".txt"]
        for name in names {
            try daemon.dropByRename(name, Data("Headline\n\nAn article named \(name.count) characters long.".utf8))
        }
        try daemon.waitUntil("all four are stored") {
            try daemon.count("SELECT count(*) FROM sightings") == names.count && daemon.inboxAndWorkAreEmpty
        }
        XCTAssertEqual(Set(try daemon.rows("SELECT name FROM sightings").map { $0["name"] as String }), Set(names))
        XCTAssertEqual(Set(daemon.files(under: "processed").map { ($0 as NSString).lastPathComponent }), Set(names))
    }

    func testAFailedFileAgainIsCountedAsASecondAttempt() throws {
        try assertFails("again.bin", reasonContains: "binary content", stage: "decode") {
            try daemon.dropByRename("again.bin", Data([0, 1, 2, 3]))
        }
        try daemon.dropByRename("again.bin", Data([0, 1, 2, 3]))
        try daemon.waitUntil("the second copy fails too") { try daemon.count("SELECT count(*) FROM failures") == 2 }
        try daemon.waitUntil("the second copy is moved") { daemon.inboxAndWorkAreEmpty }
        let sidecars = daemon.entries("failed").filter { $0.hasSuffix(".error.json") }
        XCTAssertEqual(sidecars.count, 2, "the second failure must not overwrite the first: \(sidecars)")
        let second = try XCTUnwrap(sidecars.first { $0 != "again.bin.error.json" })
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: daemon.url("failed/\(second)"))) as? [String: Any]
        XCTAssertEqual(sidecar?["attempts"] as? Int, 2)
    }
}
