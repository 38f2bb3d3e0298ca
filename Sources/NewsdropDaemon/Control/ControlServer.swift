import CNewsdropSystem
import Dispatch
import Glibc
import Logging
import NewsdropControlProtocol
import Synchronization

/// Accepts control connections on the Unix socket and hands each to its own `ControlConnection`.
/// At the connection cap, the connection idle the longest is closed to make room, so clients
/// that open connections and sit on them cannot lock out an operator; only when every
/// connection is busy answering is a new client told `busy`.
final class ControlServer: @unchecked Sendable {
    struct Settings: Sendable {
        var path: String
        var mode: mode_t
        var adminGroup: gid_t?
        var maximumConnections: Int
        var idleTimeout: Double
    }

    private let settings: Settings
    private let commands: ControlCommands
    private let logger: Logger
    private let acceptQueue = DispatchQueue(label: "newsdrop.control.accept")
    /// Connections run their commands here: concurrent, so a slow query blocks only its own client.
    private let connectionTarget = DispatchQueue(label: "newsdrop.control.connections", attributes: .concurrent)
    private let listening: Int32
    private let source: DispatchSourceRead
    /// Open connections by descriptor. A connection leaves before its descriptor is closed, so
    /// a reused descriptor number never meets a stale entry.
    private let open = Mutex<[Int32: ControlConnection]>([:])

    init(settings: Settings, commands: ControlCommands, logger: Logger) throws {
        self.settings = settings
        self.commands = commands
        self.logger = logger
        listening = try ControlSocket.listen(at: settings.path, mode: settings.mode)
        source = DispatchSource.makeReadSource(fileDescriptor: listening, queue: acceptQueue)
        let descriptor = listening
        source.setEventHandler { [unowned self] in acceptAll() }
        source.setCancelHandler { Glibc.close(descriptor) }
        source.resume()
    }

    var connectionCount: Int { open.withLock { $0.count } }

    /// Stops accepting and removes the socket file; open connections finish on their own.
    func stop() {
        source.cancel()
        unlink(settings.path)
    }

    /// One readiness event may stand for several waiting connections: accept until none is left.
    private func acceptAll() {
        while true {
            let descriptor = newsdrop_accept_nonblocking(listening)
            if descriptor < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno != EAGAIN { logger.warning("control socket: accept failed: \(String(cString: strerror(errno)))") }
                return
            }
            accept(descriptor)
        }
    }

    private func accept(_ descriptor: Int32) {
        if connectionCount >= settings.maximumConnections, let idle = longestIdle() {
            _ = open.withLock { $0.removeValue(forKey: idle.descriptor) }
            idle.connection.queue.async { idle.connection.close() }
        }
        guard connectionCount < settings.maximumConnections else {
            let line = ControlResponse.failure(id: .null, error: ControlError(
                .busy, "too many control connections (the limit is \(settings.maximumConnections)); try again later"))
            _ = line.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            Glibc.close(descriptor)
            return
        }
        guard let peer = PeerAccess.of(connection: descriptor, adminGroup: settings.adminGroup) else {
            Glibc.close(descriptor)
            return
        }
        let connection = ControlConnection(descriptor: descriptor, peer: peer, commands: commands,
                                           idleTimeout: settings.idleTimeout, target: connectionTarget) { [weak self] in
            self?.forget(descriptor)
        }
        open.withLock { $0[descriptor] = connection }
        connection.start()
    }

    private func longestIdle() -> (descriptor: Int32, connection: ControlConnection)? {
        open.withLock { connections in
            connections.compactMap { descriptor, connection in connection.idleSince.map { (descriptor, connection, $0) } }
                .min { $0.2 < $1.2 }
                .map { ($0.0, $0.1) }
        }
    }

    private func forget(_ descriptor: Int32) {
        _ = open.withLock { $0.removeValue(forKey: descriptor) }
    }
}
