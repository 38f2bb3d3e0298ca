import Foundation
import Yams

/// Where a setting's value came from.
public enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
    case builtIn
    case file(path: String, line: Int)
    case environment(name: String)
    case commandLine(flag: String)

    public var description: String {
        switch self {
        case .builtIn: "default"
        case .file(let path, let line): "\(path):\(line)"
        case .environment(let name): "environment \(name)"
        case .commandLine(let flag): "command line \(flag)"
        }
    }
}

/// Every problem found in a configuration, each naming the setting and where it was given.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

/// A value given for a setting on the command line, by its key.
public struct CommandLineSetting: Sendable {
    public let key: String
    public let flag: String
    public let value: String

    public init(key: String, flag: String, value: String) {
        self.key = key
        self.flag = flag
        self.value = value
    }
}

/// The effective settings and where each came from. Precedence, strongest first: command-line
/// flags, environment (`NEWSDROP_…`), the configuration file, the built-in defaults.
public struct Configuration: Sendable {
    public let settings: DaemonSettings
    public let origins: [String: SettingOrigin]
    /// What was loaded, so that a reload re-reads the same file under the same environment and flags.
    public let file: String?
    private let environment: [String: String]
    private let commandLine: [CommandLineSetting]

    public static func load(file: String?, environment: [String: String],
                            commandLine: [CommandLineSetting]) throws(ConfigurationError) -> Configuration {
        var settings = DaemonSettings()
        var origins: [String: SettingOrigin] = [:]
        var problems: [String] = []

        func apply(_ key: String, _ value: String, _ origin: SettingOrigin) {
            guard let definition = SettingsCatalog.byKey[key] else {
                problems.append("unknown setting \"\(key)\" (\(origin))")
                return
            }
            do throws(SettingError) {
                try definition.write(&settings, value)
                origins[key] = origin
            } catch {
                problems.append("\(key): expected \(error.expected), got \(String(reflecting: value)) (\(origin))")
            }
        }

        if let file {
            let contents = ConfigurationFile.read(file)
            problems += contents.problems
            for entry in contents.entries { apply(entry.key, entry.value, .file(path: file, line: entry.line)) }
        }
        for definition in SettingsCatalog.all {
            if let value = environment[definition.environmentName] {
                apply(definition.key, value, .environment(name: definition.environmentName))
            }
        }
        for setting in commandLine { apply(setting.key, setting.value, .commandLine(flag: setting.flag)) }

        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return Configuration(settings: settings, origins: origins, file: file, environment: environment,
                             commandLine: commandLine)
    }

    /// The same sources read again: the file may have changed, the environment and flags have not.
    public func reloaded() throws(ConfigurationError) -> Configuration {
        try Self.load(file: file, environment: environment, commandLine: commandLine)
    }

    /// The keys whose values differ in `other`, split into those a reload applies and those
    /// that need a restart.
    public func changes(to other: Configuration) -> (live: [String], needRestart: [String]) {
        let changed = SettingsCatalog.all.filter { $0.read(settings) != $0.read(other.settings) }
        return (changed.filter(\.live).map(\.key), changed.filter { !$0.live }.map(\.key))
    }

    /// `--check-config`: every setting, its effective value, and where it came from.
    public func report() -> String {
        let width = SettingsCatalog.all.map(\.key.count).max() ?? 0
        return SettingsCatalog.all.map { definition in
            let value = definition.read(settings)
            let shown = value.isEmpty ? "(none)" : value
            return definition.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + shown + "  [" + (origins[definition.key] ?? .builtIn).description + "]"
        }.joined(separator: "\n")
    }
}

/// The configuration file: YAML, comments allowed, nested sections whose dotted paths are the
/// setting keys. Strict: an unknown key, a list where a value belongs, or a YAML error is
/// reported with its line.
enum ConfigurationFile {
    struct Entry {
        let key: String
        let value: String
        let line: Int
    }

    /// The settings the file gives, and everything wrong with it (so that all its mistakes
    /// are reported at once, not one per attempt).
    static func read(_ path: String) -> (entries: [Entry], problems: [String]) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return ([], ["\(path): cannot read the configuration file: \(error.localizedDescription)"])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return ([], ["\(path): not valid YAML: \(error)"])
        }
        guard let root else { return ([], []) }  // an empty file: all defaults
        var entries: [Entry] = [], problems: [String] = []
        flatten(root, prefix: "", path: path, into: &entries, problems: &problems)
        return (entries, problems)
    }

    private static func flatten(_ node: Node, prefix: String, path: String, into entries: inout [Entry],
                                problems: inout [String]) {
        let line = node.mark?.line ?? 0
        switch node {
        case .mapping(let mapping):
            for (keyNode, value) in mapping {
                guard case .scalar(let key) = keyNode else {
                    problems.append("\(path):\(keyNode.mark?.line ?? line): a setting's name must be plain text")
                    continue
                }
                let full = prefix.isEmpty ? key.string : prefix + "." + key.string
                if case .mapping = value, SettingsCatalog.byKey[full] == nil {
                    flatten(value, prefix: full, path: path, into: &entries, problems: &problems)
                } else if case .sequence(let items) = value, SettingsCatalog.byKey[full]?.kind.isList == true,
                          let texts = items.map({ $0.scalar?.string }) as? [String] {
                    entries.append(Entry(key: full, value: texts.joined(separator: ","), line: keyNode.mark?.line ?? line))
                } else if case .scalar(let scalar) = value {
                    // `key:` with nothing after it is YAML null: the empty setting.
                    let text = value.null != nil ? "" : scalar.string
                    entries.append(Entry(key: full, value: text, line: keyNode.mark?.line ?? line))
                } else {
                    problems.append("\(full): expected a single value, got a \(value.isSequence ? "list" : "section") (\(path):\(keyNode.mark?.line ?? line))")
                }
            }
        default:
            problems.append("\(path):\(line): the configuration must be a mapping of settings")
        }
    }
}

private extension Node {
    var isSequence: Bool { if case .sequence = self { true } else { false } }
}
