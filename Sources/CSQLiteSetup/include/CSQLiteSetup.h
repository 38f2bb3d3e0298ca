#ifndef NEWSDROP_CSQLITESETUP_H
#define NEWSDROP_CSQLITESETUP_H

/// Turns SQLite's memory statistics off for this whole process (sqlite3_config is variadic, so
/// Swift cannot call it). It takes effect only before SQLite's first use in the process;
/// afterwards it changes nothing and returns SQLITE_MISUSE (21). Returns SQLITE_OK (0) when
/// it took effect.
int newsdrop_sqlite_disable_memory_statistics(void);

/// Makes the VFS that gathers a write-ahead log's appends into one write per commit
/// (log_write_buffer.c) the default for every connection opened afterwards, standing in for
/// the unix VFS. Call it after `newsdrop_sqlite_disable_memory_statistics`, since it starts
/// SQLite. Returns SQLITE_OK (0) once installed (again on later calls), SQLITE_ERROR (1) when
/// the default VFS is not unix.
int newsdrop_sqlite_install_log_write_buffer(void);

#endif
