import Glibc

/// The listening Unix-domain socket. It is created with its final mode from the first moment
/// (the umask is set around `bind`, so it is never briefly world-accessible), and a socket file
/// left by a crashed daemon is replaced, while one that a live daemon answers is not.
enum ControlSocket {
    static func listen(at path: String, mode: mode_t, backlog: Int32 = 128) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            throw SystemError("bind", "\(path) (a socket path is limited to \(capacity - 1) bytes)", code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }

        try removeStaleSocket(at: path, address: address)

        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError("socket", path) }
        // Permission bits the mode does not grant are masked off at bind time.
        let previousMask = umask(~mode & 0o777)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previousMask)
        guard bound == 0 else {
            let error = SystemError("bind", path)
            close(descriptor)
            throw error
        }
        guard Glibc.listen(descriptor, backlog) == 0 else {
            let error = SystemError("listen", path)
            close(descriptor)
            unlink(path)
            throw error
        }
        return descriptor
    }

    /// Removes a leftover socket file nobody answers on; refuses when a daemon is listening.
    private static func removeStaleSocket(at path: String, address: sockaddr_un) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw SystemError("bind", "\(path) (exists and is not a socket)", code: EEXIST)
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(probe) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 {
            throw SystemError("bind", "\(path) (another newsdropd is listening there)", code: EADDRINUSE)
        }
        unlink(path)
    }
}
