import NewsdropControlProtocol
import NewsdropCore

/// How the URL fetcher behaves; `fetch.*` in the configuration file.
public struct FetchSettings: Sendable {
    /// Off: URLs are still queued (nothing is lost), just not fetched until it is on again.
    public var enabled = true
    /// Transfers at once, over all hosts.
    public var concurrency = 8
    /// Transfers at once to one host.
    public var perHost = 2
    /// Seconds between the starts of two transfers to one host: politeness toward small sites.
    public var hostDelay = 1.0
    public var connectTimeout = 10.0
    /// The whole transfer, redirects included.
    public var timeout = 30.0
    /// Largest response body; a larger one (announced or streamed) aborts the transfer.
    public var maximumBodySize = 10 << 20
    public var maximumRedirects = 5
    /// An address or URL for site operators, shown in the User-Agent.
    public var contact: String?
    /// Tries of one URL, the first included, before a transient failure becomes permanent.
    public var retryAttempts = 4
    public var retryBaseDelay = 5.0
    public var retryMaximumDelay = 600.0
    /// Keep every fetched response (status, headers, body), compressed, in `fetch_archive`.
    public var archiveResponses = false
    /// Networks the fetcher may reach although they are not public (loopback, private…).
    public var allowedNetworks: [IPNetwork] = []

    public init() {}

    /// `newsdrop/0.1.0 (+mailto:news@example.org)`: who is fetching and how to reach them.
    var userAgent: String {
        "newsdrop/\(NewsdropVersion.current)" + (contact.map { " (+\($0))" } ?? "")
    }
}
