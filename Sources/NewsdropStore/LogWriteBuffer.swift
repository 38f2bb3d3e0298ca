import CSQLiteSetup

/// The write-ahead log's appends, gathered into one write per commit by a VFS that stands in
/// for SQLite's unix one (`Sources/CSQLiteSetup/log_write_buffer.c` says how, and why it is
/// safe). SQLite writes each frame of the log with two calls at unaligned offsets, 19 frames
/// and more per article; at 100,000 stored articles those writes were 13% of the writer's time.
public enum LogWriteBuffer {
    /// Installs the VFS as the default for the connections opened afterwards; runs once per
    /// process, after `SQLiteMemoryStatistics` (it starts SQLite). False when SQLite's default
    /// VFS is not unix: the log is then written as SQLite writes it.
    static let installedBeforeFirstConnection: Bool = newsdrop_sqlite_install_log_write_buffer() == 0

    /// For the daemon's log.
    public static var summary: String {
        installedBeforeFirstConnection ? "log writes gathered per commit" : "log writes as SQLite makes them"
    }
}
