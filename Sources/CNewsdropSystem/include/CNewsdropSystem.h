// System calls that Swift's Glibc module does not expose, because glibc declares them only
// under _GNU_SOURCE. Each wrapper is a direct pass-through.
#ifndef CNEWSDROP_SYSTEM_H
#define CNEWSDROP_SYSTEM_H

// renameat(2) that fails with EEXIST instead of replacing an existing target
// (renameat2 with RENAME_NOREPLACE). Returns 0, or -1 with errno set.
int newsdrop_rename_noreplace(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path);

#endif
