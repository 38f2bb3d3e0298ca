import Foundation
import Logging
import NewsdropCore

/// Every setting newsdropd has, in one table: its key in the configuration file, what kind of
/// value it takes, what it does, whether a reload can change it, and where it lives in
/// `DaemonSettings`. The file, the environment, the command line, `--check-config` and reload
/// all work from this table, so a setting is declared exactly once.
struct SettingDefinition: Sendable {
    /// How a setting's text is read.
    enum Kind: Sendable {
        case string
        case path
        case seconds
        case fraction
        case count
        case bytes
        case flag
        case octal
        case choice([String])
        case networks

        var expected: String {
            switch self {
            case .string: "a string"
            case .path: "a path"
            case .seconds: "a number of seconds from 0 to 31536000 (a year)"
            case .fraction: "a number from 0 to 1"
            case .count: "a whole number (1 or more)"
            case .bytes: "a number of bytes (1 or more; suffixes K, M, G for KiB, MiB, GiB)"
            case .flag: "true or false"
            case .octal: "octal permission bits such as 0660"
            case .choice(let options): "one of " + options.joined(separator: ", ")
            case .networks: "networks in CIDR notation such as 10.0.0.0/8 or ::1/128 (a list, or separated by commas)"
            }
        }
    }

    /// The dotted key, as in the file: `inbox.min_file_age`.
    let key: String
    let kind: Kind
    let help: String
    /// True when a reload applies it to the running daemon; otherwise a change needs a restart.
    let live: Bool
    let read: @Sendable (DaemonSettings) -> String
    let write: @Sendable (inout DaemonSettings, String) throws(SettingError) -> Void

    /// `NEWSDROP_INBOX_MIN_FILE_AGE` for `inbox.min_file_age`.
    var environmentName: String {
        "NEWSDROP_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}

/// A value that does not fit its setting: what was expected.
struct SettingError: Error {
    let expected: String
}

enum SettingsCatalog {
    static let all: [SettingDefinition] = [
        text("state_dir", .path, "The state directory: inbox, work, processed, failed, run and the database live under it.",
             live: false, \.stateDirectory),
        optionalText("paths.inbox", .path, "The inbox (empty: STATE_DIR/inbox); same file system as the state directory.",
                     live: false, \.inboxPath),
        optionalText("paths.processed", .path, "Committed inputs (empty: STATE_DIR/processed); same file system.",
                     live: false, \.processedPath),
        optionalText("paths.failed", .path, "Failed inputs (empty: STATE_DIR/failed); same file system.", live: false, \.failedPath),
        optionalText("paths.database", .path, "The SQLite database (empty: STATE_DIR/newsdrop.db).", live: false, \.databasePath),
        optionalText("paths.socket", .path, "The control socket (empty: STATE_DIR/run/control.sock).", live: false, \.socketPath),
        choice("inbox.disposition", DaemonSettings.Disposition.self,
               "What happens to a committed input: move (to processed/) or delete (raw bytes kept in the database).",
               live: false, \.disposition),
        number("inbox.min_file_age", .seconds, "Seconds a plain drop into inbox/ must be quiet before it is taken.",
               live: true, \.minimumFileAge),
        number("inbox.rescan_interval", .seconds, "Seconds between full rescans of the inbox (a safety net for missed events).",
               live: false, \.rescanInterval, minimum: 0.1),
        flag("inbox.poll", "Scan instead of using inotify, for file systems where inotify is blind (NFS).", live: false, \.pollOnly),
        number("inbox.poll_interval", .seconds, "Seconds between scans in poll mode.", live: false, \.pollInterval,
               minimum: 0.1),
        integer("inbox.max_file_size", .bytes, "Largest input file; larger files go to failed/ unread.", live: true,
                \.maximumFileSize),
        integer("inbox.queue_size", .count, "Files claimed but not yet committed before claiming pauses.", live: true,
                \.queueCapacity),
        integer("inbox.queue_bytes", .bytes, "Bytes claimed but not yet committed before claiming pauses.", live: true,
                \.queueByteBudget),
        octal("control.socket_mode", "The control socket's permission bits.", live: false, \.socketMode),
        optionalText("control.admin_group", .string, "Group whose members may run admin commands (empty: none).",
                     live: false, \.adminGroup),
        integer("control.max_connections", .count, "Control connections open at once.", live: false,
                \.maximumControlConnections),
        number("control.idle_timeout", .seconds, "Seconds before an idle control connection is closed.", live: false,
               \.controlIdleTimeout, minimum: 1),
        flag("dedup.similarity", "Near-duplicate groups and stories (one stage); false keeps exact deduplication only.",
             live: false, \.stages.similarity),
        number("dedup.duplicate_threshold", .fraction, "Sentence-alignment score from which two texts are near-duplicates.",
               live: true, \.similarity.duplicateThreshold),
        number("dedup.sentence_dice", .fraction, "Content-word overlap (Dice) from which two sentences align.",
               live: true, \.similarity.sentenceDice),
        integer("dedup.key_filter_size", .bytes,
                "Memory for the filter that spares lookups of posting keys no article has (0: none; slower, same results).",
                live: false, \.postedKeyFilterBytes, minimum: 0),
        number("stories.threshold", .fraction, "Score an article needs against a story's recent members to join it.",
               live: true, \.similarity.storyThreshold),
        integer("stories.window_days", .count, "Days around a story's publication dates within which it takes articles.",
                live: true, \.similarity.storyWindowDays, minimum: 0),
        flag("search.full_text", "The full-text index behind search; false skips it (rebuilt at the next start with true).",
             live: false, \.stages.fullText),
        choice("log.level", Logger.Level.self, "Least severe messages logged.", live: true, \.logLevel),
        choice("log.format", LogOutput.Format.self,
               "auto (journal under systemd, human otherwise), human, journal or json.", live: false, \.logFormat),
        flag("fetch.enabled", "Fetch queued URLs (off: they stay queued until it is on again).", live: true, \.fetch.enabled),
        integer("fetch.concurrency", .count, "Transfers at once, over all hosts.", live: true, \.fetch.concurrency),
        integer("fetch.per_host", .count, "Transfers at once to one host.", live: true, \.fetch.perHost),
        number("fetch.host_delay", .seconds, "Seconds between the starts of two transfers to one host.", live: true,
               \.fetch.hostDelay),
        number("fetch.connect_timeout", .seconds, "Seconds to connect (DNS and TLS included) before a try fails.",
               live: true, \.fetch.connectTimeout, minimum: 0.1),
        number("fetch.timeout", .seconds, "Seconds a whole transfer (redirects included) may take.", live: true,
               \.fetch.timeout, minimum: 0.1),
        integer("fetch.max_body_size", .bytes, "Largest response body; a larger one is a permanent failure.", live: true,
                \.fetch.maximumBodySize),
        integer("fetch.max_redirects", .count, "Redirects followed (http and https only).", live: true,
                \.fetch.maximumRedirects, minimum: 0),
        optionalText("fetch.contact", .string, "Contact shown in the User-Agent, e.g. mailto:news@example.org (empty: none).",
                     live: true, \.fetch.contact),
        integer("fetch.retry_attempts", .count, "Tries of a URL before a transient failure (timeout, 5xx, 429) is final.",
                live: true, \.fetch.retryAttempts),
        number("fetch.retry_base_delay", .seconds, "Back-off before the second try; doubles for each further one.",
               live: true, \.fetch.retryBaseDelay),
        number("fetch.retry_max_delay", .seconds, "Longest back-off between tries.", live: true, \.fetch.retryMaximumDelay),
        flag("fetch.archive", "Keep every response (status, headers, body) zlib-compressed in the database.", live: true,
             \.fetch.archiveResponses),
        networks("fetch.allow", "Networks the fetcher may reach although not public (loopback, private, link-local…).",
                 live: true, \.fetch.allowedNetworks),
    ]

    static let byKey = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    // MARK: Builders, one per kind of value

    private static func text(_ key: String, _ kind: SettingDefinition.Kind, _ help: String, live: Bool,
                             _ path: WritableKeyPath<DaemonSettings, String> & Sendable) -> SettingDefinition {
        SettingDefinition(key: key, kind: kind, help: help, live: live, read: { $0[keyPath: path] }) { settings, text throws(SettingError) in
            guard !text.isEmpty else { throw SettingError(expected: kind.expected) }
            settings[keyPath: path] = text
        }
    }

    private static func optionalText(_ key: String, _ kind: SettingDefinition.Kind, _ help: String, live: Bool,
                                     _ path: WritableKeyPath<DaemonSettings, String?> & Sendable) -> SettingDefinition {
        SettingDefinition(key: key, kind: kind, help: help, live: live, read: { $0[keyPath: path] ?? "" }) { settings, text in
            settings[keyPath: path] = text.isEmpty ? nil : text
        }
    }

    /// A number at least `minimum` (an interval of 0 would make a timer spin).
    /// No interval or timeout is longer than a year: the timers they set (Dispatch converts
    /// seconds to nanoseconds in 64 bits) trap on values past a few centuries, and a value
    /// meant as "never" should be refused with a reason, not crash the daemon.
    static let maximumSeconds: Double = 31_536_000

    private static func number(_ key: String, _ kind: SettingDefinition.Kind, _ help: String, live: Bool,
                               _ path: WritableKeyPath<DaemonSettings, Double> & Sendable, minimum: Double = 0) -> SettingDefinition {
        SettingDefinition(key: key, kind: kind, help: help, live: live, read: { format($0[keyPath: path]) }) { settings, text throws(SettingError) in
            guard let value = Double(text), value.isFinite, value >= minimum, !(kind.isFraction && value > 1),
                  !(kind.isSeconds && value > maximumSeconds) else {
                throw SettingError(expected: kind.isSeconds
                    ? "a number of seconds from \(format(minimum)) to \(format(maximumSeconds)) (a year)" : kind.expected)
            }
            settings[keyPath: path] = value
        }
    }

    private static func integer(_ key: String, _ kind: SettingDefinition.Kind, _ help: String, live: Bool,
                                _ path: WritableKeyPath<DaemonSettings, Int> & Sendable, minimum: Int = 1) -> SettingDefinition {
        SettingDefinition(key: key, kind: kind, help: help, live: live, read: { String($0[keyPath: path]) }) { settings, text throws(SettingError) in
            guard let value = kind.isBytes ? parseBytes(text) : Int(text), value >= minimum else {
                throw SettingError(expected: minimum > 0 ? kind.expected
                    : kind.isBytes ? "a number of bytes (0 or more; suffixes K, M, G for KiB, MiB, GiB)" : "a whole number (0 or more)")
            }
            settings[keyPath: path] = value
        }
    }

    private static func flag(_ key: String, _ help: String, live: Bool,
                             _ path: WritableKeyPath<DaemonSettings, Bool> & Sendable) -> SettingDefinition {
        SettingDefinition(key: key, kind: .flag, help: help, live: live, read: { String($0[keyPath: path]) }) { settings, text throws(SettingError) in
            switch text.lowercased() {
            case "true", "yes", "on", "1": settings[keyPath: path] = true
            case "false", "no", "off", "0": settings[keyPath: path] = false
            default: throw SettingError(expected: SettingDefinition.Kind.flag.expected)
            }
        }
    }

    private static func octal(_ key: String, _ help: String, live: Bool,
                              _ path: WritableKeyPath<DaemonSettings, Int> & Sendable) -> SettingDefinition {
        SettingDefinition(key: key, kind: .octal, help: help, live: live,
                          read: { "0" + String($0[keyPath: path], radix: 8) }) { settings, text throws(SettingError) in
            guard let value = Int(text, radix: 8), (0...0o777).contains(value) else {
                throw SettingError(expected: SettingDefinition.Kind.octal.expected)
            }
            settings[keyPath: path] = value
        }
    }

    private static func choice<Value: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, _ type: Value.Type, _ help: String, live: Bool, _ path: WritableKeyPath<DaemonSettings, Value> & Sendable
    ) -> SettingDefinition where Value.RawValue == String {
        let kind = SettingDefinition.Kind.choice(Value.allCases.map(\.rawValue))
        return SettingDefinition(key: key, kind: kind, help: help, live: live, read: { $0[keyPath: path].rawValue }) { settings, text throws(SettingError) in
            guard let value = Value(rawValue: text.lowercased()) else { throw SettingError(expected: kind.expected) }
            settings[keyPath: path] = value
        }
    }

    /// A list of CIDR networks; the file may give a YAML list, flags and the environment commas.
    private static func networks(_ key: String, _ help: String, live: Bool,
                                 _ path: WritableKeyPath<DaemonSettings, [IPNetwork]> & Sendable) -> SettingDefinition {
        SettingDefinition(key: key, kind: .networks, help: help, live: live,
                          read: { $0[keyPath: path].map(\.description).joined(separator: ",") }) { settings, text throws(SettingError) in
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let networks = parts.compactMap(IPNetwork.init)
            guard networks.count == parts.count else { throw SettingError(expected: SettingDefinition.Kind.networks.expected) }
            settings[keyPath: path] = networks
        }
    }

    /// "10485760", "10M", "64 MiB" → bytes.
    static func parseBytes(_ text: String) -> Int? {
        let trimmed = text.replacingOccurrences(of: " ", with: "")
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            return Int(trimmed.dropLast(suffix.count)).flatMap { $0.multipliedReportingOverflow(by: factor).overflow ? nil : $0 * factor }
        }
        return Int(trimmed)
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

private extension SettingDefinition.Kind {
    var isFraction: Bool { if case .fraction = self { true } else { false } }
    var isSeconds: Bool { if case .seconds = self { true } else { false } }
    var isBytes: Bool { if case .bytes = self { true } else { false } }
}

extension SettingDefinition.Kind {
    var isList: Bool { if case .networks = self { true } else { false } }
}
