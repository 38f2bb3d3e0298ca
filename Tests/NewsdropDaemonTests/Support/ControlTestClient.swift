import Foundation
import Glibc

/// A raw control-socket client for tests: it sends exactly the bytes it is given, so tests can
/// speak the protocol badly on purpose, and reads answers line by line with a deadline.
/// One thread may send while another reads: they touch no shared state but the socket.
final class ControlTestClient: @unchecked Sendable {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            throw HarnessError("connect \(path): \(String(cString: strerror(code)))")
        }
        // Generous: a test waiting for a slow debug build must not mistake it for a hang.
        var timeout = timeval(tv_sec: 300, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    func send(_ text: String) throws {
        try sendBytes(Array(text.utf8))
    }

    func sendBytes(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw HarnessError("send failed: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    /// The next answer line, decoded; throws on timeout or when the daemon closed the connection.
    func readResponse() throws -> [String: Any] {
        let line = try readLine()
        guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(String(decoding: line, as: UTF8.self))")
        }
        return object
    }

    /// Sends one request and returns its (final) answer.
    func call(_ command: String, _ arguments: [String: Any] = [:], id: Int = 1) throws -> [String: Any] {
        let request: [String: Any] = ["id": id, "cmd": command, "args": arguments]
        try sendBytes(Array(try JSONSerialization.data(withJSONObject: request)) + [UInt8(ascii: "\n")])
        return try readResponse()
    }

    /// `wait-idle`: true when the daemon answers that everything delivered so far is committed
    /// within `timeout` seconds.
    func waitIdle(timeout: Int) throws -> Bool {
        try call("wait-idle", ["timeout": timeout]).result?["idle"] as? Bool == true
    }

    /// True once the daemon has closed its end (a read returns end of file).
    func isClosedByDaemon() -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) == 0
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                defer { buffer.removeSubrange(...newline) }
                return Array(buffer[..<newline])
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw HarnessError(count == 0 ? "the daemon closed the connection" : "read timed out") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    var result: [String: Any]? { self["result"] as? [String: Any] }
    var errorCode: String? { (self["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (self["error"] as? [String: Any])?["message"] as? String }
}

/// Runs `newsdropctl` and captures what it prints and how it exits.
struct CtlRun {
    let status: Int32
    let output: String
    let errors: String

    static var executable: URL { Bundle.main.bundleURL.appendingPathComponent("newsdropctl") }

    static func run(_ arguments: [String], environment: [String: String] = [:], asUser user: String? = nil) throws -> CtlRun {
        let process = Process()
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(user)", "--regid=\(user == "nobody" ? "nogroup" : user)", "--clear-groups",
                                 executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CtlRun(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorData, as: UTF8.self))
    }
}
