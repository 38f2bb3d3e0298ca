import Logging
import NewsdropCore
import NewsdropStore

/// Everything the daemon can be told. The defaults are the embedded configuration: with no
/// flags at all, `newsdropd` runs on `./var`.
public struct DaemonSettings: Sendable {
    /// What happens to an input file once the transaction that recorded it has committed.
    public enum Disposition: String, Sendable, CaseIterable {
        /// Move it to `processed/YYYY-MM-DD/`, where the raw input stays for re-processing.
        case move
        /// Delete it; its raw bytes are then kept in the database (`raw_inputs`) instead.
        case delete
    }

    public var stateDirectory = "var"
    /// The inbox, processed/, failed/ and the database; nil means their place in the state directory.
    public var inboxPath: String?
    public var processedPath: String?
    public var failedPath: String?
    public var databasePath: String?
    /// A plain drop into `inbox/` is taken only after its content has been quiet this long (seconds).
    public var minimumFileAge = 2.0
    /// A full rescan of the inbox this often (seconds), in case an event was ever missed.
    public var rescanInterval = 30.0
    /// Scan instead of using inotify, for file systems where inotify is blind (NFS, some FUSE).
    public var pollOnly = false
    /// How often to scan in poll-only mode (seconds).
    public var pollInterval = 2.0
    /// Files larger than this many bytes go to `failed/` unread.
    public var maximumFileSize = 10 << 20
    /// Files claimed but not yet committed; past it, files wait in the inbox.
    public var queueCapacity = 256
    /// Bytes claimed but not yet committed; past it, files wait in the inbox.
    public var queueByteBudget = 64 << 20
    /// The most deliveries recorded in one transaction.
    public var batchSize = 256
    public var disposition = Disposition.move
    /// Near-duplicate and story thresholds (docs/similarity.md explains each).
    public var similarity = SimilaritySettings()
    /// Which optional recording stages run (near-duplicates and stories; the full-text index).
    public var stages = ArticleStore.Stages()
    /// Memory for the filter of posted keys, which spares candidate search the lookups of keys
    /// no article has posted; 0 keeps none (every key is looked up: slower, same results).
    public var postedKeyFilterBytes = ArticleStore.defaultPostedKeyFilterBytes
    /// The control socket; nil means `run/control.sock` in the state directory.
    public var socketPath: String?
    /// The control socket's permission bits: owner and group may connect.
    public var socketMode = 0o660
    /// Members of this group may run admin commands (root and the daemon's user always may).
    public var adminGroup: String?
    /// Control connections open at once; past it, new clients are told "busy".
    public var maximumControlConnections = 128
    /// A control connection with no complete request for this long is closed (seconds).
    public var controlIdleTimeout = 300.0
    public var fetch = FetchSettings()
    public var logLevel = Logger.Level.info
    public var logFormat = LogOutput.Format.auto

    public init() {}

    /// Whether raw inputs must be kept in the database, because the files themselves are not kept.
    public var keepsRawInputsInDatabase: Bool { disposition == .delete }
}
