import Dispatch
import Foundation
import Glibc
import Logging
import NewsdropControlProtocol
import NewsdropStore

/// The running daemon: creates the state directory, opens the database, resumes unfinished
/// claims, watches the inbox, and stops gracefully on SIGTERM or SIGINT (stop claiming, commit
/// what is in flight, checkpoint the database, exit 0).
public final class Daemon: @unchecked Sendable {
    /// How long a graceful stop may take before the daemon exits anyway; whatever is still in
    /// `work/` is resumed at the next start.
    public static let stopDeadline = 20.0

    private let settings: DaemonSettings
    private let layout: StateLayout
    private let logger: Logger
    private let lifecycle = DispatchQueue(label: "newsdrop.lifecycle")
    private var store: ArticleStore!
    private var intake: Intake!
    private var control: ControlServer?
    private let metrics = DaemonMetrics()
    private var signals: SignalWatcher?
    private var stopping = false

    public init(settings: DaemonSettings, logger: Logger) {
        self.settings = settings
        self.layout = StateLayout(root: settings.stateDirectory)
        self.logger = logger
    }

    /// Starts everything; returns once the daemon is ingesting.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        try createStateDirectory()
        store = try ArticleStore(path: layout.database)
        let pipeline = try Pipeline(store: store, layout: layout, settings: settings, logger: logger,
                                    metrics: metrics) { [unowned self] claim in
            intake.completed(claim)
        }
        intake = try Intake(layout: layout, settings: settings, logger: logger, submit: pipeline.submit)
        signals = SignalWatcher(signals: [SIGTERM, SIGINT], queue: lifecycle) { [self] number in
            stop(reason: number == SIGTERM ? "SIGTERM" : "SIGINT")
        }
        try intake.start()
        control = try startControlServer()
        logger.notice("newsdropd \(NewsdropVersion.current) ready: state directory \(layout.root), watching \(layout.inbox)\(settings.pollOnly ? " (poll-only)" : ""), control socket \(socketPath)")
    }

    private var socketPath: String { settings.socketPath ?? layout.run + "/control.sock" }

    private func startControlServer() throws -> ControlServer {
        var adminGroup: gid_t?
        if let name = settings.adminGroup {
            guard let gid = AdminPolicy.groupID(named: name) else {
                throw SystemError("find admin group", name, code: ENOENT)
            }
            adminGroup = gid
        }
        let context = ControlContext(layout: layout, metrics: metrics, intake: intake, queries: CorpusQueries(store: store),
                                     logger: logger) { [unowned self] in
            lifecycle.async { self.stop(reason: "shutdown command") }
        }
        return try ControlServer(
            settings: .init(path: socketPath, mode: mode_t(settings.socketMode), adminGroup: adminGroup,
                            maximumConnections: settings.maximumControlConnections,
                            idleTimeout: settings.controlIdleTimeout),
            commands: ControlCommands(context: context), logger: logger)
    }

    private func createStateDirectory() throws {
        for directory in layout.directories {
            guard mkdir(directory, 0o750) == 0 || errno == EEXIST else {
                throw SystemError("create directory", directory)
            }
        }
    }

    private func stop(reason: String) {
        guard !stopping else {
            logger.notice("\(reason) again: exiting now; unfinished files are resumed at the next start")
            exit(1)
        }
        stopping = true
        logger.notice("\(reason): stopping; committing the files in flight")
        control?.stop()
        lifecycle.asyncAfter(deadline: .now() + Self.stopDeadline) { [self] in
            logger.error("stop took longer than \(Self.stopDeadline) s: exiting; unfinished files are resumed at the next start")
            exit(1)
        }
        intake.stop { [self] in
            do {
                try store.checkpoint()
            } catch {
                logger.error("checkpoint failed (the write-ahead log is replayed at the next start): \(error)")
            }
            logger.notice("stopped")
            exit(0)
        }
    }
}
