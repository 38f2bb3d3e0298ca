import CNewsdropSystem
import Glibc

/// An open directory, used through the `*at()` system calls: every operation names a file
/// relative to this directory, never through a path that a symlink could redirect.
public final class DirectoryHandle: Sendable {
    public let path: String
    let descriptor: Int32

    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError("open directory", path) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The names in the directory, except `.` and `..`, in byte order.
    public func entries() throws -> [FileName] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw SystemError("list directory", path)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [FileName] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            names.append(FileName(bytes: bytes))
        }
        return names.sorted()
    }

    /// The file's status without following a symlink; nil when it does not exist.
    public func status(of name: FileName) throws -> stat? {
        var result = stat()
        let code = name.withCString { fstatat(descriptor, $0, &result, AT_SYMLINK_NOFOLLOW) }
        if code == 0 { return result }
        if errno == ENOENT { return nil }
        throw SystemError("stat", describe(name))
    }

    /// Atomically renames `name` here to `newName` in `target`. Never replaces an existing file.
    public func move(_ name: FileName, to target: DirectoryHandle, as newName: FileName) throws {
        let code = name.withCString { source in
            newName.withCString { destination in
                newsdrop_rename_noreplace(descriptor, source, target.descriptor, destination)
            }
        }
        // errno first: building the message may allocate, and EEXIST is how callers find a taken name.
        guard code == 0 else { let error = errno; throw SystemError("rename", "\(describe(name)) to \(target.describe(newName))", code: error) }
    }

    /// The directory's own device and inode.
    public func identity() throws -> FileIdentity {
        var result = stat()
        guard fstat(descriptor, &result) == 0 else { throw SystemError("stat", path) }
        return FileIdentity(result)
    }

    public func makeDirectory(_ name: FileName, mode: mode_t = 0o750) throws {
        let code = name.withCString { mkdirat(descriptor, $0, mode) }
        guard code == 0 || errno == EEXIST else { throw SystemError("mkdir", describe(name)) }
    }

    public func removeDirectory(_ name: FileName) throws {
        let code = name.withCString { unlinkat(descriptor, $0, AT_REMOVEDIR) }
        guard code == 0 || errno == ENOENT else { throw SystemError("rmdir", describe(name)) }
    }

    public func removeFile(_ name: FileName) throws {
        let code = name.withCString { unlinkat(descriptor, $0, 0) }
        guard code == 0 || errno == ENOENT else { throw SystemError("unlink", describe(name)) }
    }

    /// Opens a subdirectory, refusing to follow a symlink.
    public func openDirectory(_ name: FileName) throws -> DirectoryHandle {
        try DirectoryHandle(path: path + "/" + name.display, relativeTo: self, name: name)
    }

    private init(path: String, relativeTo parent: DirectoryHandle, name: FileName) throws {
        let descriptor = name.withCString {
            openat(parent.descriptor, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw SystemError("open directory", path) }
        self.path = path
        self.descriptor = descriptor
    }

    /// Opens a file for reading without following a symlink and without blocking on a FIFO.
    public func openForReading(_ name: FileName) throws -> Int32 {
        let descriptor = name.withCString {
            openat(self.descriptor, $0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        }
        guard descriptor >= 0 else { throw SystemError("open", describe(name)) }
        return descriptor
    }

    /// Writes a small new file atomically and durably: a hidden temporary name, fsync, then a
    /// rename that never replaces an existing file.
    public func writeFileAtomically(_ name: FileName, contents: [UInt8]) throws {
        let temporary = FileName(bytes: Array(".".utf8) + name.bytes.prefix(200) + Array(".tmp".utf8))
        let descriptor = temporary.withCString {
            openat(self.descriptor, $0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o640)
        }
        guard descriptor >= 0 else { throw SystemError("create", describe(temporary)) }
        defer { close(descriptor) }
        var written = 0
        while written < contents.count {
            let count = contents[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw SystemError("write", describe(temporary)) }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw SystemError("fsync", describe(temporary)) }
        let code = temporary.withCString { source in
            name.withCString { newsdrop_rename_noreplace(self.descriptor, source, self.descriptor, $0) }
        }
        guard code == 0 else {
            let error = SystemError("rename", "\(describe(temporary)) to \(describe(name))")
            try? removeFile(temporary)
            throw error
        }
    }

    /// Flushes the directory's own entries (renames into and out of it) to disk.
    public func sync() {
        _ = fsync(descriptor)
    }

    func describe(_ name: FileName) -> String { path + "/" + name.display }
}

/// Which file a name led to: its device and inode.
public struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
