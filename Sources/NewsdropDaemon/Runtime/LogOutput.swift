import Foundation
import Glibc
import Logging
import Synchronization

/// Log lines on standard error, in the form their reader wants: the journal's `<N>` priority
/// prefixes without timestamps (journald adds its own) when standard error is the journal,
/// human lines with UTC timestamps otherwise, or one JSON object per line for log shippers.
public struct LogOutput: LogHandler {
    public enum Format: String, Sendable, CaseIterable {
        /// `journal` when `$JOURNAL_STREAM` names standard error, else `human`.
        case auto
        case human
        case journal
        case json

        /// `auto`, resolved against the environment.
        public func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) -> Format {
            guard self == .auto else { return self }
            return Self.standardErrorIsJournal(environment) ? .journal : .human
        }

        /// `$JOURNAL_STREAM` is "device:inode" of the journal stream; it must match standard error
        /// itself, or a child of a journald-run process would inherit the wrong format.
        private static func standardErrorIsJournal(_ environment: [String: String]) -> Bool {
            guard let stream = environment["JOURNAL_STREAM"] else { return false }
            var status = stat()
            guard fstat(STDERR_FILENO, &status) == 0 else { return false }
            return stream == "\(status.st_dev):\(status.st_ino)"
        }
    }

    /// The level in force for every logger; a reload changes it for all of them at once.
    private static let sharedLevel = Mutex(Logger.Level.info)

    /// Installs this handler for the process, at `level`, in `format`.
    public static func bootstrap(level: Logger.Level, format: Format) {
        setLevel(level)
        LoggingSystem.bootstrap { label in LogOutput(label: label, format: format) }
    }

    public static func setLevel(_ level: Logger.Level) {
        sharedLevel.withLock { $0 = level }
    }

    public var logLevel: Logger.Level {
        get { Self.sharedLevel.withLock { $0 } }
        set { Self.setLevel(newValue) }
    }

    public var metadata: Logger.Metadata = [:]
    private let format: Format

    init(label _: String, format: Format) {
        self.format = format.resolved()
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
        let text: String
        switch format {
        case .journal:
            text = "<\(Self.syslogPriority(level))>\(message)\(Self.render(fields))"
        case .json:
            var object: [String: String] = ["time": Self.timestamp(), "level": level.rawValue, "message": "\(message)"]
            for (key, value) in fields { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        case .human, .auto:
            text = "\(Self.timestamp()) \(level.rawValue) \(message)\(Self.render(fields))"
        }
        LogWriter.shared.write(text + "\n")
    }

    /// syslog(3) priorities, which the journal reads from the `<N>` prefix.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func render(_ fields: Logger.Metadata) -> String {
        fields.isEmpty ? "" : " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var time = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &time)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", time.tm_year + 1900, time.tm_mon + 1, time.tm_mday,
                      time.tm_hour, time.tm_min, time.tm_sec, now.tv_nsec / 1_000_000)
    }
}

/// Writes whole lines to standard error, one `write` per line, so lines from different threads
/// never interleave.
private final class LogWriter: @unchecked Sendable {
    static let shared = LogWriter()
    private let lock = NSLock()

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
