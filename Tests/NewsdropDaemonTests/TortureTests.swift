import Foundation
import Glibc
import GRDB
import XCTest

/// Crashes, hostile files, hostile clients and scarce resources: newsdrop loses nothing,
/// doubles nothing, and keeps serving. `NEWSDROP_TORTURE_CYCLES` sets the number of crash
/// cycles (20 by default, as in CI; 500 for a manual soak).
final class TortureTests: XCTestCase {
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

    // MARK: Crash torture

    /// Each cycle drops 25 files and a URL list, then kills the daemon at a random moment
    /// while it ingests and fetches. The fetcher reaches a server on 127.0.0.1 whose pages
    /// answer after a pause, so kills land mid-transfer too.
    func testRepeatedKillDashNineLosesNothingAndDoublesNothing() throws {
        let cycles = Int(ProcessInfo.processInfo.environment["NEWSDROP_TORTURE_CYCLES"] ?? "") ?? 20
        let server = try TestHTTPServer { request, _ in
            .after(seconds: 0.1, .html(Array("""
                <html><head><title>Page \(request.path)</title></head>
                <body><article><h1>Page \(request.path)</h1><p>The page at \(request.path) was fetched for the torture test.</p></article></body></html>
                """.utf8)))
        }
        var generator = SystemRandomNumberGenerator()
        var dropped: [String: Data] = [:]
        var lists: [String] = []
        var queuedURLs: Set<String> = []
        for cycle in 0..<cycles {
            try daemon.start(DaemonHarness.allowLoopbackFetching, environment: DaemonHarness.quickFetching)
            // Three new links, and one that every list repeats: it must be queued and fetched once.
            let links = (0..<3).map { server.url("/c\(cycle)-\($0).html") } + [server.url("/every-cycle.html")]
            try daemon.dropByRename("c\(cycle)-links.urls", Data(links.joined(separator: "\n").utf8))
            lists.append("c\(cycle)-links.urls")
            queuedURLs.formUnion(links)
            for index in 0..<25 {
                let name = "c\(cycle)-\(index)"
                let data: Data
                switch index % 5 {
                case 0: data = Data([0, 1, 2, UInt8(index)])                                            // fails
                case 1: data = Data("Repeated\n\nThe same text arrives again and again.".utf8)        // identical inputs
                default: data = Data("Cycle \(cycle)\n\nArticle \(index) of cycle \(cycle) has its own words.".utf8)
                }
                if index.isMultiple(of: 2) {
                    try daemon.dropByRename(name + ".txt", data)
                } else {
                    try daemon.dropPlain(name + ".txt", data)
                }
                dropped[name + ".txt"] = data
            }
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.4, using: &generator))
            daemon.killHard()
        }
        // What the last life left unfetched (queued, or its list not yet read) must be fetched
        // exactly once now; what is done, never again.
        let doneBeforeDrain = try Set(daemon.rows("SELECT url FROM fetch_queue WHERE state = 'done'").map { $0["url"] as String })
        let hitsBeforeDrain = Dictionary(uniqueKeysWithValues: queuedURLs.map { ($0, server.hits(Self.path(of: $0))) })
        try daemon.start(DaemonHarness.allowLoopbackFetching, environment: DaemonHarness.quickFetching)
        XCTAssertTrue(try client.waitIdle(timeout: 120))
        try daemon.waitUntil("the fetch queue drains", timeout: 60) {
            try daemon.count("SELECT count(*) FROM fetch_queue WHERE state = 'queued'") == 0
        }

        // Every input is accounted for exactly once: a sighting or a whole-input failure.
        let sighted = try daemon.rows("SELECT name FROM sightings WHERE origin = 'file'").map { $0["name"] as String }
        let failed = try daemon.rows("SELECT name FROM failures WHERE origin = 'file' AND item = 0").map { $0["name"] as String }
        XCTAssertEqual(sighted.count + failed.count, dropped.count, "inputs recorded twice or not at all")
        XCTAssertEqual(Set(sighted).union(failed), Set(dropped.keys))
        XCTAssertTrue(Set(sighted).isDisjoint(with: failed))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles WHERE text = 'The same text arrives again and again.'"), 1,
                       "identical inputs never make two articles")
        XCTAssertEqual(try daemon.database().read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }, "ok")
        XCTAssertTrue(daemon.inboxAndWorkAreEmpty)
        XCTAssertEqual(daemon.files(under: "processed").count, sighted.count + lists.count, "each input and list kept once")
        XCTAssertEqual(daemon.entries("failed").filter { !$0.hasSuffix(".error.json") }.count, failed.count)

        // Every queued URL is in the queue once, fetched, and recorded by one sighting.
        let queue = try daemon.rows("SELECT url, state FROM fetch_queue")
        XCTAssertEqual(queue.map { $0["url"] as String }.sorted(), queuedURLs.sorted(), "each URL queued exactly once")
        XCTAssertEqual(Set(queue.map { $0["state"] as String }), ["done"])
        let urlSightings = try daemon.rows("SELECT name, count(*) AS n FROM sightings WHERE origin = 'url' GROUP BY name")
        XCTAssertEqual(urlSightings.count, queuedURLs.count)
        XCTAssertEqual(Set(urlSightings.map { $0["n"] as Int }), [1], "no fetched page recorded twice")
        var refetchedAfterAKill = 0
        for url in queuedURLs {
            let hits = server.hits(Self.path(of: url)), before = hitsBeforeDrain[url] ?? 0
            XCTAssertGreaterThanOrEqual(hits, 1, url)
            XCTAssertEqual(hits - before, doneBeforeDrain.contains(url) ? 0 : 1, "\(url): fetched once after the last restart, or never again")
            refetchedAfterAKill += hits - 1
        }
        // A kill after a request reached the server and before the commit that records it means
        // one more request for that URL after the restart (at least once on the wire, exactly
        // once in the database).
        print("torture: \(cycles) cycles, \(dropped.count) files and \(lists.count) URL lists (\(queuedURLs.count) distinct URLs);"
              + " recorded \(sighted.count) sightings + \(failed.count) failures, lost \(dropped.count - Set(sighted).union(failed).count),"
              + " doubled \(sighted.count + failed.count - Set(sighted).union(failed).count);"
              + " URLs fetched \(urlSightings.count), server requests \(queuedURLs.count + refetchedAfterAKill)"
              + " (\(refetchedAfterAKill) repeated after a kill mid-transfer)")
    }

    private static func path(of url: String) -> String {
        URLComponents(string: url)?.path ?? url
    }

    // MARK: Hostile files

    func testHostileFilesFailPreciselyWithoutHangingOrLeavingTheStateDirectory() throws {
        try daemon.start()
        let inbox = daemon.url("inbox")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }

        try daemon.dropByRename("utf16-unpaired.txt", Data([0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x42, 0x00]))
        try daemon.dropByRename("utf16-odd.txt", Data([0xFF, 0xFE, 0x41, 0x00, 0x42]))
        let sparse = inbox.appendingPathComponent("new/sparse-1g.txt").path
        let descriptor = open(inbox.appendingPathComponent("tmp/sparse-1g.txt").path, O_CREAT | O_WRONLY, 0o644)
        XCTAssertEqual(ftruncate(descriptor, 1 << 30), 0)
        close(descriptor)
        XCTAssertEqual(rename(inbox.appendingPathComponent("tmp/sparse-1g.txt").path, sparse), 0)
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        try daemon.dropByRename("deep.json", Data(nested.utf8))
        try daemon.dropByRename("deep.jsonl", Data((#"{"text": "fine line"}"# + "\n" + nested).utf8))
        let deepHTML = String(repeating: "<div>", count: 100_000) + "<p>Deep inside a hundred thousand folders of markup.</p>"
            + String(repeating: "</div>", count: 100_000)
        try daemon.dropByRename("deep.html", Data("<html><head><title>Deep</title></head><body>\(deepHTML)</body></html>".utf8))
        try daemon.dropByRename("nul.html", Data("<html><body><p>Before the NUL".utf8) + Data([0]) + Data(" after it.</p></body></html>".utf8))
        try daemon.dropByRename("nul.txt", Data("Headline\n\nText with a NUL".utf8) + Data([0]) + Data(" in the middle.".utf8))
        try daemon.dropByRename("wrong-title.json", Data(#"{"title": 42, "text": "A number is no title."}"#.utf8))
        try daemon.dropByRename("wrong-text.json", Data(#"{"title": "Listed", "text": ["an", "array"]}"#.utf8))
        let mixedLines = [#"{"title": "First", "text": "The first good line."}"#, "{not json", #"{"title": 7, "text": 8}"#,
                          #"["an", "array"]"#, #"{"title": "Last", "text": "The last good line."}"#]
        try daemon.dropByRename("mixed.jsonl", Data(mixedLines.joined(separator: "\n").utf8))
        let longLine = String(repeating: "word ", count: 1_990_000)  // ≈ 10 MB, one line
        try daemon.dropByRename("one-line.txt", Data(longLine.utf8))
        XCTAssertEqual(symlink(outside.path, inbox.appendingPathComponent("link-to-dir").path), 0)
        XCTAssertEqual(symlink(outside.appendingPathComponent("missing").path, inbox.appendingPathComponent("dangling").path), 0)
        XCTAssertEqual(symlink(inbox.appendingPathComponent("loop").path, inbox.appendingPathComponent("loop").path), 0)

        let idle = try? client.call("wait-idle", ["timeout": 280])
        XCTAssertEqual(idle?.result?["idle"] as? Bool, true, daemon.condition)
        let reasons = try Dictionary(uniqueKeysWithValues: daemon.rows("SELECT name, reason FROM failures WHERE item = 0")
            .map { ($0["name"] as String, $0["reason"] as String) })
        XCTAssertEqual(reasons["utf16-unpaired.txt"], "invalid UTF-16: unpaired surrogate at byte 4")
        XCTAssertEqual(reasons["utf16-odd.txt"], "invalid UTF-16: odd number of bytes (5)")
        XCTAssertEqual(reasons["sparse-1g.txt"], "file too large: 1073741824 bytes (the limit is 10485760)")
        XCTAssertEqual(reasons["deep.json"], "JSON nested deeper than 32 levels")
        XCTAssertTrue(reasons["link-to-dir"]?.hasPrefix("not a regular file: a symbolic link") ?? false, "\(reasons)")
        XCTAssertTrue(reasons["dangling"]?.hasPrefix("not a regular file: a symbolic link") ?? false)
        XCTAssertTrue(reasons["loop"]?.hasPrefix("not a regular file: a symbolic link") ?? false)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM failures WHERE name = 'deep.jsonl' AND item = 2"), 1)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings WHERE name IN ('deep.jsonl', 'one-line.txt')"), 2)
        let texts = try daemon.rows("SELECT s.name, a.text FROM sightings s JOIN articles a ON a.id = s.article_id")
            .reduce(into: [String: String]()) { $0[$1["name"]] = $1["text"] }
        XCTAssertEqual(texts["deep.html"], "Deep inside a hundred thousand folders of markup.", "parsed to the bottom, not cut at 256 levels")
        XCTAssertEqual(texts["nul.html"], "Before the NUL after it.", "a NUL neither ends nor enters the document")
        XCTAssertEqual(reasons["nul.txt"], "binary content: NUL byte at offset 25 (UTF-16 text needs a byte-order mark)")
        XCTAssertEqual(reasons["wrong-title.json"], #"field "title" has the wrong type: expected a string"#)
        XCTAssertEqual(reasons["wrong-text.json"], #"field "text" has the wrong type: expected a string"#)
        let lineReasons = try daemon.rows("SELECT reason FROM failures WHERE name = 'mixed.jsonl' ORDER BY item").map { $0["reason"] as String }
        XCTAssertEqual(lineReasons, ["line 2: invalid JSON: The given data was not valid JSON.",
                                     #"line 3: field "title" has the wrong type: expected a string"#,
                                     "line 4: expected a JSON object with the article's fields"])
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings WHERE name = 'mixed.jsonl'"), 2, "the good lines are ingested")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside.path), [], "nothing was written outside")
        try daemon.dropByRename("after.txt", Data("After\n\nA normal file is ingested after all of them.".utf8))
        try daemon.waitUntil("a normal file is still ingested", timeout: 60) {
            try daemon.count("SELECT count(*) FROM sightings WHERE name = 'after.txt'") == 1
        }
        XCTAssertTrue(daemon.process?.isRunning ?? false, daemon.condition)
    }

    // MARK: Hostile clients

    func testHostileClientsDoNotStopIngestionOrABystander() throws {
        try daemon.start()
        let path = daemon.url("run/control.sock").path
        // More connections than the cap, all held open.
        var held: [ControlTestClient] = []
        for _ in 0..<1_000 {
            guard let connection = try? ControlTestClient(path: path) else { break }
            held.append(connection)
        }
        // A slow drip, random bytes, a line far over the limit, and a client that vanishes mid-answer.
        let drip = try ControlTestClient(path: path)
        try drip.send(#"{"id": 1, "#)
        let noise = try ControlTestClient(path: path)
        try noise.sendBytes((0..<4_096).map { _ in UInt8.random(in: 0...255) } + [UInt8(ascii: "\n")])
        let flood = try ControlTestClient(path: path)
        let floodWriter = Thread { try? flood.sendBytes([UInt8](repeating: UInt8(ascii: "a"), count: 100 << 20)) }
        floodWriter.start()
        let vanishing = try ControlTestClient(path: path)
        try vanishing.send(#"{"id": 2, "cmd": "export"}"# + "\n")

        for index in 0..<100 {
            try daemon.dropByRename("under-fire-\(index).txt", Data("Headline \(index)\n\nArticle \(index) is ingested while clients misbehave.".utf8))
        }
        held.removeAll()  // the cap frees up as they go
        let bystander = try client
        let started = Date()
        XCTAssertEqual(try bystander.call("hello").result?["daemon"] as? String, "newsdropd")
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.5, "a well-behaved client is answered at once")
        XCTAssertTrue(try bystander.waitIdle(timeout: 60))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 100)
        _ = drip
        _ = noise
        _ = vanishing
    }

    func testTheSocketIsNeverWorldWritable() throws {
        try daemon.start(DaemonHarness.quickArguments + ["--socket-mode", "666"])
        var status = stat()
        XCTAssertEqual(lstat(daemon.url("run/control.sock").path, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o666, "only when asked for explicitly")
        let other = try DaemonHarness()
        try other.start()
        XCTAssertEqual(lstat(other.url("run/control.sock").path, &status), 0)
        XCTAssertEqual(status.st_mode & 0o002, 0, "by default nobody outside the group may write to it")
    }

    // MARK: Scarce resources

    func testAnOutsideReaderHoldingATransactionDoesNotStallIngestion() throws {
        try daemon.start()
        try daemon.dropByRename("first.txt", Data("First\n\nBefore the outside reader arrives.".utf8))
        XCTAssertTrue(try client.waitIdle(timeout: 20))
        let reader = try DatabasePool(path: daemon.url("newsdrop.db").path)
        let readerHolding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? reader.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM articles")
                readerHolding.signal()
                release.wait()
            }
        }
        readerHolding.wait()
        for index in 0..<50 {
            try daemon.dropByRename("during-\(index).txt", Data("During \(index)\n\nArticle \(index) is written while a reader holds a snapshot.".utf8))
        }
        XCTAssertTrue(try client.waitIdle(timeout: 30))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 51)
        release.signal()
    }

    func testALowFileDescriptorLimitDoesNotStallIngestion() throws {
        let script = "ulimit -n 64 && exec \"$0\" \"$@\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, DaemonHarness.daemonExecutable.path, "--state-dir", daemon.stateDirectory.path]
            + DaemonHarness.quickArguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGTERM); process.waitUntilExit() } }
        try daemon.waitUntil("the socket appears") { FileManager.default.fileExists(atPath: daemon.url("run/control.sock").path) }
        for index in 0..<300 {
            try daemon.dropByRename("fd-\(index).txt", Data("Limited \(index)\n\nArticle \(index) is ingested with 64 file descriptors.".utf8))
        }
        XCTAssertTrue(try client.waitIdle(timeout: 120))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 300)
    }

    // MARK: A full disk

    /// The state directory on a small tmpfs, filled up: commits fail, intake pauses and says so
    /// once, nothing is lost, and everything is ingested once space returns.
    func testAFullDiskPausesIntakeAndIngestionResumesWhenSpaceReturns() throws {
        guard geteuid() == 0 else { throw XCTSkip("needs root to mount a small tmpfs for the state directory") }
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("nd-full-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mount = try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint.path])
        guard mount == 0 else {
            try? FileManager.default.removeItem(at: mountPoint)
            throw XCTSkip("cannot mount a tmpfs here (mount exited \(mount))")
        }
        defer {
            daemon = nil
            _ = try? Self.run("/bin/umount", ["-l", mountPoint.path])
            try? FileManager.default.removeItem(at: mountPoint)
        }
        daemon = try DaemonHarness(under: mountPoint)
        try daemon.start()
        let connection = try client
        XCTAssertEqual(try connection.call("pause")["ok"] as? Bool, true)
        let total = 200
        for index in 0..<total {
            let words = (0..<300).map { "w\(index)x\($0)" }.joined(separator: " ")
            try daemon.dropByRename("full-\(index).txt", Data("Article \(index)\n\n\(words).".utf8))
        }
        // Leave about 200 KB free, then let intake go.
        var stats = statvfs()
        XCTAssertEqual(statvfs(mountPoint.path, &stats), 0)
        let free = Int(stats.f_bavail) * Int(stats.f_frsize)
        let ballast = mountPoint.appendingPathComponent("ballast")
        FileManager.default.createFile(atPath: ballast.path, contents: nil)
        let handle = try FileHandle(forWritingTo: ballast)
        try handle.write(contentsOf: Data(count: max(0, free - 200_000)))
        try handle.close()
        XCTAssertEqual(try connection.call("resume")["ok"] as? Bool, true)

        try daemon.waitUntil("intake stalls on the full disk", timeout: 60) {
            try connection.call("status").result?["state"] as? String == "stalled"
        }
        Thread.sleep(forTimeInterval: 3)  // several retries
        let status = try XCTUnwrap(try connection.call("status").result)
        XCTAssertEqual(status["state"] as? String, "stalled")
        let lastError = ((status["last_error"] as? [String: Any])?["message"] as? String) ?? ""
        XCTAssertTrue(lastError.contains("cannot commit"), lastError)
        XCTAssertEqual(daemon.log.components(separatedBy: "cannot commit").count - 1, 1, "said once, not at every retry:\n\(daemon.log)")
        let waiting = daemon.entries("inbox/new").count + daemon.entries("work").count
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings") + waiting, total, "every file is recorded or still waiting")

        try FileManager.default.removeItem(at: ballast)
        XCTAssertTrue(try connection.waitIdle(timeout: 120))
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings"), total)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM failures"), 0)
        XCTAssertEqual(try daemon.database().read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }, "ok")
        XCTAssertTrue(daemon.inboxAndWorkAreEmpty)
        XCTAssertEqual(try connection.call("status").result?["state"] as? String, "running")
        XCTAssertTrue(daemon.log.contains("commits succeed again"), daemon.log)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
