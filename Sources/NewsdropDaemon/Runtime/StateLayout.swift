import Glibc

/// The folders and files under the state directory:
///
///     inbox/          plain drops (taken once quiet for the minimum age)
///     inbox/tmp/      producers write here first …
///     inbox/new/      … then rename here: taken at once
///     work/           claimed files, named <claim-id>-NAME, until their commit
///     processed/      committed inputs, by UTC day: processed/YYYY-MM-DD/
///     failed/         inputs that could not be ingested, each with NAME.error.json
///     run/            the control socket
///     newsdrop.db     the SQLite database (plus its -wal and -shm files)
///
/// The inbox, processed/, failed/ and the database may be placed elsewhere; files move between
/// the inbox, work/, processed/ and failed/ by rename, so those four must share a file system.
public struct StateLayout: Sendable {
    public let root: String
    public let inbox: String
    public let processed: String
    public let failed: String
    public let database: String

    public init(root: String, inbox: String? = nil, processed: String? = nil, failed: String? = nil, database: String? = nil) {
        let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.root = root
        self.inbox = inbox ?? root + "/inbox"
        self.processed = processed ?? root + "/processed"
        self.failed = failed ?? root + "/failed"
        self.database = database ?? root + "/newsdrop.db"
    }

    init(settings: DaemonSettings) {
        self.init(root: settings.stateDirectory, inbox: settings.inboxPath, processed: settings.processedPath,
                  failed: settings.failedPath, database: settings.databasePath)
    }

    public var inboxTemporary: String { inbox + "/tmp" }
    public var inboxNew: String { inbox + "/new" }
    public var work: String { root + "/work" }
    public var run: String { root + "/run" }

    /// The folders, parents first.
    public var directories: [String] { [root, inbox, inboxTemporary, inboxNew, work, processed, failed, run] }

    /// Creates the folders, and refuses a layout whose folders would need a rename across file
    /// systems (which the kernel refuses, and which would leave files stuck in the inbox).
    func create() throws {
        for directory in directories {
            guard mkdir(directory, 0o750) == 0 || errno == EEXIST else {
                throw SystemError("create directory", directory)
            }
        }
        var workStatus = stat()
        guard stat(work, &workStatus) == 0 else { throw SystemError("stat", work) }
        for folder in [inbox, inboxNew, processed, failed] {
            var status = stat()
            guard stat(folder, &status) == 0 else { throw SystemError("stat", folder) }
            if status.st_dev != workStatus.st_dev {
                throw SystemError("use", "\(folder): it is on another file system than \(work); files move between them by rename",
                                  code: EXDEV)
            }
        }
    }
}
