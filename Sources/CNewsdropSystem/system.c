#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
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

int newsdrop_accept_nonblocking(int listening_fd) {
    return accept4(listening_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

int newsdrop_peer_groups(int fd, uint32_t *groups, int *count) {
    socklen_t length = (socklen_t)(*count * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &length) != 0) {
        return -1;
    }
    *count = (int)(length / sizeof(gid_t));
    return 0;
}

int newsdrop_peer_credentials(int fd, uint32_t *uid, uint32_t *gid, int32_t *pid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
        return -1;
    }
    *uid = credentials.uid;
    *gid = credentials.gid;
    *pid = credentials.pid;
    return 0;
}
