/// The folders and files under the state directory:
///
///     inbox/          plain drops (taken once quiet for the minimum age)
///     inbox/tmp/      producers write here first …
///     inbox/new/      … then rename here: taken at once
///     work/           claimed files, one folder per claim, until their commit
///     processed/      committed inputs, by UTC day: processed/YYYY-MM-DD/
///     failed/         inputs that could not be ingested, each with NAME.error.json
///     run/            the control socket
///     newsdrop.db     the SQLite database (plus its -wal and -shm files)
public struct StateLayout: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public var inbox: String { root + "/inbox" }
    public var inboxTemporary: String { inbox + "/tmp" }
    public var inboxNew: String { inbox + "/new" }
    public var work: String { root + "/work" }
    public var processed: String { root + "/processed" }
    public var failed: String { root + "/failed" }
    public var run: String { root + "/run" }
    public var database: String { root + "/newsdrop.db" }

    /// The folders, parents first.
    public var directories: [String] { [root, inbox, inboxTemporary, inboxNew, work, processed, failed, run] }
}
