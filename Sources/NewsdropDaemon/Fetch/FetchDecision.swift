import Foundation
import NewsdropCore

/// What to do after one try of a URL.
enum FetchDecision {
    /// A 2xx response: its body becomes an article (or a precise failure).
    case page(FetchResponse)
    /// 304 to a conditional re-fetch: nothing new.
    case notModified(FetchResponse)
    /// Try again later; `after` is the server's Retry-After, when it gave one.
    case retry(reason: String, after: Double?)
    /// Recorded as a failure, with the response's status when there was one.
    case permanent(IngestFailure, status: Int)

    init(_ result: Result<FetchResponse, TransferFailure>, now: Date) {
        switch result {
        case .failure(.refusedAddress(let reason)):
            self = .permanent(IngestFailure(.fetch, reason), status: 0)
        case .failure(.bodyTooLarge(let limit)):
            self = .permanent(IngestFailure(.fetch, "response body larger than \(limit) bytes (fetch.max_body_size)"), status: 0)
        case .failure(.permanent(let detail)):
            self = .permanent(IngestFailure(.fetch, detail), status: 0)
        case .failure(.transient(let detail)):
            self = .retry(reason: detail, after: nil)
        case .success(let response):
            self = Self.decide(response, now: now)
        }
    }

    private static func decide(_ response: FetchResponse, now: Date) -> FetchDecision {
        let status = response.status
        let described = response.statusLine.isEmpty ? "HTTP \(status)" : response.statusLine
        switch status {
        case 200..<300:
            return .page(response)
        case 304:
            return .notModified(response)
        case 408, 429, 500..<600:
            return .retry(reason: described, after: response.header("Retry-After").flatMap { RetryTiming.retryAfter($0, now: now) })
        default:
            return .permanent(IngestFailure(.fetch, described), status: status)
        }
    }
}
