import Dispatch
import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file from a connection and a thread of
/// its own, so the writer only appends to the log.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 log pages, on the
/// writer's thread: at a steady 200 files/s that was a ninth of the writer's time, and it fell
/// on a few commits, which then held up every file waiting behind them. Here, `interval`
/// seconds after a commit, a passive checkpoint (one that never waits for, or blocks, the
/// writer) copies what the log holds; with no commits there is nothing to do and no wake-up.
///
/// The log starts over when a commit finds all of it copied. Under a steady stream of commits
/// that may not happen for a while, so the writer keeps an automatic checkpoint as a backstop
/// at a much longer log (`ArticleStore.logPagesBeforeWriterCheckpoint`): by then this
/// checkpointer has copied nearly everything, the writer's checkpoint only finishes the job,
/// and the log starts over. (A restarting checkpoint from here instead would block the writer
/// while it waits for readers: tried, and it lengthened the slowest commits.)
final class WALCheckpointer: TransactionObserver, Sendable {
    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "newsdrop.checkpoint", qos: .utility)
    private let interval: Double
    private let tickScheduled = Atomic<Bool>(false)

    init(path: String, interval: Double = 0.1) throws {
        var configuration = Configuration()
        configuration.label = "newsdrop.checkpointer"
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
    }

    /// Copies the log's committed pages into the database file, without waiting for anyone.
    func checkpoint() throws {
        try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }

    /// Runs `body` (another checkpoint) when no passive one is running: SQLite runs one
    /// checkpoint at a time and answers a second with SQLITE_BUSY at once, whatever the busy
    /// timeout, so the final checkpoint at shutdown could fail while one of these ran.
    func excludingBackgroundCheckpoints<Result>(_ body: () throws -> Result) rethrows -> Result {
        try queue.sync(execute: body)
    }

    // MARK: TransactionObserver (called on the writer's connection)

    func databaseDidCommit(_ db: Database) {
        guard tickScheduled.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        queue.asyncAfter(deadline: .now() + interval) { [weak self] in
            guard let self else { return }
            // Cleared first: a commit during this checkpoint schedules the next one.
            tickScheduled.store(false, ordering: .relaxed)
            // A failed checkpoint loses nothing (the pages stay in the log) and the next commit
            // schedules another; SQLite's own checkpoint when the last connection closes has
            // the last word.
            try? checkpoint()
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidRollback(_ db: Database) {}
}
