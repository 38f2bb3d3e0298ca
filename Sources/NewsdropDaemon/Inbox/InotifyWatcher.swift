import Dispatch
import Glibc

/// Reports names arriving in a set of directories, through inotify read by a Dispatch read
/// source (Dispatch has no file-system sources on Linux). It reports, it does not decide:
/// the intake looks at each name itself, and rescans when the kernel queue overflowed.
final class InotifyWatcher: @unchecked Sendable {
    enum Event {
        /// `name` arrived in the directory watched under `directory`: it was renamed in or
        /// closed after writing, or — when `createdOnly` — just created, which for a regular
        /// file means its writer may still be at work.
        case entry(directory: Int, name: FileName, createdOnly: Bool)
        /// The kernel dropped events: the directories must be rescanned.
        case overflow
    }

    private let descriptor: Int32
    private var watches: [Int32: Int] = [:]
    private let source: DispatchSourceRead

    /// Watches each path; `handler` runs on `queue` with each event.
    init(paths: [(id: Int, path: String)], queue: DispatchQueue, handler: @escaping (Event) -> Void) throws {
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw SystemError("inotify_init1", "") }
        // Closed after writing, renamed in, and created (for symlinks, FIFOs and folders,
        // which are never written). IN_ONLYDIR and IN_DONT_FOLLOW keep the watch on the
        // real folder.
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_DONT_FOLLOW)
        for (id, path) in paths {
            let watch = inotify_add_watch(descriptor, path, mask)
            guard watch >= 0 else {
                let error = SystemError("inotify_add_watch", path)
                close(descriptor)
                throw error
            }
            watches[watch] = id
        }
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        let watches = self.watches, descriptor = self.descriptor
        source.setEventHandler {
            Self.drain(descriptor: descriptor, watches: watches, handler: handler)
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
    }

    func cancel() {
        source.cancel()
    }

    /// Reads every queued event until the descriptor would block.
    private static func drain(descriptor: Int32, watches: [Int32: Int], handler: (Event) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1_024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return }
            var offset = 0
            // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[len]; }
            while offset + 16 <= count {
                let (watch, mask, length) = buffer.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                     raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                     Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let nameBytes = buffer[(offset + 16)..<min(offset + 16 + length, count)].prefix { $0 != 0 }
                offset += 16 + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    handler(.overflow)
                } else if let directory = watches[watch], !nameBytes.isEmpty {
                    let createdOnly = mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) == 0
                    handler(.entry(directory: directory, name: FileName(bytes: Array(nameBytes)), createdOnly: createdOnly))
                }
            }
        }
    }
}
