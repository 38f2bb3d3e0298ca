import Dispatch
import Foundation
import Glibc

/// Tells systemd how the daemon is doing, through the `sd_notify` protocol: one datagram per
/// message to the socket named by `$NOTIFY_SOCKET`. No libsystemd is needed. Without that
/// variable (not started by systemd), every call does nothing.
final class SystemdNotifier: @unchecked Sendable {
    private let descriptor: Int32
    private var address = sockaddr_un()
    private let addressLength: socklen_t
    private let lock = NSLock()

    /// Nil when the daemon was not started with `Type=notify` (no `$NOTIFY_SOCKET`).
    init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
        var bytes = Array(path.utf8)
        // "@name" is the abstract namespace: a leading NUL, and the length without a trailing NUL.
        let isAbstract = bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        addressLength = socklen_t(pathOffset + bytes.count + (isAbstract ? 0 : 1))
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
    }

    deinit { close(descriptor) }

    /// Sends `KEY=value` lines as one notification; returns false when it could not be sent.
    @discardableResult
    func notify(_ fields: [String]) -> Bool {
        let message = Array(fields.joined(separator: "\n").utf8)
        lock.lock()
        defer { lock.unlock() }
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength) }
            }
        }
        return sent == message.count
    }

    /// Runs a start-up step that can outlast systemd's start timeout (migrating a large store,
    /// or rebuilding its full-text index after a run without it) and says so: the status names
    /// the step, and the start timeout is extended every `interval` seconds while it runs
    /// (`EXTEND_TIMEOUT_USEC`, by three intervals each time), so systemd waits for a daemon
    /// that is working instead of killing it and starting the same step over.
    func extendingStart<Result>(while status: String, interval: Double = 10,
                                _ step: () throws -> Result) rethrows -> Result {
        let extendTimeout = "EXTEND_TIMEOUT_USEC=\(UInt64(interval * 3 * 1_000_000))"
        notify(["STATUS=\(status)", extendTimeout])
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [self] in notify([extendTimeout]) }
        timer.resume()
        defer { timer.cancel() }
        return try step()
    }

    /// The watchdog interval systemd asks for, when it asks this process (`WATCHDOG_USEC`, and
    /// `WATCHDOG_PID` naming this process if set).
    static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Double? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Double(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], Int32(pid) != getpid() { return nil }
        return microseconds / 1_000_000
    }

    /// CLOCK_MONOTONIC in microseconds, as `MONOTONIC_USEC=` wants it.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
