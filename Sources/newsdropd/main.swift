import ArgumentParser
import Dispatch
import Foundation
import Logging
import NewsdropDaemon

/// `newsdropd`: the newsdrop daemon. Runs in the foreground; with no options it uses `./var`.
///
/// Every option below sets the configuration key in brackets; the command line wins over the
/// environment (`NEWSDROP_…`), which wins over `--config FILE`, which wins over the defaults.
struct Newsdropd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newsdropd",
        abstract: "Ingest news articles dropped into an inbox into one deduplicated SQLite corpus.",
        discussion: "Settings: command-line options > NEWSDROP_* environment variables > --config FILE > defaults. "
            + "`newsdropd --check-config` prints every setting, its value and where it came from.",
        version: "0.1.0"
    )

    @Option(help: "A YAML configuration file (see config/newsdrop.yaml).")
    var config: String?

    @Flag(name: .customLong("check-config"), help: "Validate the configuration, print every effective setting and where it came from, and exit.")
    var checkConfig = false

    @Option(name: .customLong("state-dir"), help: "The state directory [state_dir].") var stateDirectory: String?
    @Option(name: .customLong("socket"), help: "The control socket [paths.socket].") var socketPath: String?
    @Option(help: "move or delete a committed input [inbox.disposition].") var disposition: String?
    @Option(name: .customLong("min-file-age"), help: "Seconds a plain drop must be quiet [inbox.min_file_age].") var minimumFileAge: String?
    @Option(name: .customLong("rescan-interval"), help: "Seconds between inbox rescans [inbox.rescan_interval].") var rescanInterval: String?
    @Flag(name: .customLong("poll"), help: "Scan instead of using inotify [inbox.poll].") var pollOnly = false
    @Option(name: .customLong("poll-interval"), help: "Seconds between scans in poll mode [inbox.poll_interval].") var pollInterval: String?
    @Option(name: .customLong("max-file-size"), help: "Largest input file, bytes [inbox.max_file_size].") var maximumFileSize: String?
    @Option(name: .customLong("queue-size"), help: "Files claimed before claiming pauses [inbox.queue_size].") var queueCapacity: String?
    @Option(name: .customLong("socket-mode"), help: "Control socket permission bits, octal [control.socket_mode].") var socketMode: String?
    @Option(name: .customLong("admin-group"), help: "Group allowed admin commands [control.admin_group].") var adminGroup: String?
    @Option(name: .customLong("duplicate-threshold"), help: "Near-duplicate score, 0–1 [dedup.duplicate_threshold].") var duplicateThreshold: String?
    @Option(name: .customLong("story-threshold"), help: "Story join score, 0–1 [stories.threshold].") var storyThreshold: String?
    @Option(name: .customLong("story-window"), help: "Story window in days [stories.window_days].") var storyWindow: String?
    @Option(name: .customLong("fetch-allow"), help: ArgumentHelp("A network the fetcher may reach although not public, CIDR; repeatable [fetch.allow].", valueName: "CIDR"))
    var fetchAllow: [String] = []
    @Option(name: .customLong("log-level"), help: "trace … critical [log.level].") var logLevel: String?
    @Option(name: .customLong("log-format"), help: "auto, human, journal or json [log.format].") var logFormat: String?

    /// The options that were given, as settings.
    private var commandLineSettings: [CommandLineSetting] {
        let given: [(String, String, String?)] = [
            ("state_dir", "--state-dir", stateDirectory), ("paths.socket", "--socket", socketPath),
            ("inbox.disposition", "--disposition", disposition), ("inbox.min_file_age", "--min-file-age", minimumFileAge),
            ("inbox.rescan_interval", "--rescan-interval", rescanInterval), ("inbox.poll", "--poll", pollOnly ? "true" : nil),
            ("inbox.poll_interval", "--poll-interval", pollInterval), ("inbox.max_file_size", "--max-file-size", maximumFileSize),
            ("inbox.queue_size", "--queue-size", queueCapacity), ("control.socket_mode", "--socket-mode", socketMode),
            ("control.admin_group", "--admin-group", adminGroup),
            ("dedup.duplicate_threshold", "--duplicate-threshold", duplicateThreshold),
            ("stories.threshold", "--story-threshold", storyThreshold), ("stories.window_days", "--story-window", storyWindow),
            ("log.level", "--log-level", logLevel), ("log.format", "--log-format", logFormat),
            ("fetch.allow", "--fetch-allow", fetchAllow.isEmpty ? nil : fetchAllow.joined(separator: ",")),
        ]
        return given.compactMap { key, flag, value in value.map { CommandLineSetting(key: key, flag: flag, value: $0) } }
    }

    func run() throws {
        let configuration: Configuration
        do {
            configuration = try Configuration.load(file: config, environment: ProcessInfo.processInfo.environment,
                                                   commandLine: commandLineSettings)
        } catch {
            FileHandle.standardError.write(Data("newsdropd: invalid configuration:\n\(error)\n".utf8))
            throw ExitCode.failure
        }
        if checkConfig {
            print(configuration.report())
            return
        }
        LogOutput.bootstrap(level: configuration.settings.logLevel, format: configuration.settings.logFormat)
        let daemon = Daemon(configuration: configuration, logger: Logger(label: "newsdropd"))
        do {
            try daemon.start()
        } catch {
            Logger(label: "newsdropd").critical("cannot start: \(error)")
            throw ExitCode.failure
        }
        dispatchMain()
    }
}

Newsdropd.main()
