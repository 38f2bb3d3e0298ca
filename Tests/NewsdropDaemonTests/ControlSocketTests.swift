import Foundation
import Glibc
@testable import NewsdropDaemon
import XCTest

/// Control protocol v1 over the real socket of the real daemon.
final class ControlSocketTests: XCTestCase {
    private var daemon: DaemonHarness!
    private var socketPath: String { daemon.url("run/control.sock").path }

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
        try daemon.start()
    }

    override func tearDown() {
        daemon = nil
    }

    private func ingestFixtures() throws {
        for name in ["100-wire.txt", "102-revision.txt", "104-other-outlet.txt"] {
            try daemon.dropByRename(name, TestInputs.fixture("story/\(name)"))
        }
        let client = try ControlTestClient(path: socketPath)
        let idle = try client.call("wait-idle", ["timeout": 20])
        XCTAssertEqual(idle.result?["idle"] as? Bool, true, "\(idle)")
    }

    func testTheSocketIsMode0660() throws {
        var status = stat()
        XCTAssertEqual(lstat(socketPath, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFSOCK)
        XCTAssertEqual(status.st_mode & 0o777, 0o660)
    }

    func testReadOnlyCommandsAnswerWithResults() throws {
        try ingestFixtures()
        let client = try ControlTestClient(path: socketPath)

        let hello = try client.call("hello", id: 7)
        XCTAssertEqual(hello["id"] as? Int, 7)
        XCTAssertEqual(hello["ok"] as? Bool, true)
        XCTAssertEqual(hello.result?["protocol"] as? Int, 1)
        XCTAssertEqual(hello.result?["daemon"] as? String, "newsdropd")

        let status = try XCTUnwrap(try client.call("status").result)
        XCTAssertEqual(status["state"] as? String, "running")
        XCTAssertEqual((status["counters"] as? [String: Any])?["ingested"] as? Int, 3)
        XCTAssertEqual(status["queue_depth"] as? Int, 0)
        XCTAssertGreaterThan(status["database_bytes"] as? Int ?? 0, 0)

        let stats = try XCTUnwrap(try client.call("stats").result)
        XCTAssertEqual((stats["drop_to_commit"] as? [String: Any])?["samples"] as? Int, 3)
        XCTAssertGreaterThan(((stats["ingested"] as? [String: Any])?["1m"] as? Double) ?? 0, 0)

        let metrics = try XCTUnwrap(try client.call("metrics").result?["text"] as? String)
        XCTAssertTrue(metrics.contains("# TYPE newsdrop_articles_ingested_total counter\nnewsdrop_articles_ingested_total 3\n"), metrics)
        XCTAssertTrue(metrics.contains("newsdrop_drop_to_commit_seconds_count 3"), metrics)
        XCTAssertTrue(metrics.contains(#"newsdrop_drop_to_commit_seconds_bucket{le="+Inf"} 3"#), metrics)

        let page = try XCTUnwrap(try client.call("articles", ["limit": 2]).result)
        let articles = try XCTUnwrap(page["articles"] as? [[String: Any]])
        XCTAssertEqual(articles.map { $0["id"] as? Int }, [3, 2], "newest first")
        let cursor = try XCTUnwrap(page["next_cursor"] as? Int)
        let rest = try XCTUnwrap(try client.call("articles", ["limit": 2, "cursor": cursor]).result)
        XCTAssertEqual((rest["articles"] as? [[String: Any]])?.map { $0["id"] as? Int }, [1])
        XCTAssertNil(rest["next_cursor"] as? Int)

        let filtered = try XCTUnwrap(try client.call("articles", ["query": "ferry"]).result?["articles"] as? [[String: Any]])
        XCTAssertFalse(filtered.isEmpty)

        let shown = try XCTUnwrap(try client.call("show", ["id": 2]).result?["article"] as? [String: Any])
        XCTAssertEqual(shown["title"] as? String, "Harbor bridge closure extended as inspectors widen review")
        XCTAssertEqual((shown["sources"] as? [[String: Any]])?.first?["name"] as? String, "102-revision.txt")

        let search = try XCTUnwrap(try client.call("search", ["query": "bridge"]).result?["hits"] as? [[String: Any]])
        XCTAssertEqual(search.count, 3)
        XCTAssertTrue(search.allSatisfy { ($0["snippet"] as? String)?.lowercased().contains("[bridge]") ?? false }, "\(search)")
    }

    func testExportStreamsEveryArticleThenASummary() throws {
        try ingestFixtures()
        let client = try ControlTestClient(path: socketPath)
        try client.send(#"{"id": "e", "cmd": "export"}"# + "\n")
        var items: [[String: Any]] = []
        while true {
            let line = try client.readResponse()
            XCTAssertEqual(line["id"] as? String, "e")
            if let item = line["item"] as? [String: Any] { items.append(item); continue }
            XCTAssertEqual(line.result?["exported"] as? Int, 3)
            break
        }
        XCTAssertEqual(items.map { $0["id"] as? Int }, [1, 2, 3])
        let required = ["id", "story_id", "duplicate_group", "title", "url", "canonical_url", "published_at", "received_at",
                        "outlet", "author", "language", "sha256", "text", "sources"]
        for item in items {
            XCTAssertEqual(Set(required).subtracting(item.keys), [], "every export line has every field")
        }
        let source = try XCTUnwrap((items[0]["sources"] as? [[String: Any]])?.first)
        XCTAssertEqual(source["kind"] as? String, "file")
        XCTAssertEqual(source["name"] as? String, "100-wire.txt")
    }

    func testBadRequestsGetErrorsAndTheConnectionKeepsServing() throws {
        let client = try ControlTestClient(path: socketPath)
        try client.send("this is not json\n")
        XCTAssertEqual(try client.readResponse().errorCode, "bad_request")
        try client.send("[1, 2]\n")
        XCTAssertEqual(try client.readResponse().errorCode, "bad_request")
        try client.send(#"{"id": 3, "cmd": 42}"# + "\n")
        let badCommand = try client.readResponse()
        XCTAssertEqual(badCommand.errorCode, "bad_request")
        XCTAssertEqual(badCommand["id"] as? Int, 3, "the id is echoed even when the request is bad")
        XCTAssertEqual(try client.call("frobnicate").errorCode, "unknown_command")
        let wrongType = try client.call("show", ["id": "twelve"])
        XCTAssertEqual(wrongType.errorCode, "bad_arguments")
        XCTAssertEqual(wrongType.errorMessage, "\"id\" must be an integer, got a string")
        XCTAssertEqual(try client.call("show", ["id": 999]).errorCode, "not_found")
        XCTAssertEqual(try client.call("articles", ["limit": 0]).errorCode, "bad_arguments")
        XCTAssertEqual(try client.call("search", ["query": "\"unbalanced"]).errorCode, "bad_arguments")
        XCTAssertEqual(try client.call("articles", ["since": "last tuesday"]).errorCode, "bad_arguments")
        XCTAssertEqual(try client.call("fetch", ["urls": ["gopher://example.com/"]]).errorCode, "bad_arguments")
        XCTAssertEqual(try client.call("hello").result?["protocol"] as? Int, 1, "still serving after every error")
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let client = try ControlTestClient(path: socketPath)
        let lines = (1...50).map { #"{"id": \#($0), "cmd": "\#($0 % 2 == 0 ? "status" : "hello")"}"# }
        try client.send(lines.joined(separator: "\n") + "\n")
        for expected in 1...50 {
            XCTAssertEqual(try client.readResponse()["id"] as? Int, expected)
        }
    }

    func testAnOversizeLineIsRefusedAndClosedWhileOthersAreServed() throws {
        let hostile = try ControlTestClient(path: socketPath)
        let bystander = try ControlTestClient(path: socketPath)
        try hostile.sendBytes([UInt8](repeating: UInt8(ascii: "x"), count: (1 << 20) + 10))
        XCTAssertEqual(try hostile.readResponse().errorCode, "line_too_long")
        XCTAssertTrue(hostile.isClosedByDaemon())
        XCTAssertEqual(try bystander.call("hello").result?["daemon"] as? String, "newsdropd")
    }

    /// An idle connection is closed after `control.idle_timeout`; one whose answer is still
    /// coming (a long `wait-idle`) is not, and its clock starts again when the answer is sent.
    func testIdleConnectionsAreClosedButNotWhileTheirAnswerIsPending() throws {
        try daemon.stop()
        try daemon.start(environment: ["NEWSDROP_CONTROL_IDLE_TIMEOUT": "1"])
        let idle = try ControlTestClient(path: socketPath)
        XCTAssertEqual(try idle.call("hello").result?["daemon"] as? String, "newsdropd")
        let waiting = try ControlTestClient(path: socketPath)
        _ = try waiting.call("pause")
        try daemon.dropByRename("held.txt", Data("Held back\n\nA paused daemon leaves this file in the inbox.\n".utf8))
        let started = Date()
        XCTAssertFalse(try waiting.waitIdle(timeout: 2), "a paused daemon with a file waiting is not idle")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 2)
        XCTAssertTrue(idle.isClosedByDaemon(), "closed after a second without requests")
        XCTAssertEqual(try waiting.call("resume").result?["message"] as? String, "intake resumed",
                       "open after a two-second answer, though the timeout is one second")
        XCTAssertTrue(waiting.isClosedByDaemon(), "closed once idle in its turn")
    }

    func testAHalfClosedClientStillGetsItsAnswer() throws {
        let client = try ControlTestClient(path: socketPath)
        try client.send(#"{"id": 1, "cmd": "hello"}"# + "\n")
        shutdown(client.descriptor, Int32(SHUT_WR))
        XCTAssertEqual(try client.readResponse().result?["protocol"] as? Int, 1)
        XCTAssertTrue(client.isClosedByDaemon())
    }

    func testHundredConcurrentClientsWhileIngesting() throws {
        for index in 0..<200 {
            try daemon.dropByRename("load-\(index).txt", Data("Load \(index)\n\nArticle \(index) arrives during a burst of queries.".utf8))
        }
        let path = socketPath
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 100) { index in
            do {
                let client = try ControlTestClient(path: path)
                for round in 0..<5 {
                    let answer = try client.call(round % 2 == 0 ? "status" : "articles", ["limit": 5], id: index * 10 + round)
                    if answer["ok"] as? Bool != true || answer["id"] as? Int != index * 10 + round { failures.increment() }
                }
            } catch {
                failures.increment()
            }
        }
        XCTAssertEqual(failures.value, 0)
        let client = try ControlTestClient(path: socketPath)
        XCTAssertTrue(try client.waitIdle(timeout: 60))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 200)
    }

    func testPauseResumeRetryRescanAndShutdown() throws {
        let client = try ControlTestClient(path: socketPath)
        XCTAssertEqual(try client.call("pause")["ok"] as? Bool, true)
        XCTAssertEqual(try client.call("status").result?["state"] as? String, "paused")
        try daemon.dropByRename("held.txt", Data("Held\n\nThis file waits while intake is paused.".utf8))
        let held = try client.call("wait-idle", ["timeout": 1])
        XCTAssertEqual(held.result?["idle"] as? Bool, false, "a paused daemon with a file waiting is not idle")
        XCTAssertEqual(daemon.entries("inbox/new"), ["held.txt"])
        XCTAssertEqual(try client.call("resume")["ok"] as? Bool, true)
        XCTAssertTrue(try client.waitIdle(timeout: 20))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 1)

        try daemon.dropByRename("bad.bin", Data([0, 1, 2]))
        XCTAssertTrue(try client.waitIdle(timeout: 20))
        XCTAssertEqual(daemon.entries("failed"), ["bad.bin", "bad.bin.error.json"])
        let retried = try client.call("retry")
        XCTAssertEqual(retried.result?["count"] as? Int, 1)
        XCTAssertEqual(try client.call("rescan")["ok"] as? Bool, true)
        XCTAssertTrue(try client.waitIdle(timeout: 20))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM failures"), 2, "the retried input failed again, as a second attempt")

        XCTAssertEqual(try client.call("shutdown")["ok"] as? Bool, true)
        try daemon.waitUntil("the daemon exits") { !(daemon.process?.isRunning ?? false) }
        XCTAssertEqual(daemon.process?.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socketPath), "the socket file is removed at stop")
    }

    func testAdminPolicy() {
        XCTAssertTrue(AdminPolicy.isAdmin(uid: 0, gid: 0, daemonUID: 999, adminGroup: nil) { [] })
        XCTAssertTrue(AdminPolicy.isAdmin(uid: 999, gid: 50, daemonUID: 999, adminGroup: nil) { [] })
        XCTAssertFalse(AdminPolicy.isAdmin(uid: 1000, gid: 1000, daemonUID: 999, adminGroup: nil) { [] })
        XCTAssertTrue(AdminPolicy.isAdmin(uid: 1000, gid: 1000, daemonUID: 999, adminGroup: 1000) { [] })
        XCTAssertTrue(AdminPolicy.isAdmin(uid: 1000, gid: 1000, daemonUID: 999, adminGroup: 27) { [1000, 27] })
        XCTAssertFalse(AdminPolicy.isAdmin(uid: 1000, gid: 1000, daemonUID: 999, adminGroup: 27) { [1000, 24] })
    }
}

/// A counter many threads may bump.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
