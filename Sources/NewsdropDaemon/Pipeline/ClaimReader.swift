import Glibc
import NewsdropCore

/// Reads a claimed file without trusting it: never follows a symlink, never opens anything but
/// a regular file, never blocks on a FIFO, never reads past the size limit, and notices a file
/// that is swapped or still being written while it is read.
enum ClaimReader {
    static func read(_ claim: Claim, in work: DirectoryHandle, maximumSize: Int) -> Result<[UInt8], IngestFailure> {
        let path = claim.path
        let before: stat
        do {
            guard let found = try work.status(of: path) else {
                return .failure(IngestFailure(.read, "the file disappeared after it was claimed"))
            }
            before = found
        } catch {
            return .failure(IngestFailure(.read, "cannot examine the file: \(error)"))
        }
        if let kind = nonRegularKind(before.st_mode) {
            let target = kind == "a symbolic link" ? linkTarget(path, in: work).map { " to \(String(reflecting: $0))" } ?? "" : ""
            return .failure(IngestFailure(.read, "not a regular file: \(kind)\(target); it is moved, never opened or followed"))
        }
        if Int(before.st_size) > maximumSize {
            return .failure(tooLarge(Int(before.st_size), maximumSize))
        }

        let descriptor: Int32
        do {
            descriptor = try work.openForReading(path)
        } catch let error as SystemError {
            return .failure(IngestFailure(.read, "cannot open the file: \(String(cString: strerror(error.code)))"))
        } catch {
            return .failure(IngestFailure(.read, "cannot open the file: \(error)"))
        }
        defer { close(descriptor) }

        var opened = stat()
        guard fstat(descriptor, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG,
              opened.st_ino == before.st_ino, opened.st_dev == before.st_dev else {
            return .failure(IngestFailure(.read, "the file was replaced while it was being claimed"))
        }

        var bytes = [UInt8](repeating: 0, count: min(Int(opened.st_size), maximumSize) + 1)
        var count = 0
        while count < bytes.count {
            let result = bytes[count...].withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if result < 0, errno == EINTR { continue }
            if result < 0 {
                return .failure(IngestFailure(.read, "cannot read the file: \(String(cString: strerror(errno)))"))
            }
            if result == 0 { break }
            count += result
        }
        // One byte more than the file's size was asked for: getting it means the file grew.
        if count > maximumSize { return .failure(tooLarge(count, maximumSize)) }
        bytes.removeLast(bytes.count - count)

        var after = stat()
        guard fstat(descriptor, &after) == 0, Int(after.st_size) == count,
              after.st_mtim.tv_sec == opened.st_mtim.tv_sec, after.st_mtim.tv_nsec == opened.st_mtim.tv_nsec else {
            return .failure(IngestFailure(.read, "the file changed while it was being read (is a producer still writing it? use inbox/tmp then rename into inbox/new)"))
        }
        return .success(bytes)
    }

    private static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a named pipe (FIFO)"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "an unknown kind of file"
        }
    }

    private static func linkTarget(_ path: FileName, in work: DirectoryHandle) -> String? {
        var buffer = [CChar](repeating: 0, count: 4_096)
        let length = path.withCString { readlinkat(work.descriptor, $0, &buffer, buffer.count) }
        guard length > 0 else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func tooLarge(_ size: Int, _ limit: Int) -> IngestFailure {
        IngestFailure(.read, "file too large: \(size) bytes (the limit is \(limit))")
    }
}
