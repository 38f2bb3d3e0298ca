// System calls that Swift's Glibc module does not expose, because glibc declares them only
// under _GNU_SOURCE. Each wrapper is a direct pass-through.
#ifndef CNEWSDROP_SYSTEM_H
#define CNEWSDROP_SYSTEM_H

// renameat(2) that fails with EEXIST instead of replacing an existing target
// (renameat2 with RENAME_NOREPLACE). Returns 0, or -1 with errno set.
int newsdrop_rename_noreplace(int old_dirfd, const char *old_path, int new_dirfd, const char *new_path);

#include <stdint.h>
#include <sys/types.h>

// accept4(2) with SOCK_NONBLOCK | SOCK_CLOEXEC: the new connection is never briefly blocking
// or inheritable. Returns the descriptor, or -1 with errno set.
int newsdrop_accept_nonblocking(int listening_fd);

// The peer's credentials on a connected Unix socket (SO_PEERCRED, whose struct ucred glibc
// declares only under _GNU_SOURCE). Returns 0, or -1 with errno set.
int newsdrop_peer_credentials(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid);

// The peer process's supplementary groups on a connected Unix socket (SO_PEERGROUPS, Linux
// 4.13+): the groups the connecting process really has, not what the user database lists.
// On entry *count is the capacity of groups; on success it is the number filled in.
// Returns 0, or -1 with errno set (ERANGE when the capacity is too small).
int newsdrop_peer_groups(int fd, uint32_t *groups, int *count);

// libFuzzer's driver (defined only in a -sanitize=fuzzer build, where newsdrop-fuzz calls it).
#include <stddef.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
