import CSQLiteSetup
import GRDBSQLite

/// SQLite's memory statistics, which the store turns off before SQLite's first use in the
/// process. While they are on (SQLite's default) every allocation and free inside SQLite takes
/// a process-wide mutex to count bytes, several per row the writer looks up or inserts.
/// newsdrop reads none of them, and sets no soft heap limit, the one feature that needs them.
/// (GRDB already opens every connection without its own mutex: SQLite's multi-thread mode.)
public enum SQLiteMemoryStatistics {
    /// Turns the statistics off unless SQLite is already in use; runs once per process.
    static let turnedOffBeforeFirstUse: Void = { _ = newsdrop_sqlite_disable_memory_statistics() }()

    /// Whether SQLite counts its memory: false once the store turned the statistics off, true
    /// when something else used SQLite in this process before the store opened (the setting is
    /// fixed from SQLite's first use). Meaningful once a database is open.
    public static var areOn: Bool { sqlite3_memory_used() > 0 }

    /// For the daemon's log: the library's version and whether it counts memory.
    public static var summary: String {
        "SQLite \(String(cString: sqlite3_libversion())), memory statistics \(areOn ? "on" : "off")"
    }
}
