import CZlib
import Foundation
import Glibc

/// A small HTTP/1.1 server on 127.0.0.1 for the fetcher's tests: one request per connection,
/// a thread per connection, and a listen backlog large enough that parallel connects never
/// wait for a dropped SYN to be retried.
final class TestHTTPServer: @unchecked Sendable {
    struct Request {
        var path: String
        /// Header names in lower case.
        var headers: [String: String]
    }

    enum Reply {
        case page(status: Int, headers: [(String, String)], body: [UInt8])
        /// `count` chunks of `chunk` with chunked transfer encoding, until the client hangs up.
        case chunked(chunk: [UInt8], count: Int)
        /// Accepts the request, then says nothing for this long.
        case silence(seconds: Double)
        /// `reply`, after a pause (to keep requests in flight together).
        indirect case after(seconds: Double, Reply)

        static func html(_ body: [UInt8], headers: [(String, String)] = []) -> Reply {
            .page(status: 200, headers: [("Content-Type", "text/html")] + headers, body: body)
        }

        static func status(_ status: Int, headers: [(String, String)] = []) -> Reply {
            .page(status: status, headers: headers, body: Array("status \(status)\n".utf8))
        }

        static func redirect(to location: String) -> Reply {
            .page(status: 302, headers: [("Location", location)], body: [])
        }
    }

    let port: UInt16
    private let listener: Int32
    private let respond: @Sendable (Request, Int) -> Reply
    private let lock = NSLock()
    private var hitCounts: [String: Int] = [:]
    private var lastRequests: [String: Request] = [:]
    private var active = 0
    private var peak = 0

    /// `respond` gets the request and how many times its path was asked for before (0 first).
    init(respond: @escaping @Sendable (Request, Int) -> Reply) throws {
        self.respond = respond
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            close(fd)
            throw HarnessError("bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// How many requests for `path` arrived.
    func hits(_ path: String) -> Int { lock.withLock { hitCounts[path] ?? 0 } }

    func lastRequest(_ path: String) -> Request? { lock.withLock { lastRequests[path] } }

    /// The most requests that were being answered at the same moment.
    var peakConcurrency: Int { lock.withLock { peak } }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return  // the listener was closed
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while !received.containsHeaderEnd {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            received += buffer.prefix(count)
        }
        let lines = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(path: String(requestLine[1]), headers: headers)
        let previous = lock.withLock {
            let count = hitCounts[request.path] ?? 0
            hitCounts[request.path] = count + 1
            lastRequests[request.path] = request
            active += 1
            peak = max(peak, active)
            return count
        }
        defer { lock.withLock { active -= 1 } }
        send(respond(request, previous), on: connection)
    }

    private func send(_ reply: Reply, on connection: Int32) {
        switch reply {
        case .page(let status, let headers, let body):
            let head = (["HTTP/1.1 \(status) \(Self.reason(status))", "Content-Length: \(body.count)", "Connection: close"]
                + headers.map { "\($0.0): \($0.1)" }).joined(separator: "\r\n") + "\r\n\r\n"
            send(connection, Array(head.utf8) + body)
        case .chunked(let chunk, let count):
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            guard send(connection, Array(head.utf8)) else { return }
            let framed = Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)
            for _ in 0..<count where send(connection, framed) {}
            send(connection, Array("0\r\n\r\n".utf8))
        case .silence(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        case .after(let seconds, let delayed):
            Thread.sleep(forTimeInterval: seconds)
            send(delayed, on: connection)
        }
    }

    @discardableResult
    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        [200: "OK", 302: "Found", 304: "Not Modified", 404: "Not Found", 429: "Too Many Requests",
         500: "Internal Server Error", 503: "Service Unavailable"][status] ?? "Status"
    }

    /// `bytes` gzip-compressed, as a server sends them with `Content-Encoding: gzip`.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let status = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return [] }
        return Array(output.prefix(Int(stream.total_out)))
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        count >= 4 && indices.dropLast(3).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
