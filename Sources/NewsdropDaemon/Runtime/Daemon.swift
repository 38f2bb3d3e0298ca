import Dispatch
import Foundation
import Glibc
import Logging
import NewsdropControlProtocol
import NewsdropStore

/// The running daemon: creates the state directory, opens the database, resumes unfinished
/// claims, watches the inbox, serves the control socket, reloads its configuration on SIGHUP
/// (or `newsdropctl reload`), and stops gracefully on SIGTERM or SIGINT (stop claiming, commit
/// what is in flight, checkpoint the database, exit 0).
public final class Daemon: @unchecked Sendable {
    /// How long a graceful stop may take before the daemon exits anyway; whatever is still in
    /// `work/` is resumed at the next start.
    public static let stopDeadline = 20.0

    /// The settings at start; those a reload cannot change stay in force until a restart.
    private let settings: DaemonSettings
    private let live: LiveSettings
    /// The configuration last loaded (at start or by a successful reload). Lifecycle queue only.
    private var configuration: Configuration
    private let layout: StateLayout
    private let logger: Logger
    private let lifecycle = DispatchQueue(label: "newsdrop.lifecycle")
    private var store: ArticleStore!
    private var intake: Intake!
    private var control: ControlServer?
    private let metrics = DaemonMetrics()
    private var signals: SignalWatcher?
    private var stopping = false
    private var pipeline: Pipeline!
    private var fetcher: FetchScheduler!
    private let notifier = SystemdNotifier()
    private var watchdog: DispatchSourceTimer?

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        settings = configuration.settings
        live = LiveSettings(configuration.settings)
        layout = StateLayout(settings: configuration.settings)
        self.logger = logger
    }

    /// Starts everything; returns once the daemon is ingesting.
    public func start() throws {
        // A peer closing a socket must not kill the daemon (libcurl writes to sockets too).
        signal(SIGPIPE, SIG_IGN)
        // Before any thread of ours exists: libcurl's global set-up is not thread-safe.
        CurlTransfer.initializeLibrary()
        try layout.create()
        store = try whileStarting("opening the database (schema migrations, full-text index catch-up)") { [self] in
            try ArticleStore(path: layout.database, similarity: settings.similarity, stages: settings.stages,
                             postedKeyFilterBytes: settings.postedKeyFilterBytes) { [logger] event in
                switch event {
                case .filled(let keys, let seconds):
                    logger.info("filter of posted keys filled: read \(keys) stored keys in \(String(format: "%.1f", seconds)) s; lookups of keys no article has are skipped from now on")
                case .failed(let reason):
                    logger.warning("filter of posted keys unusable, every posting key is looked up (slower, same results): \(reason)")
                }
            }
        }
        if store.articlesRecoveredAtOpen > 0 {
            logger.notice("the last run stopped without writing its held index entries: recomputed them for \(store.articlesRecoveredAtOpen) article(s)")
        }
        let pipeline = try Pipeline(store: store, layout: layout, settings: live, logger: logger, metrics: metrics,
                                    stalled: { [unowned self] reason in intake.setStalled(reason) }) { [unowned self] claim in
            intake.completed(claim)
        }
        intake = try Intake(layout: layout, settings: live, logger: logger, submit: pipeline.submit)
        self.pipeline = pipeline
        fetcher = FetchScheduler(store: store, pipeline: pipeline, settings: live, logger: logger)
        signals = SignalWatcher(signals: [SIGTERM, SIGINT, SIGHUP], queue: lifecycle) { [self] number in
            if number == SIGHUP {
                _ = reload(reason: "SIGHUP")
            } else {
                stop(reason: number == SIGTERM ? "SIGTERM" : "SIGINT")
            }
        }
        // The control socket first: binding it sets the process-wide umask for a moment, which
        // must not fall on folders the intake or the writer create.
        control = try startControlServer()
        try intake.start()
        fetcher.start()
        // READY only now: the database is open, the inbox watched and the socket listening.
        notifier?.notify(["READY=1", statusLine()])
        startWatchdog()
        logger.notice("newsdropd \(NewsdropVersion.current) ready: state directory \(layout.root), watching \(layout.inbox)\(settings.pollOnly ? " (poll-only)" : ""), control socket \(socketPath); \(SQLiteMemoryStatistics.summary), \(LogWriteBuffer.summary)")
    }

    /// Runs a start-up step that may take long on a large store, keeping systemd's start
    /// timeout from running out while it works.
    private func whileStarting<Result>(_ status: String, _ step: () throws -> Result) rethrows -> Result {
        guard let notifier else { return try step() }
        return try notifier.extendingStart(while: status, step)
    }

    /// `STATUS=` for `systemctl status`: the counters in one line.
    private func statusLine() -> String {
        let counters = metrics.counters, backlog = intake.backlog
        return "STATUS=\(counters.ingested) ingested, \(counters.exactDuplicates) exact and \(counters.nearDuplicates) near duplicates, "
            + "\(counters.stories) stories, \(counters.failed) failed; \(backlog.pending) waiting, \(backlog.inFlight) in flight"
    }

    /// Pings systemd's watchdog at half its interval, but only when the intake, the writer and
    /// the disposal queue all answer a heartbeat: a stuck pipeline stops the pings and systemd
    /// restarts the daemon. The status line is refreshed with each ping.
    private func startWatchdog() {
        guard let notifier else { return }
        let interval = SystemdNotifier.watchdogInterval().map { $0 / 2 } ?? 10
        let pings = SystemdNotifier.watchdogInterval() != nil
        let timer = DispatchSource.makeTimerSource(queue: lifecycle)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 50)))
        timer.setEventHandler { [unowned self] in
            let beats = DispatchGroup()
            beats.enter()
            intake.heartbeat { beats.leave() }
            beats.enter()
            pipeline.heartbeat { beats.leave() }
            beats.notify(queue: lifecycle) { [unowned self] in
                guard !stopping else { return }
                notifier.notify(pings ? ["WATCHDOG=1", statusLine()] : [statusLine()])
            }
        }
        timer.resume()
        watchdog = timer
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
        let context = ControlContext(
            layout: layout, metrics: metrics, intake: intake, fetcher: fetcher, queries: CorpusQueries(store: store), store: store, logger: logger,
            requestStop: { [unowned self] in lifecycle.async { self.stop(reason: "shutdown command") } },
            reload: { [unowned self] in lifecycle.sync { self.reload(reason: "reload command") } })
        return try ControlServer(
            settings: .init(path: socketPath, mode: mode_t(settings.socketMode), adminGroup: adminGroup,
                            maximumConnections: settings.maximumControlConnections,
                            idleTimeout: settings.controlIdleTimeout),
            commands: ControlCommands(context: context), logger: logger)
    }

    /// Re-reads the configuration file and applies what can change while running; a bad file
    /// is rejected and the running configuration kept. Runs on the lifecycle queue, between
    /// `RELOADING=1` and `READY=1` for systemd.
    private func reload(reason: String) -> Result<ReloadResult, ConfigurationError> {
        notifier?.notify(["RELOADING=1", "MONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())"])
        defer { notifier?.notify(["READY=1", statusLine()]) }
        let loaded: Configuration
        do {
            loaded = try configuration.reloaded()
        } catch {
            logger.error("\(reason): configuration rejected, the running configuration stays:\n\(error)")
            metrics.recordError("configuration rejected at reload: \(error.problems.first ?? "")")
            return .failure(error)
        }
        let (applied, needRestart) = configuration.changes(to: loaded)
        var running = live.current
        for key in applied {
            let definition = SettingsCatalog.byKey[key]!
            try? definition.write(&running, definition.read(loaded.settings))
        }
        live.replace(with: running)
        store.similaritySettings = running.similarity
        LogOutput.setLevel(running.logLevel)
        configuration = loaded
        let restartNote = needRestart.isEmpty ? "" : "; needs a restart: \(needRestart.joined(separator: ", "))"
        logger.notice("\(reason): configuration reloaded; applied: \(applied.isEmpty ? "nothing changed" : applied.joined(separator: ", "))\(restartNote)")
        return .success(ReloadResult(applied: applied, needRestart: needRestart))
    }

    private func stop(reason: String) {
        guard !stopping else {
            logger.notice("\(reason) again: exiting now; unfinished files are resumed at the next start")
            exit(1)
        }
        stopping = true
        notifier?.notify(["STOPPING=1", "STATUS=stopping: committing the files in flight"])
        watchdog?.cancel()
        logger.notice("\(reason): stopping; committing the files in flight")
        control?.stop()
        fetcher.stop()
        lifecycle.asyncAfter(deadline: .now() + Self.stopDeadline) { [self] in
            logger.error("stop took longer than \(Self.stopDeadline) s: exiting; unfinished files are resumed at the next start")
            exit(1)
        }
        intake.stop { [self] in
            do {
                try store.checkpoint()
            } catch {
                logger.error("final write or checkpoint failed (the next start replays the write-ahead log and recomputes the held index entries): \(error)")
            }
            logger.notice("stopped")
            exit(0)
        }
    }
}
