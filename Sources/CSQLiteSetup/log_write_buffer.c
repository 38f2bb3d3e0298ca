// A VFS that gathers SQLite's appends to a write-ahead log into one write per commit.
//
// SQLite writes each log frame with two calls, its 24-byte header and then its page, at
// offsets that are not page-aligned (a frame is 24 + 4096 bytes after a 32-byte header). For
// every such call the kernel takes the file's locks and, where a call extends the file into a
// new page, clears the part of that page the call does not cover: at 100,000 stored articles
// the writer's log writes were 13% of its time, a third of that clearing (`perf record`).
//
// Every file but a main database and its log goes to the unix VFS untouched; a database file
// passes every call through, and tells its log when the connection gives up the log's write
// lock. A log's sequential writes collect in a buffer. The rule that keeps other connections
// (in this process or another) and crash recovery seeing exactly what SQLite wrote:
//   - a commit frame's header (one that gives the database size) and everything written after
//     it, up to the next frame that is not a commit frame, go to the file at once, buffer
//     first: SQLite publishes a commit in the log index only after writing it, and a commit
//     header it rewrites with new checksums (walRewriteChecksums) is followed by no page;
//   - the buffer reaches the file before any other call on the log (a read, a sync, a
//     truncation, its size, a file control, its close), before a write that does not follow
//     the buffered bytes, when full, and before the connection releases the log's write lock:
//     bytes of a transaction that rolled back then land, as SQLite's own would have, before
//     another writer may write over the same offsets;
//   - nothing is buffered for a database without power-safe overwrite (`psow=0`), where SQLite
//     pads a commit to a sector boundary and splits a write around a sync.
// A write the disk refuses fails the call that made the buffer reach the file: SQLite's own
// write, or an I/O error (never SQLITE_FULL, after which SQLite may roll back only the
// statement) from any other call, so the transaction rolls back whole.

#include "CSQLiteSetup.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

// The unix VFS passes at most 0x1ffff bytes to one pwrite (os_unix.c, seekAndWriteFd: larger
// writes came back short and failed as SQLITE_FULL): the buffer stays below that, 31 pages.
enum { log_buffer_capacity = 31 * 4096, frame_header_size = 24, wal_header_size = 32, wal_write_lock = 0 };

// What both wrappers start with: SQLite's handle, then the unix VFS's file, which lives in the
// same allocation after the wrapper.
typedef struct Wrapped {
    sqlite3_file base;
    sqlite3_file *file;
} Wrapped;

typedef struct DatabaseFile DatabaseFile;

typedef struct BufferedLog {
    Wrapped wrapped;
    unsigned char *bytes;
    int used;
    sqlite3_int64 start;        // file offset of bytes[0]
    int writingThrough;         // since a commit frame's header, until the next other frame
    DatabaseFile *database;     // guarded by `registry_lock`
} BufferedLog;

struct DatabaseFile {
    Wrapped wrapped;
    sqlite3_filename name;      // as SQLite passed it: its log's name leads back to it
    BufferedLog *log;           // guarded by `registry_lock`
    DatabaseFile *next;         // in `open_databases`
};

static sqlite3_vfs *unix_vfs;

// Open database files, for a log to find its connection's database at its open.
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static DatabaseFile *open_databases;

static sqlite3_file *file_of(sqlite3_file *pFile) {
    return ((Wrapped *)pFile)->file;
}

static size_t file_offset(size_t wrapper_size) {
    return (wrapper_size + 15) & ~(size_t)15;
}

static int flush(BufferedLog *log) {
    if (log->used == 0) return SQLITE_OK;
    sqlite3_file *file = log->wrapped.file;
    int rc = file->pMethods->xWrite(file, log->bytes, log->used, log->start);
    log->used = 0;
    return rc;
}

// For calls other than a write: SQLite rolls a whole transaction back after an I/O error.
static int flush_before_call(BufferedLog *log) {
    return flush(log) == SQLITE_OK ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

// MARK: Calls passed through: all of a database file's but its close and its shared-memory
// locks, and a log's that do not touch the buffer

static int pass_read(sqlite3_file *f, void *buffer, int amount, sqlite3_int64 offset) {
    return file_of(f)->pMethods->xRead(file_of(f), buffer, amount, offset);
}
static int pass_write(sqlite3_file *f, const void *data, int amount, sqlite3_int64 offset) {
    return file_of(f)->pMethods->xWrite(file_of(f), data, amount, offset);
}
static int pass_truncate(sqlite3_file *f, sqlite3_int64 size) { return file_of(f)->pMethods->xTruncate(file_of(f), size); }
static int pass_sync(sqlite3_file *f, int flags) { return file_of(f)->pMethods->xSync(file_of(f), flags); }
static int pass_file_size(sqlite3_file *f, sqlite3_int64 *size) { return file_of(f)->pMethods->xFileSize(file_of(f), size); }
static int pass_file_control(sqlite3_file *f, int op, void *argument) {
    return file_of(f)->pMethods->xFileControl(file_of(f), op, argument);
}
static int pass_fetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **pointer) {
    return file_of(f)->pMethods->xFetch(file_of(f), offset, amount, pointer);
}
static int pass_shm_lock(sqlite3_file *f, int offset, int count, int flags) {
    return file_of(f)->pMethods->xShmLock(file_of(f), offset, count, flags);
}
static int pass_lock(sqlite3_file *f, int lock) { return file_of(f)->pMethods->xLock(file_of(f), lock); }
static int pass_unlock(sqlite3_file *f, int lock) { return file_of(f)->pMethods->xUnlock(file_of(f), lock); }
static int pass_check_reserved_lock(sqlite3_file *f, int *out) { return file_of(f)->pMethods->xCheckReservedLock(file_of(f), out); }
static int pass_sector_size(sqlite3_file *f) { return file_of(f)->pMethods->xSectorSize(file_of(f)); }
static int pass_device_characteristics(sqlite3_file *f) { return file_of(f)->pMethods->xDeviceCharacteristics(file_of(f)); }
static int pass_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **memory) {
    return file_of(f)->pMethods->xShmMap(file_of(f), region, size, extend, memory);
}
static void pass_shm_barrier(sqlite3_file *f) { file_of(f)->pMethods->xShmBarrier(file_of(f)); }
static int pass_shm_unmap(sqlite3_file *f, int delete_flag) { return file_of(f)->pMethods->xShmUnmap(file_of(f), delete_flag); }
static int pass_unfetch(sqlite3_file *f, sqlite3_int64 offset, void *pointer) {
    return file_of(f)->pMethods->xUnfetch(file_of(f), offset, pointer);
}

// MARK: The log

static int log_close(sqlite3_file *pFile) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush_before_call(log);
    pthread_mutex_lock(&registry_lock);
    if (log->database != NULL) log->database->log = NULL;
    pthread_mutex_unlock(&registry_lock);
    int closed = log->wrapped.file->pMethods->xClose(log->wrapped.file);
    free(log->bytes);
    log->bytes = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static int log_read(sqlite3_file *pFile, void *buffer, int amount, sqlite3_int64 offset) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush_before_call(log);
    return rc != SQLITE_OK ? rc : log->wrapped.file->pMethods->xRead(log->wrapped.file, buffer, amount, offset);
}

// A frame header holds, big-endian at bytes 4-7, the database's size in pages after the
// commit for a commit frame, and 0 for any other frame. With power-safe overwrite (the only
// case buffered) SQLite writes a log in whole pieces: its 32-byte header, a frame's 24-byte
// header, a page; so a 24-byte write is a frame header.
static int is_frame_header(int amount) {
    return amount == frame_header_size;
}

static int is_commit_frame_header(const unsigned char *bytes) {
    return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

static int log_write(sqlite3_file *pFile, const void *data, int amount, sqlite3_int64 offset) {
    BufferedLog *log = (BufferedLog *)pFile;
    sqlite3_file *file = log->wrapped.file;
    int rc;
    if (is_frame_header(amount)) {
        log->writingThrough = is_commit_frame_header(data);
    } else if (amount == wal_header_size && offset == 0) {
        log->writingThrough = 0;  // a new log's header: a new transaction
    }
    if (log->used > 0 && (offset != log->start + log->used || amount > log_buffer_capacity - log->used)) {
        if ((rc = flush(log)) != SQLITE_OK) return rc;
    }
    if (amount > log_buffer_capacity) return file->pMethods->xWrite(file, data, amount, offset);
    if (log->used == 0) log->start = offset;
    memcpy(log->bytes + log->used, data, (size_t)amount);
    log->used += amount;
    return log->writingThrough ? flush(log) : SQLITE_OK;
}

static int log_truncate(sqlite3_file *pFile, sqlite3_int64 size) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush_before_call(log);
    return rc != SQLITE_OK ? rc : log->wrapped.file->pMethods->xTruncate(log->wrapped.file, size);
}

static int log_sync(sqlite3_file *pFile, int flags) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush_before_call(log);
    return rc != SQLITE_OK ? rc : log->wrapped.file->pMethods->xSync(log->wrapped.file, flags);
}

static int log_file_size(sqlite3_file *pFile, sqlite3_int64 *size) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush_before_call(log);
    return rc != SQLITE_OK ? rc : log->wrapped.file->pMethods->xFileSize(log->wrapped.file, size);
}

static int log_file_control(sqlite3_file *pFile, int op, void *argument) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush_before_call(log);
    return rc != SQLITE_OK ? rc : log->wrapped.file->pMethods->xFileControl(log->wrapped.file, op, argument);
}

// A log is never mapped: passed on for completeness, after the buffer.
static int log_fetch(sqlite3_file *pFile, sqlite3_int64 offset, int amount, void **pointer) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush_before_call(log);
    return rc != SQLITE_OK ? rc : log->wrapped.file->pMethods->xFetch(log->wrapped.file, offset, amount, pointer);
}

static const sqlite3_io_methods log_methods = {
    3,
    log_close, log_read, log_write, log_truncate, log_sync, log_file_size,
    pass_lock, pass_unlock, pass_check_reserved_lock, log_file_control,
    pass_sector_size, pass_device_characteristics,
    pass_shm_map, pass_shm_lock, pass_shm_barrier, pass_shm_unmap,
    log_fetch, pass_unfetch,
};

// MARK: The database file

static int database_close(sqlite3_file *pFile) {
    DatabaseFile *database = (DatabaseFile *)pFile;
    pthread_mutex_lock(&registry_lock);
    for (DatabaseFile **link = &open_databases; *link != NULL; link = &(*link)->next) {
        if (*link == database) {
            *link = database->next;
            break;
        }
    }
    if (database->log != NULL) database->log->database = NULL;
    pthread_mutex_unlock(&registry_lock);
    return database->wrapped.file->pMethods->xClose(database->wrapped.file);
}

// The log's write lock is slot 0 of the shared-memory locks, taken through the database file:
// before it is released, this connection's buffered log bytes reach the file. A failed write
// here only loses bytes of a transaction that did not commit (a commit is written through).
static int database_shm_lock(sqlite3_file *pFile, int offset, int count, int flags) {
    DatabaseFile *database = (DatabaseFile *)pFile;
    if ((flags & SQLITE_SHM_UNLOCK) && offset <= wal_write_lock && wal_write_lock < offset + count) {
        // The connection's own thread: the log cannot close meanwhile.
        if (database->log != NULL) (void)flush(database->log);
    }
    return pass_shm_lock(pFile, offset, count, flags);
}

static const sqlite3_io_methods database_methods = {
    3,
    database_close, pass_read, pass_write, pass_truncate, pass_sync, pass_file_size,
    pass_lock, pass_unlock, pass_check_reserved_lock, pass_file_control,
    pass_sector_size, pass_device_characteristics,
    pass_shm_map, database_shm_lock, pass_shm_barrier, pass_shm_unmap,
    pass_fetch, pass_unfetch,
};

// MARK: Opening

static int open_database(const char *name, sqlite3_file *pFile, int flags, int *outFlags) {
    DatabaseFile *database = (DatabaseFile *)pFile;
    memset(database, 0, sizeof *database);
    database->wrapped.file = (sqlite3_file *)((char *)pFile + file_offset(sizeof(DatabaseFile)));
    int rc = unix_vfs->xOpen(unix_vfs, name, database->wrapped.file, flags, outFlags);
    // On failure pMethods stays NULL, and SQLite does not close the file.
    if (rc != SQLITE_OK) return rc;
    database->name = name;
    database->wrapped.base.pMethods = &database_methods;
    pthread_mutex_lock(&registry_lock);
    database->next = open_databases;
    open_databases = database;
    pthread_mutex_unlock(&registry_lock);
    return SQLITE_OK;
}

// The open database file whose log this is, if the log is to be buffered: only where the
// database has power-safe overwrite, as SQLite reads it from the database file.
static DatabaseFile *database_buffering(const char *logName) {
    sqlite3_filename databaseName = sqlite3_filename_database(logName);
    for (DatabaseFile *database = open_databases; database != NULL; database = database->next) {
        if (database->name != databaseName) continue;
        sqlite3_file *file = database->wrapped.file;
        int psow = file->pMethods->xDeviceCharacteristics(file) & SQLITE_IOCAP_POWERSAFE_OVERWRITE;
        return psow && database->log == NULL ? database : NULL;
    }
    return NULL;
}

static int open_log(const char *name, sqlite3_file *pFile, int flags, int *outFlags) {
    BufferedLog *log = (BufferedLog *)pFile;
    memset(log, 0, sizeof *log);
    pthread_mutex_lock(&registry_lock);
    DatabaseFile *database = database_buffering(name);
    pthread_mutex_unlock(&registry_lock);
    if (database == NULL) return unix_vfs->xOpen(unix_vfs, name, pFile, flags, outFlags);
    log->bytes = malloc(log_buffer_capacity);
    if (log->bytes == NULL) return SQLITE_NOMEM;
    log->wrapped.file = (sqlite3_file *)((char *)pFile + file_offset(sizeof(BufferedLog)));
    int rc = unix_vfs->xOpen(unix_vfs, name, log->wrapped.file, flags, outFlags);
    if (rc != SQLITE_OK) {
        free(log->bytes);
        log->bytes = NULL;
        return rc;
    }
    log->wrapped.base.pMethods = &log_methods;
    pthread_mutex_lock(&registry_lock);
    // The database cannot have closed meanwhile: the connection opening its log holds it.
    log->database = database;
    database->log = log;
    pthread_mutex_unlock(&registry_lock);
    return SQLITE_OK;
}

static int open_file(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *pFile, int flags, int *outFlags) {
    (void)vfs;
    if ((flags & SQLITE_OPEN_MAIN_DB) && name != NULL) return open_database(name, pFile, flags, outFlags);
    if (flags & SQLITE_OPEN_WAL) return open_log(name, pFile, flags, outFlags);
    return unix_vfs->xOpen(unix_vfs, name, pFile, flags, outFlags);
}

// MARK: The rest of the VFS is unix's

static int delete_file(sqlite3_vfs *vfs, const char *name, int sync_directory) {
    (void)vfs;
    return unix_vfs->xDelete(unix_vfs, name, sync_directory);
}
static int access_file(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return unix_vfs->xAccess(unix_vfs, name, flags, result);
}
static int full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return unix_vfs->xFullPathname(unix_vfs, name, size, out);
}
static void *dl_open(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return unix_vfs->xDlOpen(unix_vfs, name);
}
static void dl_error(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    unix_vfs->xDlError(unix_vfs, size, message);
}
static void (*dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return unix_vfs->xDlSym(unix_vfs, handle, symbol);
}
static void dl_close(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    unix_vfs->xDlClose(unix_vfs, handle);
}
static int randomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return unix_vfs->xRandomness(unix_vfs, size, out);
}
static int sleep_for(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return unix_vfs->xSleep(unix_vfs, microseconds);
}
static int current_time(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return unix_vfs->xCurrentTime(unix_vfs, now);
}
static int get_last_error(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    return unix_vfs->xGetLastError(unix_vfs, size, message);
}
static int current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return unix_vfs->xCurrentTimeInt64(unix_vfs, now);
}
static int set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call) {
    (void)vfs;
    return unix_vfs->xSetSystemCall(unix_vfs, name, call);
}
static sqlite3_syscall_ptr get_system_call(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return unix_vfs->xGetSystemCall(unix_vfs, name);
}
static const char *next_system_call(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return unix_vfs->xNextSystemCall(unix_vfs, name);
}

static sqlite3_vfs log_buffer_vfs;

int newsdrop_sqlite_install_log_write_buffer(void) {
    if (unix_vfs != NULL) return SQLITE_OK;
    sqlite3_vfs *underlying = sqlite3_vfs_find(NULL);
    // Stands in only for the unix VFS, whose files have version-3 methods like ours.
    if (underlying == NULL || strcmp(underlying->zName, "unix") != 0) return SQLITE_ERROR;
    unix_vfs = underlying;
    size_t wrapper = sizeof(BufferedLog) > sizeof(DatabaseFile) ? sizeof(BufferedLog) : sizeof(DatabaseFile);
    log_buffer_vfs = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = (int)(file_offset(wrapper) + (size_t)underlying->szOsFile),
        .mxPathname = underlying->mxPathname,
        .zName = "newsdrop-log-buffer",
        .xOpen = open_file,
        .xDelete = delete_file,
        .xAccess = access_file,
        .xFullPathname = full_pathname,
        .xDlOpen = dl_open,
        .xDlError = dl_error,
        .xDlSym = dl_sym,
        .xDlClose = dl_close,
        .xRandomness = randomness,
        .xSleep = sleep_for,
        .xCurrentTime = current_time,
        .xGetLastError = get_last_error,
        .xCurrentTimeInt64 = current_time_int64,
        .xSetSystemCall = set_system_call,
        .xGetSystemCall = get_system_call,
        .xNextSystemCall = next_system_call,
    };
    return sqlite3_vfs_register(&log_buffer_vfs, 1);
}
