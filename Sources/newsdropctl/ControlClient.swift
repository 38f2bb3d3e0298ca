import Foundation
import Glibc
import NewsdropControlProtocol

/// A blocking client for the control socket: one request at a time, answers read line by line.
final class ControlClient {
    /// Why the daemon could not be reached, with a hint for the person at the terminal.
    struct ConnectionFailure: Error, CustomStringConvertible {
        let description: String
    }

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var nextID: Int64 = 1

    init(path: String, timeout: Double) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ConnectionFailure(description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw ConnectionFailure(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw ConnectionFailure(description: Self.hint(for: code, path: path))
        }
        setTimeout(timeout)
    }

    deinit { close(descriptor) }

    /// Applies to each send and each read from now on; 0 waits forever.
    func setTimeout(_ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends a request and returns its final answer; streamed items go to `onItem` as they come.
    func request(_ command: String, _ arguments: [String: JSONValue] = [:],
                 onItem: (JSONValue) throws -> Void = { _ in }) throws -> ControlResponse {
        let id = nextID
        nextID += 1
        try write(ControlRequest(id: .integer(id), command: command, arguments: arguments).encoded())
        while true {
            let line = try readLine()
            let response = try JSONDecoder().decode(ControlResponse.self, from: Data(line))
            if let item = response.item {
                try onItem(item)
            } else {
                return response
            }
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw ConnectionFailure(description: "cannot send to the daemon: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                throw ConnectionFailure(description: "the daemon did not answer in time (raise --timeout)")
            }
            guard count > 0 else { throw ConnectionFailure(description: "the daemon closed the connection") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    private static func hint(for code: Int32, path: String) -> String {
        let reason = String(cString: strerror(code))
        switch code {
        case ENOENT:
            return "cannot connect to \(path): \(reason). Is newsdropd running? Point to its socket with --socket or NEWSDROP_SOCKET."
        case ECONNREFUSED:
            return "cannot connect to \(path): \(reason). The socket is left over from a daemon that is not running."
        case EACCES, EPERM:
            return "cannot connect to \(path): \(reason). Your user needs to be in the daemon's group (the socket is mode 0660)."
        default:
            return "cannot connect to \(path): \(reason)"
        }
    }
}
