import Foundation
import Glibc
import XCTest

/// Each test pins down a fault found in review, so that it stays fixed.
final class ReviewRegressionTests: XCTestCase {
    private var daemon: DaemonHarness!

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
    }

    override func tearDown() {
        daemon = nil
    }

    private var client: ControlTestClient {
        get throws { try daemon.controlClient() }
    }

    /// `cp -p` from a host whose clock runs ahead leaves a modification time in the future:
    /// the quiet time is measured from the inode change time, which the kernel sets.
    func testAPlainDropWithAFutureModificationTimeIsNotHeldBack() throws {
        try daemon.start()
        let path = daemon.url("inbox/from-the-future.txt").path
        try Data("Headline\n\nCopied with its modification time, an hour ahead.".utf8).write(to: URL(fileURLWithPath: path))
        var times = [timespec(tv_sec: time(nil) + 3_600, tv_nsec: 0), timespec(tv_sec: time(nil) + 3_600, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
        XCTAssertTrue(try client.waitIdle(timeout: 10))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 1)
    }

    /// A failed input named like a sidecar is an input; retry moves every input back, under a
    /// new name when its name is taken in the inbox.
    func testRetryMovesEveryFailedInputWhateverItsName() throws {
        try daemon.start()
        try daemon.dropByRename("x.error.json", Data([0, 1]))
        try daemon.dropByRename("x", Data([0, 2]))
        XCTAssertTrue(try client.waitIdle(timeout: 10))
        // "x" cannot take the name "x": its sidecar "x.error.json" would replace the first input.
        let failed = daemon.entries("failed")
        XCTAssertTrue(failed.contains("x.error.json") && failed.contains("x.error.json.error.json"), "\(failed)")
        XCTAssertTrue(failed.contains { $0.hasSuffix("-x") } && failed.contains { $0.hasSuffix("-x.error.json") }, "\(failed)")
        XCTAssertEqual(daemon.entries("failed").count, 4, "\(daemon.entries("failed"))")

        try client.call("pause")
        let retried = try client.call("retry")
        XCTAssertEqual(retried.result?["count"] as? Int, 2, "\(retried)")
        XCTAssertEqual(Set(daemon.entries("inbox/new")).count, 2)
        XCTAssertTrue(daemon.entries("failed").isEmpty)
    }

    /// An export of many articles streams to the end through pages, never by recursion.
    func testAnExportOfManyArticlesStreamsToTheEnd() throws {
        try daemon.start()
        let lines = (0..<600).map { #"{"title": "Item \#($0)", "text": "Article number \#($0) of a long export, with words."}"# }
        try daemon.dropByRename("many.jsonl", Data(lines.joined(separator: "\n").utf8))
        let connection = try client
        XCTAssertTrue(try connection.waitIdle(timeout: 60))
        try connection.send(#"{"id": 1, "cmd": "export"}"# + "\n")
        var items = 0
        while true {
            let line = try connection.readResponse()
            if line["item"] != nil { items += 1; continue }
            XCTAssertEqual(line.result?["exported"] as? Int, 600)
            break
        }
        XCTAssertEqual(items, 600)
    }

    /// Hundreds of pipelined requests in one write are answered, in order, and quickly enough
    /// not to time out (consumed lines are not shifted out one by one).
    func testABurstOfPipelinedRequestsIsAnswered() throws {
        try daemon.start()
        let connection = try client
        let count = 20_000
        let burst = (0..<count).map { #"{"id":\#($0),"cmd":"hello"}"# }.joined(separator: "\n") + "\n"
        let writer = Thread { try? connection.send(burst) }
        writer.start()
        for expected in 0..<count {
            XCTAssertEqual(try connection.readResponse()["id"] as? Int, expected)
        }
    }

    func testZeroIntervalsAreRefused() throws {
        let refused = try DaemonCommand.run(["--rescan-interval", "0", "--check-config"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.output.contains("inbox.rescan_interval: expected a number of seconds from 0.1 to 31536000 (a year), got \"0\""),
                      refused.output)
    }

    /// A timeout meant as "never" is refused with a reason: the timer it would set traps.
    func testIntervalsPastAYearAreRefused() throws {
        let refused = try DaemonCommand.run(["--check-config"], environment: ["NEWSDROP_CONTROL_IDLE_TIMEOUT": "1e12"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.output.contains("control.idle_timeout: expected a number of seconds from 1 to 31536000 (a year), got \"1e12\""),
                      refused.output)
        XCTAssertEqual(try DaemonCommand.run(["--check-config"], environment: ["NEWSDROP_CONTROL_IDLE_TIMEOUT": "31536000"]).status, 0)
    }
}
