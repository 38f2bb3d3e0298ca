#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include "CNewsdropSystem.h"

int newsdrop_rename_noreplace(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path) {
    int result = renameat2(old_dirfd, old_path, new_dirfd, new_path, RENAME_NOREPLACE);
    if (result == 0 || errno != EINVAL) {
        return result;
    }
    // A file system without RENAME_NOREPLACE (some network file systems): check, then rename.
    // The window between the two calls is the best such a file system allows.
    struct stat existing;
    if (fstatat(new_dirfd, new_path, &existing, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
        return -1;
    }
    return renameat(old_dirfd, old_path, new_dirfd, new_path);
}
