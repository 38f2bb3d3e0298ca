import CCurl
import Foundation
import Glibc
import NewsdropCore

/// What a fetch asks for: the URL, and validators for a conditional request.
struct FetchRequest: Sendable {
    var url: String
    var etag: String?
    var lastModified: String?
}

/// An HTTP response that arrived in full (any status).
struct FetchResponse: Sendable {
    var status: Int
    /// The last response's status line and headers (after redirects), in order.
    var statusLine: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var effectiveURL: String?
    var contentType: String?

    func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Why a transfer ended without a full response.
enum TransferFailure: Error, Sendable {
    /// The address guard refused every address of the host (or of a redirect's host).
    case refusedAddress(String)
    case bodyTooLarge(limit: Int)
    /// Worth another try later: timeouts, resets, DNS hiccups.
    case transient(String)
    /// Will not get better: too many redirects, a non-http redirect, bad TLS certificates.
    case permanent(String)
}

/// One GET with libcurl's easy interface, performed synchronously on the calling thread.
///
/// Easy handles on a bounded set of Dispatch workers, not the multi interface: at most
/// `fetch.concurrency` (8) transfers block a thread each, which Dispatch handles easily, and
/// every transfer stays a straight-line function with its own state. The multi interface pays
/// off with hundreds of parallel connections, which a polite news fetcher never opens.
struct CurlTransfer {
    let settings: FetchSettings

    /// Once per process, before any transfer (libcurl's global state is not thread-safe to set up).
    static func initializeLibrary() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }

    func perform(_ request: FetchRequest) -> Result<FetchResponse, TransferFailure> {
        guard let handle = curl_easy_init() else { return .failure(.transient("libcurl could not create a handle")) }
        defer { curl_easy_cleanup(handle) }
        let state = TransferState(maximumBodySize: settings.maximumBodySize, policy: AddressPolicy(allowed: settings.allowedNetworks))
        let context = Unmanaged.passRetained(state)
        defer { context.release() }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        if let etag = request.etag { headerList = curl_slist_append(headerList, "If-None-Match: \(etag)") }
        if let date = request.lastModified { headerList = curl_slist_append(headerList, "If-Modified-Since: \(date)") }
        defer { curl_slist_free_all(headerList) }

        let options: [CURLcode] = [
            ccurl_setopt_string(handle, CURLOPT_URL, request.url),
            ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),  // no SIGALRM for DNS timeouts in a threaded process
            ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            ccurl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
            ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1),
            ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, settings.maximumRedirects),
            ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout * 1_000)),
            ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(settings.timeout * 1_000)),
            ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1),
            ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2),
            // "": every encoding this libcurl can decode (gzip, deflate, br, zstd as built).
            ccurl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""),
            ccurl_setopt_string(handle, CURLOPT_USERAGENT, settings.userAgent),
            // No proxy from the environment: the address guard must see the real target.
            ccurl_setopt_string(handle, CURLOPT_PROXY, ""),
            // Refuses early when Content-Length announces too much; chunked bodies are counted below.
            ccurl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maximumBodySize)),
            ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
            ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList),
            ccurl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, collectBody),
            ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque()),
            ccurl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, collectHeader),
            ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque()),
            ccurl_setopt_opensocket_callback(handle, openCheckedSocket),
            ccurl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, context.toOpaque()),
        ]
        if let failed = options.first(where: { $0 != CURLE_OK }) {
            return .failure(.permanent("libcurl refused an option: \(String(cString: curl_easy_strerror(failed)))"))
        }

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
            return .failure(classify(code, detail: detail, state: state))
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(FetchResponse(status: status, statusLine: state.statusLine, headers: state.headers, body: state.body,
                                      effectiveURL: string(handle, CURLINFO_EFFECTIVE_URL),
                                      contentType: string(handle, CURLINFO_CONTENT_TYPE)))
    }

    private func string(_ handle: UnsafeMutableRawPointer, _ info: CURLINFO) -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard ccurl_getinfo_string(handle, info, &pointer) == CURLE_OK, let pointer else { return nil }
        return String(cString: pointer)
    }

    private func classify(_ code: CURLcode, detail: String, state: TransferState) -> TransferFailure {
        if let refusal = state.refusal, state.allowedSockets == 0, code == CURLE_COULDNT_CONNECT {
            return .refusedAddress(refusal)
        }
        switch code {
        case CURLE_FILESIZE_EXCEEDED: return .bodyTooLarge(limit: settings.maximumBodySize)
        case CURLE_WRITE_ERROR where state.bodyTooLarge: return .bodyTooLarge(limit: settings.maximumBodySize)
        case CURLE_OPERATION_TIMEDOUT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR,
             CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2,
             CURLE_HTTP2_STREAM:
            return .transient(detail)
        default:
            return .permanent(detail)
        }
    }
}

/// What the callbacks of one transfer collect. Touched only by the transfer's own thread.
private final class TransferState {
    let maximumBodySize: Int
    let policy: AddressPolicy
    var body: [UInt8] = []
    var bodyTooLarge = false
    var statusLine = ""
    var headers: [(name: String, value: String)] = []
    /// The first refused address of the current connection attempt and why, and how many of
    /// its addresses were let through: refused with none let through, the address guard is
    /// the reason the transfer failed. Both restart with each response (a redirect's next hop).
    var refusal: String?
    var allowedSockets = 0

    init(maximumBodySize: Int, policy: AddressPolicy) {
        self.maximumBodySize = maximumBodySize
        self.policy = policy
    }
}

/// CURLOPT_WRITEFUNCTION: appends body bytes, and aborts (by returning 0) past the limit.
private let collectBody: curl_write_callback = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard state.body.count + length <= state.maximumBodySize else {
        state.bodyTooLarge = true
        return 0
    }
    if let data { state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length)) }
    return length
}

/// CURLOPT_HEADERFUNCTION: one header line at a time, for every response of a redirect chain;
/// a status line starts a new response, so only the last one's headers remain.
private let collectHeader: curl_write_callback = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard let data else { return length }
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        state.statusLine = line
        state.headers.removeAll()
        state.refusal = nil
        state.allowedSockets = 0
    } else if let colon = line.firstIndex(of: ":") {
        state.headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    return length
}

/// CURLOPT_OPENSOCKETFUNCTION: the address guard. libcurl calls it with the address it is
/// about to connect to (after DNS, for every redirect too), so a name or a redirect cannot
/// smuggle in a private target. Refusing returns CURL_SOCKET_BAD; libcurl then tries the
/// host's other addresses and fails with CURLE_COULDNT_CONNECT when none is left.
private let openCheckedSocket: curl_opensocket_callback = { context, purpose, address in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    guard let address else { return CURL_SOCKET_BAD }
    guard let target = socketAddress(address) else {
        state.refusal = state.refusal ?? "an address of family \(address.pointee.family), which is neither IPv4 nor IPv6"
        return CURL_SOCKET_BAD
    }
    if let reason = state.policy.refusal(for: target) {
        state.refusal = state.refusal ?? "address refused: \(reason); allow it with --fetch-allow or fetch.allow"
        return CURL_SOCKET_BAD
    }
    state.allowedSockets += 1
    return socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
}

/// The IP address inside libcurl's socket address (which has room for IPv6 after `addr`).
private func socketAddress(_ address: UnsafeMutablePointer<curl_sockaddr>) -> IPAddress? {
    let base = UnsafeRawPointer(address) + MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
    switch address.pointee.family {
    case AF_INET:
        let bytes = base + MemoryLayout<sockaddr_in>.offset(of: \sockaddr_in.sin_addr)!
        return IPAddress(bytes: Array(UnsafeRawBufferPointer(start: bytes, count: 4)))
    case AF_INET6:
        let bytes = base + MemoryLayout<sockaddr_in6>.offset(of: \sockaddr_in6.sin6_addr)!
        return IPAddress(bytes: Array(UnsafeRawBufferPointer(start: bytes, count: 16)))
    default:
        return nil
    }
}
