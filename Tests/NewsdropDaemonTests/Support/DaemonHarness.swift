import Foundation
import GRDB
import XCTest

/// Runs the real `newsdropd` binary on a temporary state directory, drops files into its inbox
/// the ways producers do, and reads the real SQLite database it writes.
final class DaemonHarness {
    let stateDirectory: URL
    private(set) var process: Process?
    private var logHandle: FileHandle?
    private var launches = 0

    /// Fast settings for tests: plain drops are taken after 0.3 s of quiet, rescans every second.
    static let quickArguments = ["--min-file-age", "0.3", "--rescan-interval", "1"]

    /// Fast retries and no per-host delay, so fetching tests take seconds.
    static let quickFetching = [
        "NEWSDROP_FETCH_HOST_DELAY": "0", "NEWSDROP_FETCH_RETRY_BASE_DELAY": "0.2", "NEWSDROP_FETCH_RETRY_MAX_DELAY": "0.5",
        "NEWSDROP_FETCH_RETRY_ATTEMPTS": "3", "NEWSDROP_FETCH_TIMEOUT": "1", "NEWSDROP_FETCH_MAX_BODY_SIZE": "256K",
    ]
    /// Quick arguments that let the fetcher reach the in-process test server on 127.0.0.1.
    static let allowLoopbackFetching = quickArguments + ["--fetch-allow", "127.0.0.1/32"]

    /// A fresh state directory under the system's temporary folder, or under `parent`.
    init(under parent: URL = FileManager.default.temporaryDirectory) throws {
        stateDirectory = parent.appendingPathComponent("newsdrop-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    /// The daemon built beside this test bundle (or `$NEWSDROPD` when set).
    static var daemonExecutable: URL {
        if let path = ProcessInfo.processInfo.environment["NEWSDROPD"] { return URL(fileURLWithPath: path) }
        return Bundle.main.bundleURL.appendingPathComponent("newsdropd")
    }

    func url(_ relativePath: String) -> URL { stateDirectory.appendingPathComponent(relativePath) }

    /// A new connection to the daemon's control socket at its default place.
    func controlClient() throws -> ControlTestClient {
        try ControlTestClient(path: url("run/control.sock").path)
    }

    var logURL: URL { url("daemon.log") }

    /// Everything the daemon has logged so far, across restarts.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Starts the daemon and waits until it says it is ready. With `user` (needs root and
    /// setpriv) the daemon runs as that user, and the state directory is handed to it first.
    func start(_ arguments: [String] = DaemonHarness.quickArguments, environment: [String: String] = [:],
               asUser user: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        if !FileManager.default.fileExists(atPath: logURL.path) {
            FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: logURL)
        handle.seekToEndOfFile()
        let process = Process()
        let daemonArguments = ["--state-dir", stateDirectory.path] + arguments
        if let user {
            try hand(stateDirectory, to: user)
            // setpriv execs the daemon, so the process identifier stays the daemon's.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(user)", "--regid=\(user == "nobody" ? "nogroup" : user)", "--clear-groups",
                                 Self.daemonExecutable.path] + daemonArguments
        } else {
            process.executableURL = Self.daemonExecutable
            process.arguments = daemonArguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        self.process = process
        logHandle = handle
        launches += 1
        let expectedReadyLines = launches
        try waitUntil("the daemon reports ready", timeout: 20, file: file, line: line) {
            guard process.isRunning else {
                throw HarnessError("newsdropd exited with status \(process.terminationStatus) during start-up:\n\(self.log)")
            }
            return self.log.components(separatedBy: " ready: state directory").count - 1 >= expectedReadyLines
        }
    }

    /// chown -R, so an unprivileged daemon owns its state directory as it would in production.
    private func hand(_ folder: URL, to user: String) throws {
        guard let account = getpwnam(user) else { throw HarnessError("no user \(user)") }
        let (uid, gid) = (account.pointee.pw_uid, account.pointee.pw_gid)
        let paths = [folder.path] + (FileManager.default.subpaths(atPath: folder.path) ?? []).map { folder.appendingPathComponent($0).path }
        for path in paths where lchown(path, uid, gid) != 0 {
            throw HarnessError("lchown \(path): errno \(errno)")
        }
    }

    /// The daemon's peak resident memory (VmHWM in /proc/PID/status), in bytes.
    var peakResidentBytes: Int? {
        guard let process, let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1_024
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    @discardableResult
    func stop(timeout: TimeInterval = 30) throws -> Int32 {
        guard let process else { throw HarnessError("the daemon is not running") }
        kill(process.processIdentifier, SIGTERM)
        try waitUntil("the daemon exits after SIGTERM", timeout: timeout) { !process.isRunning }
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// How the daemon is doing, with the end of its log: the message for a failed expectation.
    var condition: String {
        guard let process else { return "the daemon is not running\n\(log.suffix(4_000))" }
        let state = process.isRunning ? "running"
            : "exited (status \(process.terminationStatus), \(process.terminationReason == .uncaughtSignal ? "killed by a signal" : "exit"))"
        return "the daemon is \(state); its log ends:\n\(log.suffix(4_000))"
    }

    /// SIGKILL: the daemon gets no chance to tidy up.
    func killHard() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    // MARK: Producers

    /// The maildir protocol: write into inbox/tmp, then rename into inbox/new; `mode`, when
    /// given, is set before the rename, so the daemon never sees the file otherwise.
    func dropByRename(_ name: String, _ contents: Data, mode: mode_t? = nil) throws {
        let temporary = url("inbox/tmp/\(name)")
        try contents.write(to: temporary)
        if let mode, chmod(temporary.path, mode) != 0 { throw HarnessError("chmod \(temporary.path): errno \(errno)") }
        guard rename(temporary.path, url("inbox/new/\(name)").path) == 0 else {
            throw HarnessError("rename into inbox/new failed: errno \(errno)")
        }
    }

    /// A plain drop: the file is written straight into inbox/, as cp or scp would.
    func dropPlain(_ name: String, _ contents: Data) throws {
        try contents.write(to: url("inbox/\(name)"))
    }

    // MARK: Observing

    func waitUntil(_ what: String, timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line,
                   _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError("timed out after \(timeout) s waiting until \(what). Daemon log:\n\(log.suffix(4_000))")
    }

    /// Opens the daemon's database read-only, as any outside reader would.
    func database() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: url("newsdrop.db").path, configuration: configuration)
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try database().read { try Int.fetchOne($0, sql: sql, arguments: arguments) ?? 0 }
    }

    func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try database().read { try Row.fetchAll($0, sql: sql, arguments: arguments) }
    }

    /// Names of the entries in a folder of the state directory (not recursive), dotfiles left out.
    func entries(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Regular files anywhere under a folder of the state directory, as relative paths.
    func files(under folder: String) -> [String] {
        let base = url(folder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue && !(path as NSString).lastPathComponent.hasPrefix(".")
        }.sorted()
    }

    /// Inbox (both drop folders) and work folder hold nothing of the producers' any more.
    var inboxAndWorkAreEmpty: Bool {
        entries("inbox").filter { $0 != "tmp" && $0 != "new" }.isEmpty && entries("inbox/new").isEmpty
            && entries("work").isEmpty
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Test inputs: the project's own fixtures (always there) and the shared seeds (beside the
/// checkout in development and CI, absent from a user's clone).
enum TestInputs {
    static let testsFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ relativePath: String) throws -> Data {
        try Data(contentsOf: testsFolder.appendingPathComponent("Fixtures").appendingPathComponent(relativePath))
    }

    static var seedsFolder: URL {
        testsFolder.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds")
    }

    /// The seed files, or a skip that says why when ../shared is not there.
    static func seeds() throws -> [(name: String, data: Data)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: seedsFolder.path), !names.isEmpty else {
            throw XCTSkip("\(seedsFolder.path) is absent (a user's clone has no ../shared); the project's own fixtures cover the same shapes")
        }
        return try names.sorted().map { ($0, try Data(contentsOf: seedsFolder.appendingPathComponent($0))) }
    }
}
