import CZlib
import Foundation
import GRDB
@testable import NewsdropDaemon
import XCTest

/// The URL fetcher end to end: the real daemon fetching from a real HTTP server on 127.0.0.1.
final class FetchTests: XCTestCase {
    private var daemon: DaemonHarness!
    private var server: TestHTTPServer!


    /// 50 MB of zeros, gzip-compressed to about 50 KB: a decompression bomb against a 256 KB body limit.
    private static let gzipBomb = TestHTTPServer.gzip([UInt8](repeating: 0, count: 50 << 20))

    override func setUpWithError() throws {
        daemon = try DaemonHarness()
        let pages = try [
            "/bridge.html": TestInputs.fixture("html/article.html"),
            "/cafe.html": TestInputs.fixture("html/windows-1252.html"),
            "/tram.html": TestInputs.fixture("html/utf8-undeclared.html"),
        ].mapValues { [UInt8]($0) }
        server = try TestHTTPServer { request, previous in
            switch request.path {
            case let path where pages[path] != nil:
                return .html(pages[path]!, headers: [("ETag", "\"v1\"")])
            case "/gzip.html":
                return .html(TestHTTPServer.gzip(pages["/tram.html"]!), headers: [("Content-Encoding", "gzip")])
            case "/conditional.html":
                return request.headers["if-none-match"] == "\"v1\"" ? .status(304)
                    : .html(pages["/bridge.html"]!, headers: [("ETag", "\"v1\"")])
            case let path where path.hasPrefix("/held-"): return .after(seconds: 0.3, .html(pages["/bridge.html"]!))
            case "/missing": return .status(404)
            case "/document.pdf": return .page(status: 200, headers: [("Content-Type", "application/pdf")], body: [0x25, 0x50])
            case "/busy": return previous == 0 ? .status(429, headers: [("Retry-After", "1")]) : .html(pages["/cafe.html"]!)
            case "/flaky": return previous == 0 ? .status(503, headers: [("Retry-After", "0")]) : .html(pages["/tram.html"]!)
            case "/broken": return .status(500)
            case "/slow": return .silence(seconds: 5)
            case "/endless": return .chunked(chunk: [UInt8](repeating: 0x61, count: 16_384), count: 10_000)
            case "/bomb": return .html(Self.gzipBomb, headers: [("Content-Encoding", "gzip")])
            case let path where path.hasPrefix("/hop"):
                return .redirect(to: "/hop\((Int(path.dropFirst(4)) ?? 0) + 1)")
            case "/to-bridge": return .redirect(to: "/bridge.html")
            case "/to-ftp": return .redirect(to: "ftp://127.0.0.1/file")
            case "/to-other-loopback": return .redirect(to: "http://127.0.0.2:\(request.headers["host"]?.split(separator: ":").last ?? "80")/bridge.html")
            case "/to-metadata": return .redirect(to: "http://169.254.169.254/latest/meta-data/")
            case "/to-ipv6-loopback": return .redirect(to: "http://[::1]:9/bridge.html")
            default: return .status(404)
            }
        }
    }

    override func tearDown() {
        daemon = nil
        server = nil
    }

    private func start(_ arguments: [String] = DaemonHarness.allowLoopbackFetching, environment: [String: String] = [:]) throws {
        try daemon.start(arguments, environment: DaemonHarness.quickFetching.merging(environment) { $1 })
    }

    private func waitUntilFetched(_ count: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        try daemon.waitUntil("\(count) fetch queue rows are finished", file: file, line: line) {
            try daemon.count("SELECT count(*) FROM fetch_queue WHERE state != 'queued'") >= count
        }
    }

    private func queueRow(_ path: String) throws -> Row? {
        try daemon.rows("SELECT * FROM fetch_queue WHERE url = ?", [server.url(path)]).first
    }

    private func failureReason(_ path: String) throws -> String? {
        try daemon.rows("SELECT reason FROM failures WHERE origin = 'url' AND name = ?", [server.url(path)]).first?["reason"]
    }

    private func assertFailure(_ path: String, contains expected: String, file: StaticString = #filePath,
                               line: UInt = #line) throws {
        let reason = try failureReason(path)
        XCTAssertTrue(reason?.contains(expected) ?? false, "\(path): \(reason ?? "no failure recorded")", file: file, line: line)
    }

    /// zlib's `uncompress`, for archived responses.
    private func inflate(_ data: Data) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 1 << 20)
        var length = uLongf(output.count)
        let status = data.withUnsafeBytes { input in
            uncompress(&output, &length, input.bindMemory(to: UInt8.self).baseAddress, uLong(data.count))
        }
        guard status == Z_OK else { throw HarnessError("uncompress failed: \(status)") }
        return Array(output.prefix(Int(length)))
    }

    private func ctl(_ arguments: String...) throws -> CtlRun {
        try CtlRun.run(["--socket", daemon.url("run/control.sock").path] + arguments)
    }

    func testADroppedURLListBecomesArticlesWithURLSightingsAndFailuresWithReasons() throws {
        try start(environment: ["NEWSDROP_FETCH_ARCHIVE": "true"])
        let paths = ["/bridge.html", "/cafe.html", "/gzip.html", "/to-bridge", "/missing", "/document.pdf"]
        let list = "# today's links\n" + paths.map(server.url).joined(separator: "\n") + "\nftp://example.com/not-fetched\n"
        try daemon.dropByRename("links.urls", Data(list.utf8))
        try daemon.dropPlain("tram.url", Data("[InternetShortcut]\r\nURL=\(server.url("/tram.html"))\r\nIconIndex=0\r\n".utf8))
        try waitUntilFetched(paths.count + 1)
        try daemon.waitUntil("the list left the inbox") { daemon.inboxAndWorkAreEmpty }

        let titles = try daemon.rows("""
            SELECT s.name, a.title FROM sightings s JOIN articles a ON a.id = s.article_id WHERE s.origin = 'url'
            """).reduce(into: [String: String]()) { $0[$1["name"]] = $1["title"] }
        XCTAssertEqual(titles[server.url("/bridge.html")], "Harbor bridge closes Monday")
        XCTAssertEqual(titles[server.url("/cafe.html")], "Café reopens")
        XCTAssertEqual(titles[server.url("/gzip.html")], "Zürich tram strike", "gzip is decoded")
        XCTAssertEqual(titles[server.url("/to-bridge")], "Harbor bridge closes Monday", "a redirect is followed (and a sighting)")
        XCTAssertEqual(titles[server.url("/tram.html")], "Zürich tram strike", "an InternetShortcut .url file")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM articles"), 3, "the redirected copy is an exact duplicate")
        XCTAssertEqual(try queueRow("/to-bridge")?["final_url"], server.url("/bridge.html"))
        XCTAssertEqual(try queueRow("/bridge.html")?["etag"], "\"v1\"")

        XCTAssertEqual(try failureReason("/missing"), "HTTP/1.1 404 Not Found")
        XCTAssertEqual(try failureReason("/document.pdf"), "not HTML or text: Content-Type application/pdf")
        XCTAssertEqual(try queueRow("/missing")?["state"], "failed")
        let badLine: String? = try daemon.rows("SELECT reason FROM failures WHERE name = 'links.urls'").first?["reason"]
        XCTAssertEqual(badLine, #"line 8: only http and https URLs are fetched, not "ftp": ftp://example.com/not-fetched"#)
        XCTAssertEqual(daemon.files(under: "processed").count, 2, "the lists are processed once their URLs are queued")
        XCTAssertGreaterThanOrEqual(try daemon.count("SELECT count(*) FROM fetch_archive WHERE encoding = 'zlib'"), 4)
        let archived: Data = try XCTUnwrap(daemon.rows("""
            SELECT response FROM fetch_archive JOIN fetch_queue q ON q.id = fetch_id WHERE q.url = ?
            """, [server.url("/gzip.html")]).first?["response"])
        let response = String(decoding: try inflate(archived), as: UTF8.self)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 200 OK\r\n"), response)
        XCTAssertTrue(response.contains("\r\nContent-Encoding: gzip\r\n"), response)
        XCTAssertTrue(response.contains("Zürich"), "the body is kept decoded")
        XCTAssertTrue(daemon.log.contains("fetch failed \(server.url("/missing")): fetch: HTTP/1.1 404 Not Found"), daemon.log)
    }

    func testNewsdropctlFetchQueuesOnceAndForceRefetchesConditionally() throws {
        try start()
        let url = server.url("/conditional.html")
        let first = try ctl("fetch", url)
        XCTAssertEqual(first.status, 0, first.errors)
        XCTAssertEqual(first.output, "queued: \(url)\n")
        try waitUntilFetched(1)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings WHERE origin = 'url' AND name = ?", [url]), 1)

        XCTAssertEqual(try ctl("fetch", url).output, "already fetched: \(url)\n")
        let forced = try ctl("fetch", "--force", url)
        XCTAssertEqual(forced.output, "requeued: \(url)\n", forced.errors)
        try daemon.waitUntil("the forced fetch is answered 304") {
            try queueRow("/conditional.html")?["http_status"] == 304
        }
        XCTAssertEqual(server.hits("/conditional.html"), 2)
        XCTAssertEqual(server.lastRequest("/conditional.html")?.headers["if-none-match"], "\"v1\"")
        XCTAssertTrue(server.lastRequest("/conditional.html")?.headers["user-agent"]?.hasPrefix("newsdrop/0.1.0") ?? false)
        XCTAssertEqual(try queueRow("/conditional.html")?["state"], "done")

        let invalid = try ctl("fetch", "file:///etc/passwd")
        XCTAssertNotEqual(invalid.status, 0)
        XCTAssertTrue(invalid.errors.contains("only http and https URLs are fetched"), invalid.errors)
        let status = try ctl("status")
        XCTAssertTrue(status.output.contains("0 in flight, 0 queued, 1 done, 0 failed"), status.output)
        let metrics = try ctl("metrics")
        XCTAssertTrue(metrics.output.contains(#"newsdrop_fetch_queue{state="done"} 1"#), metrics.output)
    }

    func testTransientErrorsAreRetriedAndLimitsAreFinal() throws {
        try start()
        let paths = ["/busy", "/flaky", "/broken", "/slow", "/endless", "/hop0", "/to-ftp"]
        for path in paths { XCTAssertEqual(try ctl("fetch", server.url(path)).status, 0) }
        try waitUntilFetched(paths.count)

        XCTAssertEqual(try queueRow("/busy")?["state"], "done", "429 with Retry-After, then success")
        XCTAssertEqual(server.hits("/busy"), 2)
        XCTAssertEqual(try queueRow("/flaky")?["state"], "done", "503, then success")
        XCTAssertEqual(server.hits("/flaky"), 2)
        XCTAssertEqual(try failureReason("/broken"), "gave up after 3 tries: HTTP/1.1 500 Internal Server Error")
        XCTAssertEqual(server.hits("/broken"), 3)
        try assertFailure("/slow", contains: "gave up after 3 tries: Operation timed out")
        XCTAssertEqual(try failureReason("/endless"), "response body larger than 262144 bytes (fetch.max_body_size)")
        try assertFailure("/hop0", contains: "Maximum (5) redirects followed")
        XCTAssertEqual(server.hits("/hop6"), 0)
        try assertFailure("/to-ftp", contains: "ftp")
    }

    func testOneHostNeverGetsMoreThanItsLimitAtOnce() throws {
        try start(environment: ["NEWSDROP_FETCH_PER_HOST": "2", "NEWSDROP_FETCH_CONCURRENCY": "8"])
        let paths = (1...6).map { "/held-\($0)" }
        XCTAssertEqual(try CtlRun.run(["--socket", daemon.url("run/control.sock").path, "fetch"] + paths.map(server.url)).status, 0)
        try waitUntilFetched(paths.count)
        XCTAssertEqual(paths.map(server.hits), Array(repeating: 1, count: paths.count))
        XCTAssertLessThanOrEqual(server.peakConcurrency, 2)
    }

    func testPrivateAddressesAreRefusedUnlessAllowed() throws {
        try start(DaemonHarness.quickArguments)
        XCTAssertEqual(try ctl("fetch", server.url("/bridge.html")).status, 0)
        try waitUntilFetched(1)
        XCTAssertEqual(try failureReason("/bridge.html"),
                       "address refused: 127.0.0.1 is a loopback address (127.0.0.0/8); allow it with --fetch-allow or fetch.allow")
        XCTAssertEqual(server.hits("/bridge.html"), 0, "not even a connection")
    }

    func testARedirectCannotSmuggleInAnAddressOutsideTheAllowlist() throws {
        try start()
        let paths = ["/to-other-loopback", "/to-metadata", "/to-ipv6-loopback"]
        for path in paths { XCTAssertEqual(try ctl("fetch", server.url(path)).status, 0) }
        try waitUntilFetched(paths.count)
        try assertFailure("/to-other-loopback", contains: "address refused: 127.0.0.2 is a loopback address")
        try assertFailure("/to-metadata", contains: "address refused: 169.254.169.254 is a link-local address")
        try assertFailure("/to-ipv6-loopback", contains: "address refused: ::1 is a loopback address")
        XCTAssertEqual(server.hits("/bridge.html"), 0)
    }

    func testALoopbackNameAndAPrivateAddressAreRefusedBeforeConnecting() throws {
        // A short connect timeout: had 10.0.0.1 been connected to, the failure would be a
        // timeout (retried, "gave up after 3 tries"), not the guard's refusal.
        try start(DaemonHarness.quickArguments, environment: ["NEWSDROP_FETCH_CONNECT_TIMEOUT": "0.5"])
        let byName = "http://localhost:\(server.port)/bridge.html", privateAddress = "http://10.0.0.1/bridge.html"
        XCTAssertEqual(try ctl("fetch", byName, privateAddress).status, 0)
        try waitUntilFetched(2)
        let reasons = try daemon.rows("SELECT name, reason FROM failures WHERE origin = 'url'")
            .reduce(into: [String: String]()) { $0[$1["name"]] = $1["reason"] }
        let refusedName = reasons[byName] ?? ""
        XCTAssertTrue(refusedName.hasPrefix("address refused: ") && refusedName.contains("is a loopback address"), refusedName)
        XCTAssertEqual(reasons[privateAddress],
                       "address refused: 10.0.0.1 is a private address (10.0.0.0/8); allow it with --fetch-allow or fetch.allow")
        XCTAssertEqual(try daemon.count("SELECT max(attempts) FROM fetch_queue"), 0, "a refusal is final: no retry is scheduled")
        XCTAssertEqual(server.hits("/bridge.html"), 0, "the name resolved to loopback and was not connected to")
    }

    func testOtherSchemesInAURLListFailLineByLineAndTheRestIsFetched() throws {
        try start()
        let lines = ["file:///etc/passwd", "ftp://127.0.0.1/pub/file", "gopher://127.0.0.1:70/1", server.url("/bridge.html"),
                     "FILE:/etc/shadow"]
        try daemon.dropByRename("schemes.urls", Data(lines.joined(separator: "\n").utf8))
        try waitUntilFetched(1)
        let reasons = try daemon.rows("SELECT reason FROM failures WHERE name = 'schemes.urls' ORDER BY item").map { $0["reason"] as String }
        XCTAssertEqual(reasons, [
            #"line 1: only http and https URLs are fetched, not "file": file:///etc/passwd"#,
            #"line 2: only http and https URLs are fetched, not "ftp": ftp://127.0.0.1/pub/file"#,
            #"line 3: only http and https URLs are fetched, not "gopher": gopher://127.0.0.1:70/1"#,
            #"line 5: only http and https URLs are fetched, not "file": FILE:/etc/shadow"#,
        ])
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM fetch_queue"), 1, "only the http URL is queued")
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings WHERE origin = 'url'"), 1)
        XCTAssertEqual(server.hits("/bridge.html"), 1)
    }

    func testADecompressionBombIsCutAtTheBodyLimitOnDecodedBytes() throws {
        try start()
        XCTAssertEqual(try ctl("fetch", server.url("/bomb")).status, 0)
        try waitUntilFetched(1)
        XCTAssertEqual(try failureReason("/bomb"), "response body larger than 262144 bytes (fetch.max_body_size)")
        XCTAssertEqual(server.hits("/bomb"), 1, "too large is final, not retried")
        let peak = try XCTUnwrap(daemon.peakResidentBytes)
        print("decompression bomb: \(Self.gzipBomb.count) bytes sent, daemon peak resident memory \(peak >> 20) MB")
        XCTAssertLessThan(peak, 200 << 20, "the 50 MB body was never held")
    }

    func testQueuedURLsSurviveKillNineAndAreFetchedOnce() throws {
        let paths = ["/bridge.html", "/cafe.html", "/tram.html", "/gzip.html"]
        try start(environment: ["NEWSDROP_FETCH_ENABLED": "false"])
        try daemon.dropByRename("later.urls", Data(paths.map(server.url).joined(separator: "\n").utf8))
        try daemon.waitUntil("the URLs are queued and the list is processed") {
            try daemon.count("SELECT count(*) FROM fetch_queue WHERE state = 'queued'") == paths.count && daemon.inboxAndWorkAreEmpty
        }
        daemon.killHard()

        try start()
        try waitUntilFetched(paths.count)
        XCTAssertEqual(try daemon.count("SELECT count(*) FROM sightings WHERE origin = 'url'"), paths.count)
        daemon.killHard()

        // A third life: nothing done is fetched again. A new URL going through shows the fetcher ran.
        try start()
        XCTAssertEqual(try ctl("fetch", server.url("/missing")).status, 0)
        try waitUntilFetched(paths.count + 1)
        for path in paths { XCTAssertEqual(server.hits(path), 1, path) }
    }
}

/// The per-host limits, with a clock that is only ever passed in.
final class HostSlotsTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_700_000_000)

    func testAHostTakesAtMostItsLimitAndOthersAreUnaffected() {
        var slots = HostSlots()
        slots.started("a.example", at: start, delay: 0)
        XCTAssertEqual(slots.admission(for: "a.example", at: start, perHost: 2), .start)
        slots.started("a.example", at: start, delay: 0)
        XCTAssertEqual(slots.admission(for: "a.example", at: start, perHost: 2), .full)
        XCTAssertEqual(slots.admission(for: "b.example", at: start, perHost: 2), .start)
        slots.finished("a.example", at: start)
        XCTAssertEqual(slots.admission(for: "a.example", at: start, perHost: 2), .start)
    }

    func testTheDelayBetweenStartsOnOneHostIsKeptAndIdleHostsAreForgotten() {
        var slots = HostSlots()
        slots.started("a.example", at: start, delay: 1.5)
        XCTAssertEqual(slots.admission(for: "a.example", at: start.addingTimeInterval(1), perHost: 8),
                       .wait(until: start.addingTimeInterval(1.5)))
        XCTAssertEqual(slots.admission(for: "a.example", at: start.addingTimeInterval(1.5), perHost: 8), .start)
        slots.finished("a.example", at: start.addingTimeInterval(1))
        XCTAssertEqual(slots.trackedHosts, 1, "remembered while its delay runs")
        slots.started("b.example", at: start.addingTimeInterval(2), delay: 0)
        slots.finished("b.example", at: start.addingTimeInterval(2))
        XCTAssertEqual(slots.trackedHosts, 0)
    }
}
