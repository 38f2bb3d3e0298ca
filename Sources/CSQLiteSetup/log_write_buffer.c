// A VFS that gathers SQLite's appends to a write-ahead log into one write per commit.
//
// SQLite writes each log frame with two calls, its 24-byte header and then its page, at
// offsets that are not page-aligned (a frame is 24 + 4096 bytes after a 32-byte header). For
// every such call the kernel takes the file's locks and, where a call extends the file into a
// new page, clears the part of that page the call does not cover: at 100,000 stored articles
// the writer's log writes were 13% of its time, a third of that clearing (`perf record`).
//
// Here every other file, and every other call on a log, goes to the default VFS unchanged. A
// log's sequential writes collect in a buffer that reaches the file:
//   - when the page of a commit frame (one whose header gives the database size) is written,
//     so a commit's frames are in the file before SQLite publishes them in the log index,
//     whatever `synchronous` says;
//   - before any other call on the log (a read, a sync, a truncation, its size, a file
//     control, its close), so SQLite never sees the file without its own writes;
//   - before a write that does not follow the buffered bytes (SQLite rewriting a frame of the
//     transaction in place), and when the buffer is full.
// A failed write is reported by whichever call made the buffer reach the file: the commit
// frame's write, or the sync, and SQLite rolls the transaction back as for any failed write.
// Frames not yet written when the process dies belong to a transaction that never committed,
// which SQLite ignores in any case.

#include "CSQLiteSetup.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

// The unix VFS passes at most 0x1ffff bytes to one pwrite (os_unix.c, seekAndWriteFd: larger
// writes came back short and failed as SQLITE_FULL): the buffer stays below that, 31 pages.
enum { log_buffer_capacity = 31 * 4096, frame_header_size = 24 };

typedef struct BufferedLog {
    sqlite3_file base;       // must be first: SQLite hands methods this pointer
    sqlite3_file *file;      // the default VFS's file, in the same allocation
    unsigned char *bytes;
    int used;
    sqlite3_int64 start;     // file offset of bytes[0]
    int commitFramePending;  // the last write was a commit frame's header
} BufferedLog;

static sqlite3_vfs *default_vfs;

// The default VFS's file lives after our header, aligned for any of its members.
static size_t file_offset(void) {
    return (sizeof(BufferedLog) + 15) & ~(size_t)15;
}

static int flush(BufferedLog *log) {
    if (log->used == 0) return SQLITE_OK;
    int rc = log->file->pMethods->xWrite(log->file, log->bytes, log->used, log->start);
    log->used = 0;
    return rc;
}

static int log_close(sqlite3_file *pFile) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush(log);
    int closed = log->file->pMethods->xClose(log->file);
    free(log->bytes);
    log->bytes = NULL;
    return rc != SQLITE_OK ? rc : closed;
}

static int log_read(sqlite3_file *pFile, void *buffer, int amount, sqlite3_int64 offset) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xRead(log->file, buffer, amount, offset);
}

// A frame header holds, big-endian at bytes 4-7, the database's size in pages after the
// commit for a commit frame, and 0 for any other frame.
static int is_commit_frame_header(const unsigned char *bytes, int amount) {
    return amount == frame_header_size && (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

static int log_write(sqlite3_file *pFile, const void *data, int amount, sqlite3_int64 offset) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc;
    if (log->used > 0 && (offset != log->start + log->used || amount > log_buffer_capacity - log->used)) {
        if ((rc = flush(log)) != SQLITE_OK) return rc;
    }
    if (amount > log_buffer_capacity) return log->file->pMethods->xWrite(log->file, data, amount, offset);
    if (log->used == 0) log->start = offset;
    memcpy(log->bytes + log->used, data, (size_t)amount);
    log->used += amount;
    if (is_commit_frame_header(data, amount)) {
        log->commitFramePending = 1;
        return SQLITE_OK;
    }
    if (log->commitFramePending) {
        log->commitFramePending = 0;
        return flush(log);
    }
    return SQLITE_OK;
}

static int log_truncate(sqlite3_file *pFile, sqlite3_int64 size) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xTruncate(log->file, size);
}

static int log_sync(sqlite3_file *pFile, int flags) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xSync(log->file, flags);
}

static int log_file_size(sqlite3_file *pFile, sqlite3_int64 *size) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xFileSize(log->file, size);
}

static int log_lock(sqlite3_file *pFile, int lock) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xLock(log->file, lock);
}

static int log_unlock(sqlite3_file *pFile, int lock) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xUnlock(log->file, lock);
}

static int log_check_reserved_lock(sqlite3_file *pFile, int *reserved) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xCheckReservedLock(log->file, reserved);
}

static int log_file_control(sqlite3_file *pFile, int op, void *argument) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xFileControl(log->file, op, argument);
}

static int log_sector_size(sqlite3_file *pFile) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xSectorSize(log->file);
}

static int log_device_characteristics(sqlite3_file *pFile) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xDeviceCharacteristics(log->file);
}

// A log has no shared memory and is never mapped; these pass the calls on for completeness,
// since a version-3 methods table must have them.
static int log_shm_map(sqlite3_file *pFile, int region, int size, int extend, void volatile **memory) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xShmMap(log->file, region, size, extend, memory);
}

static int log_shm_lock(sqlite3_file *pFile, int offset, int count, int flags) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xShmLock(log->file, offset, count, flags);
}

static void log_shm_barrier(sqlite3_file *pFile) {
    BufferedLog *log = (BufferedLog *)pFile;
    log->file->pMethods->xShmBarrier(log->file);
}

static int log_shm_unmap(sqlite3_file *pFile, int delete_flag) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xShmUnmap(log->file, delete_flag);
}

static int log_fetch(sqlite3_file *pFile, sqlite3_int64 offset, int amount, void **pointer) {
    BufferedLog *log = (BufferedLog *)pFile;
    int rc = flush(log);
    if (rc != SQLITE_OK) return rc;
    return log->file->pMethods->xFetch(log->file, offset, amount, pointer);
}

static int log_unfetch(sqlite3_file *pFile, sqlite3_int64 offset, void *pointer) {
    BufferedLog *log = (BufferedLog *)pFile;
    return log->file->pMethods->xUnfetch(log->file, offset, pointer);
}

static const sqlite3_io_methods log_methods = {
    3,
    log_close, log_read, log_write, log_truncate, log_sync, log_file_size,
    log_lock, log_unlock, log_check_reserved_lock, log_file_control,
    log_sector_size, log_device_characteristics,
    log_shm_map, log_shm_lock, log_shm_barrier, log_shm_unmap,
    log_fetch, log_unfetch,
};

// Every file but a log is the default VFS's own, opened where SQLite put it: its methods are
// the default ones and this VFS is out of the way. A log is opened behind a BufferedLog.
static int open_file(sqlite3_vfs *vfs, const char *name, sqlite3_file *pFile, int flags, int *outFlags) {
    (void)vfs;
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        return default_vfs->xOpen(default_vfs, name, pFile, flags, outFlags);
    }
    BufferedLog *log = (BufferedLog *)pFile;
    memset(log, 0, sizeof *log);
    log->bytes = malloc(log_buffer_capacity);
    if (log->bytes == NULL) return SQLITE_NOMEM;
    log->file = (sqlite3_file *)((char *)pFile + file_offset());
    int rc = default_vfs->xOpen(default_vfs, name, log->file, flags, outFlags);
    if (rc != SQLITE_OK) {
        // SQLite calls xClose on a failed open only when pMethods is set: leave it unset.
        free(log->bytes);
        log->bytes = NULL;
        return rc;
    }
    log->base.pMethods = &log_methods;
    return SQLITE_OK;
}

static int delete_file(sqlite3_vfs *vfs, const char *name, int sync_directory) {
    (void)vfs;
    return default_vfs->xDelete(default_vfs, name, sync_directory);
}

static int access_file(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs;
    return default_vfs->xAccess(default_vfs, name, flags, result);
}

static int full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return default_vfs->xFullPathname(default_vfs, name, size, out);
}

static void *dl_open(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return default_vfs->xDlOpen(default_vfs, name);
}

static void dl_error(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    default_vfs->xDlError(default_vfs, size, message);
}

static void (*dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return default_vfs->xDlSym(default_vfs, handle, symbol);
}

static void dl_close(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    default_vfs->xDlClose(default_vfs, handle);
}

static int randomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return default_vfs->xRandomness(default_vfs, size, out);
}

static int sleep_for(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return default_vfs->xSleep(default_vfs, microseconds);
}

static int current_time(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return default_vfs->xCurrentTime(default_vfs, now);
}

static int get_last_error(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    return default_vfs->xGetLastError ? default_vfs->xGetLastError(default_vfs, size, message) : 0;
}

static int current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return default_vfs->xCurrentTimeInt64(default_vfs, now);
}

static int set_system_call(sqlite3_vfs *vfs, const char *name, sqlite3_syscall_ptr call) {
    (void)vfs;
    return default_vfs->xSetSystemCall(default_vfs, name, call);
}

static sqlite3_syscall_ptr get_system_call(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return default_vfs->xGetSystemCall(default_vfs, name);
}

static const char *next_system_call(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return default_vfs->xNextSystemCall(default_vfs, name);
}

static sqlite3_vfs log_buffer_vfs;

int newsdrop_sqlite_install_log_write_buffer(void) {
    if (default_vfs != NULL) return SQLITE_OK;
    sqlite3_vfs *underlying = sqlite3_vfs_find(NULL);
    if (underlying == NULL) return SQLITE_ERROR;
    // Stands in only for the unix VFS, whose files have version-3 methods like `log_methods`
    // (and so never for itself).
    if (strcmp(underlying->zName, "unix") != 0) return SQLITE_ERROR;
    default_vfs = underlying;
    log_buffer_vfs = (sqlite3_vfs){
        .iVersion = 3,
        .szOsFile = (int)(file_offset() + (size_t)underlying->szOsFile),
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
