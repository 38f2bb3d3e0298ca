#ifndef NEWSDROP_CSQLITESETUP_H
#define NEWSDROP_CSQLITESETUP_H

/// Turns SQLite's memory statistics off for this whole process (sqlite3_config is variadic, so
/// Swift cannot call it). It takes effect only before SQLite's first use in the process;
/// afterwards it changes nothing and returns SQLITE_MISUSE (21). Returns SQLITE_OK (0) when
/// it took effect.
int newsdrop_sqlite_disable_memory_statistics(void);

#endif
