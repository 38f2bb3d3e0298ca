import ArgumentParser
import Dispatch
import Foundation
import Logging
import NewsdropDaemon

/// `newsdropd`: the newsdrop daemon. Runs in the foreground; with no options it uses `./var`.
struct Newsdropd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsdropd",
        abstract: "Ingest news articles dropped into an inbox into one deduplicated SQLite corpus."
    )

    @Option(name: .customLong("state-dir"), help: "The state directory (inbox, work, processed, failed, database).")
    var stateDirectory = DaemonSettings().stateDirectory

    @Option(name: .customLong("min-file-age"), help: "Seconds a plain drop must be quiet before it is taken.")
    var minimumFileAge = DaemonSettings().minimumFileAge

    @Option(name: .customLong("rescan-interval"), help: "Seconds between full rescans of the inbox.")
    var rescanInterval = DaemonSettings().rescanInterval

    @Flag(name: .customLong("poll"), help: "Scan instead of using inotify (for NFS and other file systems inotify cannot see).")
    var pollOnly = false

    @Option(name: .customLong("poll-interval"), help: "Seconds between scans in poll-only mode.")
    var pollInterval = DaemonSettings().pollInterval

    @Option(name: .customLong("max-file-size"), help: "Largest input file in bytes; larger files go to failed/.")
    var maximumFileSize = DaemonSettings().maximumFileSize

    @Option(name: .customLong("queue-size"), help: "Files claimed but not yet committed before claiming pauses.")
    var queueCapacity = DaemonSettings().queueCapacity

    @Option(name: .customLong("disposition"), help: "What to do with a committed input: move (to processed/) or delete (raw bytes kept in the database).")
    var disposition = DaemonSettings.Disposition.move

    @Option(name: .customLong("socket"), help: "The control socket (default: STATE-DIR/run/control.sock).")
    var socketPath: String?

    @Option(name: .customLong("socket-mode"), help: "The control socket's permission bits, in octal.",
            transform: { text in
                guard let mode = Int(text, radix: 8), (0...0o777).contains(mode) else {
                    throw ValidationError("--socket-mode takes octal permission bits such as 660")
                }
                return mode
            })
    var socketMode = DaemonSettings().socketMode

    @Option(name: .customLong("admin-group"), help: "A group whose members may run admin commands over the control socket.")
    var adminGroup: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = Logger.Level.info

    func validate() throws {
        guard minimumFileAge >= 0, rescanInterval > 0, pollInterval > 0 else {
            throw ValidationError("--min-file-age must be at least 0, and intervals greater than 0")
        }
        guard maximumFileSize > 0, queueCapacity > 0 else {
            throw ValidationError("--max-file-size and --queue-size must be greater than 0")
        }
    }

    func run() throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var settings = DaemonSettings()
        settings.stateDirectory = stateDirectory
        settings.minimumFileAge = minimumFileAge
        settings.rescanInterval = rescanInterval
        settings.pollOnly = pollOnly
        settings.pollInterval = pollInterval
        settings.maximumFileSize = maximumFileSize
        settings.queueCapacity = queueCapacity
        settings.disposition = disposition
        settings.socketPath = socketPath
        settings.socketMode = socketMode
        settings.adminGroup = adminGroup
        let daemon = Daemon(settings: settings, logger: Logger(label: "newsdropd"))
        try daemon.start()
        dispatchMain()
    }
}

extension DaemonSettings.Disposition: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}

Newsdropd.main()
