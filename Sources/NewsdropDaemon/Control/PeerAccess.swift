import CNewsdropSystem
import Glibc

/// Who is on the other end of a control connection, and what they may do. Read-only commands
/// are open to anyone who can connect (the socket's mode decides that); admin commands only to
/// root, the daemon's own user, and members of the configured admin group.
struct PeerAccess: Sendable {
    let uid: uid_t
    let gid: gid_t
    let pid: pid_t
    let isAdmin: Bool

    /// Reads the peer's credentials (SO_PEERCRED) from a connected socket.
    static func of(connection descriptor: Int32, adminGroup: gid_t?) -> PeerAccess? {
        var uid: UInt32 = 0, gid: UInt32 = 0, pid: Int32 = 0
        guard newsdrop_peer_credentials(descriptor, &uid, &gid, &pid) == 0 else { return nil }
        return PeerAccess(uid: uid, gid: gid, pid: pid,
                          isAdmin: AdminPolicy.isAdmin(uid: uid, gid: gid, daemonUID: geteuid(), adminGroup: adminGroup,
                                                       supplementaryGroups: { supplementaryGroups(of: descriptor) }))
    }

    /// The groups the peer process holds, from the kernel (SO_PEERGROUPS): a process that
    /// dropped the admin group is not an admin, whatever the user database says.
    private static func supplementaryGroups(of descriptor: Int32) -> [gid_t] {
        var groups = [UInt32](repeating: 0, count: 1_024)
        var count = Int32(groups.count)
        guard newsdrop_peer_groups(descriptor, &groups, &count) == 0 else { return [] }
        return Array(groups.prefix(Int(count)))
    }
}

/// The admin rule itself, separate from the system lookups so it can be tested directly.
enum AdminPolicy {
    static func isAdmin(uid: uid_t, gid: gid_t, daemonUID: uid_t, adminGroup: gid_t?,
                        supplementaryGroups: () -> [gid_t]) -> Bool {
        if uid == 0 || uid == daemonUID { return true }
        guard let adminGroup else { return false }
        return gid == adminGroup || supplementaryGroups().contains(adminGroup)
    }

    /// The group id of a group name, or nil when there is no such group.
    static func groupID(named name: String) -> gid_t? {
        var entry = group(), result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
