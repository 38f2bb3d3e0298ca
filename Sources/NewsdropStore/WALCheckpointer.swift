import Dispatch
import GRDB

/// Copies the write-ahead log back into the database file from a connection and a thread of
/// its own, so the writer only appends to the log.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 log pages, on the
/// writer's thread: at a steady 200 files/s that was a ninth of the writer's time, and it fell
/// on a few commits, which then held up every file waiting behind them. Here a passive
/// checkpoint (one that never waits for, or blocks, the writer) runs every `interval` seconds.
/// A passive checkpoint cannot start the log over while the writer keeps appending, so when
/// the log holds more than `restartPages` pages a restarting one follows: it waits for the
/// current transaction, copies what is left and lets the next commit write from the log's
/// start again, which keeps the log's size bounded under any load.
final class WALCheckpointer: @unchecked Sendable {
    private let connection: DatabaseQueue
    private let restartPages: Int
    /// Set once; cancelled when the store goes (a timer source is thread-safe to cancel).
    private let timer: DispatchSourceTimer

    init(path: String, interval: Double = 0.1, restartPages: Int = 16_384) throws {
        var configuration = Configuration()
        configuration.label = "newsdrop.checkpointer"
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.restartPages = restartPages
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "newsdrop.checkpoint", qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 250)))
        timer.setEventHandler { [unowned self] in
            // A failed checkpoint loses nothing (the pages stay in the log) and the next tick
            // tries again; SQLite's own checkpoint when the last connection closes has the last word.
            try? checkpoint()
        }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }

    /// One tick: copies the log's committed pages into the database file, and starts the log
    /// over when it has grown past `restartPages`.
    func checkpoint() throws {
        try connection.writeWithoutTransaction { db in
            let (logPages, _) = try db.checkpoint(.passive)
            if logPages > restartPages { try db.checkpoint(.restart) }
        }
    }
}
