import XCTest
@testable import NewsdropCore

final class URLCanonicalizerTests: XCTestCase {
    private func assertCanonical(_ input: String, _ expected: String?, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(URLCanonicalizer.canonicalize(input), expected, "input: \(input.debugDescription)", file: file, line: line)
    }

    func testSchemeAndHostAreLowerCasedButPathIsNot() {
        assertCanonical("HTTPS://WWW.Example.COM/World/Story-1", "https://www.example.com/World/Story-1")
        assertCanonical("Http://News.Example.org/a?Q=Bridge", "http://news.example.org/a?Q=Bridge")
    }

    func testDefaultPortsAreDroppedOthersKept() {
        assertCanonical("http://example.com:80/a", "http://example.com/a")
        assertCanonical("https://example.com:443/a", "https://example.com/a")
        assertCanonical("https://example.com:80/a", "https://example.com:80/a")
        assertCanonical("http://example.com:443/a", "http://example.com:443/a")
        assertCanonical("http://example.com:8080/a", "http://example.com:8080/a")
        assertCanonical("https://example.com:8443", "https://example.com:8443/")
        assertCanonical("https://example.com:/a", "https://example.com/a")  // empty port
    }

    func testBadPortsHaveNoCanonicalForm() {
        assertCanonical("http://example.com:0/a", nil)
        assertCanonical("http://example.com:65536/a", nil)
        assertCanonical("http://example.com:http/a", nil)
        assertCanonical("http://example.com:-80/a", nil)
    }

    func testSignedPortIsNotAPort() {
        // RFC 3986: port = *DIGIT. "+80" is not a port, so this URL has no canonical form.
        // BUG: Int("+80") parses as 80, so the URL is accepted and the port silently dropped.
        assertCanonical("http://example.com:+80/a", nil)
    }

    func testFragmentIsDropped() {
        assertCanonical("https://example.com/story#comments", "https://example.com/story")
        assertCanonical("https://example.com/story?id=5#top", "https://example.com/story?id=5")
        assertCanonical("https://example.com#frag", "https://example.com/")
        // A "?" inside the fragment is not a query.
        assertCanonical("https://example.com/a#x?y=1", "https://example.com/a")
    }

    func testTrackingParametersAreDroppedOthersKeepTheirOrder() {
        assertCanonical(
            "https://example.com/a?utm_source=rss&z=1&utm_medium=feed&a=2&fbclid=XYZ&m=3&gclid=abc&UTM_Campaign=c",
            "https://example.com/a?z=1&a=2&m=3")
        assertCanonical("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a")
        assertCanonical("https://example.com/a?fbclid=1", "https://example.com/a")
        assertCanonical("https://example.com/a?gclid", "https://example.com/a")
        assertCanonical("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1")
        assertCanonical("https://example.com/a?id=1&&page=2&", "https://example.com/a?id=1&page=2")
        // Only the key decides: a value that looks like a tracker is kept.
        assertCanonical("https://example.com/a?ref=utm_source", "https://example.com/a?ref=utm_source")
        // "utm" without the underscore is not a tracking parameter.
        assertCanonical("https://example.com/a?utmost=1", "https://example.com/a?utmost=1")
    }

    func testEmptyPathBecomesSlash() {
        assertCanonical("https://example.com", "https://example.com/")
        assertCanonical("https://example.com?id=7", "https://example.com/?id=7")
        assertCanonical("https://example.com/", "https://example.com/")
    }

    func testUserInfoIsRemoved() {
        assertCanonical("https://user:secret@Example.com/a", "https://example.com/a")
        assertCanonical("https://user@example.com:8443/a", "https://example.com:8443/a")
        // An "@" in the query is not user information.
        assertCanonical("https://example.com/share?to=a@b.test", "https://example.com/share?to=a@b.test")
    }

    func testIPv6Hosts() {
        assertCanonical("http://[2001:DB8::1]/a", "http://[2001:db8::1]/a")
        assertCanonical("https://[2001:db8::1]:443/a", "https://[2001:db8::1]/a")
        assertCanonical("http://[::1]:8080/a", "http://[::1]:8080/a")
        assertCanonical("http://[::1/a", nil)
        assertCanonical("http://[::1]x/a", nil)
    }

    func testTrailingDotHostIsTheSameHost() {
        assertCanonical("https://example.com./a", "https://example.com/a")
        assertCanonical("https://Example.COM.:8443/a", "https://example.com:8443/a")
        assertCanonical("https://./a", nil)
    }

    func testNonHTTPSchemesAndGarbageHaveNoCanonicalForm() {
        for input in [
            "ftp://example.com/file", "mailto:editor@example.com", "javascript:alert(1)", "file:///etc/passwd",
            "example.com/story", "//example.com/story", "not a url", "", "   ", "https://", "https:///path",
            "https://exa mple.com/", "http://:80/", "https://user@/a",
        ] {
            assertCanonical(input, nil)
        }
    }

    func testSurroundingWhitespaceIsTrimmed() {
        assertCanonical("  https://example.com/a \n", "https://example.com/a")
    }

    func testOverlongURLIsRejected() {
        let long = "https://example.com/" + String(repeating: "a", count: 8_200)
        assertCanonical(long, nil)
        let fits = "https://example.com/" + String(repeating: "a", count: 8_000)
        assertCanonical(fits, fits)
    }

    func testCanonicalizationIsIdempotent() {
        for input in [
            "HTTPS://user@WWW.Example.COM.:443/World?utm_source=x&id=1#c", "http://[::1]:8080", "https://example.com",
        ] {
            guard let once = URLCanonicalizer.canonicalize(input) else { XCTFail(input); continue }
            XCTAssertEqual(URLCanonicalizer.canonicalize(once), once)
        }
    }
}
