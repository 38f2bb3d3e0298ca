import Foundation
import NewsdropCore
import XCTest

/// The fetcher's pure rules: URL lists, address classification, retry timing.
final class FetchRulesTests: XCTestCase {
    func testAPlainListKeepsGoodLinesAndNamesBadOnes() throws {
        let entries = try URLListFormat.parse("""
            # morning picks
            https://news.example.com/a

            http://news.example.com/b?x=1
            ftp://files.example.com/c
            not a url
            https://
            """)
        XCTAssertEqual(entries.map(\.line), [2, 4, 5, 6, 7])
        XCTAssertEqual(try entries[0].outcome.get(), "https://news.example.com/a")
        XCTAssertEqual(try entries[1].outcome.get(), "http://news.example.com/b?x=1")
        XCTAssertEqual(failure(entries[2])?.reason, #"line 5: only http and https URLs are fetched, not "ftp": ftp://files.example.com/c"#)
        XCTAssertEqual(failure(entries[3])?.reason, "line 6: not a URL: not a url")
        XCTAssertEqual(failure(entries[4])?.reason, "line 7: not a valid http(s) URL with a host: https://")
    }

    func testAnInternetShortcutYieldsOnlyItsURLKey() throws {
        let entries = try URLListFormat.parse("[InternetShortcut]\r\nURL=https://news.example.com/story\r\nIconIndex=0\r\n; note\r\n")
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(try entries[0].outcome.get(), "https://news.example.com/story")
    }

    func testAnEmptyListIsAFailureOfTheWholeFile() {
        XCTAssertThrowsError(try URLListFormat.parse("# nothing\n\n")) { error in
            XCTAssertEqual((error as? IngestFailure)?.stage, .validate)
        }
    }

    func testDocumentParserReadsURLListsAsLinksNotArticles() throws {
        guard case .urls(let entries) = try DocumentParser.read(Array("https://a.example/1\n".utf8), fileName: "x.urls") else {
            return XCTFail("a .urls file should read as links")
        }
        XCTAssertEqual(entries.count, 1)
        XCTAssertThrowsError(try DocumentParser.parse(Array("https://a.example/1\n".utf8), fileName: "x.url"))
    }

    func testFetchedContentIsReadByItsType() throws {
        let page = Array("<html><head><title>Bridge closes</title></head><body><article><p>\(String(repeating: "The harbor bridge closes for repairs today. ", count: 8))</p></article></body></html>".utf8)
        let article = try DocumentParser.parseFetched(page, contentType: "text/html; charset=utf-8", url: "https://a.example/b").outcome.get()
        XCTAssertEqual(article.title, "Bridge closes")
        XCTAssertThrowsError(try DocumentParser.parseFetched([0x25, 0x50], contentType: "application/pdf", url: "https://a.example/c")) { error in
            XCTAssertEqual((error as? IngestFailure)?.reason, "not HTML or text: Content-Type application/pdf")
        }
    }

    func testNetworksParseAndContain() throws {
        let network = try XCTUnwrap(IPNetwork("192.168.1.77/24"))
        XCTAssertEqual(network.description, "192.168.1.0/24")
        XCTAssertTrue(network.contains(IPAddress("192.168.1.200")!))
        XCTAssertFalse(network.contains(IPAddress("192.168.2.1")!))
        XCTAssertEqual(IPNetwork("::1")?.description, "::1/128")
        XCTAssertEqual(IPNetwork("0.0.0.0/0")?.contains(IPAddress("8.8.8.8")!), true)
        for bad in ["10.0.0.0/33", "10.0.0/8", "localhost", "::1/129", "10.0.0.0/-1", "1.2.3.4/"] {
            XCTAssertNil(IPNetwork(bad), bad)
        }
    }

    func testSpecialPurposeAddressesAreRefusedAndPublicOnesAllowed() {
        let policy = AddressPolicy()
        let refused = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                       "224.0.0.1", "255.255.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.9", "::", "::1",
                       "fd00::1", "fe80::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1"]
        for text in refused {
            XCTAssertNotNil(policy.refusal(for: IPAddress(text)!), "\(text) should be refused")
        }
        for text in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "172.32.0.1", "100.128.0.1"] {
            XCTAssertNil(policy.refusal(for: IPAddress(text)!), "\(text) should be allowed")
        }
        XCTAssertEqual(policy.refusal(for: IPAddress("169.254.169.254")!), "169.254.169.254 is a link-local address (169.254.0.0/16)")
        XCTAssertEqual(policy.refusal(for: IPAddress("::ffff:10.0.0.1")!),
                       "10.0.0.1 (as ::ffff:10.0.0.1) is a private address (10.0.0.0/8)")
        XCTAssertEqual(policy.refusal(for: IPAddress("64:ff9b::a9fe:a9fe")!),
                       "169.254.169.254 (as 64:ff9b::a9fe:a9fe) is a link-local address (169.254.0.0/16)", "NAT64")
        XCTAssertNil(policy.refusal(for: IPAddress("64:ff9b::808:808")!), "NAT64 to a public address")
    }

    func testTheAllowlistLiftsTheRefusalForItsNetworksOnly() {
        let policy = AddressPolicy(allowed: [IPNetwork("127.0.0.1/32")!])
        XCTAssertNil(policy.refusal(for: IPAddress("127.0.0.1")!))
        XCTAssertNil(policy.refusal(for: IPAddress("::ffff:127.0.0.1")!))
        XCTAssertNotNil(policy.refusal(for: IPAddress("127.0.0.2")!))
        XCTAssertNotNil(policy.refusal(for: IPAddress("::1")!))
    }

    func testBackoffDoublesWithinItsJitterAndIsCapped() {
        XCTAssertEqual(RetryTiming.backoff(attempt: 1, base: 2, maximum: 300, unitRandom: 0), 1)
        XCTAssertEqual(RetryTiming.backoff(attempt: 1, base: 2, maximum: 300, unitRandom: 0.999_999), 2, accuracy: 0.001)
        XCTAssertEqual(RetryTiming.backoff(attempt: 4, base: 2, maximum: 300, unitRandom: 0.5), 12)
        XCTAssertEqual(RetryTiming.backoff(attempt: 40, base: 2, maximum: 300, unitRandom: 1), 300)
        XCTAssertEqual(RetryTiming.backoff(attempt: 1_000, base: 2, maximum: 300, unitRandom: 0), 150)
    }

    func testRetryAfterReadsSecondsAndEveryHTTPDateForm() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        XCTAssertEqual(RetryTiming.retryAfter("120", now: now), 120)
        XCTAssertEqual(RetryTiming.retryAfter(" 0 ", now: now), 0)
        XCTAssertEqual(RetryTiming.retryAfter("Sun, 06 Nov 1994 08:50:37 GMT", now: now), 60)
        XCTAssertEqual(RetryTiming.retryAfter("Sunday, 06-Nov-94 08:51:37 GMT", now: now), 120)
        XCTAssertEqual(RetryTiming.retryAfter("Sun Nov  6 08:49:47 1994", now: now), 10)
        XCTAssertEqual(RetryTiming.retryAfter("Sat, 05 Nov 1994 08:49:37 GMT", now: now), 0)
        XCTAssertNil(RetryTiming.retryAfter("soon", now: now))
        XCTAssertNil(RetryTiming.retryAfter("-5", now: now))
        XCTAssertNil(RetryTiming.retryAfter("", now: now))
    }

    private func failure(_ entry: URLListFormat.Entry) -> IngestFailure? {
        if case .failure(let failure) = entry.outcome { failure } else { nil }
    }
}
