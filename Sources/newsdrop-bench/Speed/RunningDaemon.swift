import Foundation
import Glibc
import NewsdropControlProtocol

/// A real `newsdropd` (the one built beside this tool), on a fresh temporary state directory
/// or on one prepared beforehand, which it then owns. Sendable so that a second thread can
/// deliver files while the first measures: everything but `stop` only reads what `init` set.
final class RunningDaemon: @unchecked Sendable {
    let stateDirectory: URL
    private let process = Process()

    var socketPath: String { stateDirectory.appendingPathComponent("run/control.sock").path }

    /// A fresh temporary state directory's location.
    static func scratchStateDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-bench-\(UUID().uuidString)")
    }

    /// `settings` are NEWSDROP_* environment variables, such as `NEWSDROP_SEARCH_FULL_TEXT=false`.
    init(stateDirectory: URL = scratchStateDirectory(), arguments: [String] = [], settings: [String: String] = [:]) throws {
        self.stateDirectory = stateDirectory
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("newsdropd")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchError("no newsdropd beside newsdrop-bench at \(executable.path): build it with the same configuration")
        }
        process.executableURL = executable
        process.arguments = ["--state-dir", stateDirectory.path, "--log-level", "warning"] + arguments
        process.standardError = FileHandle.nullDevice
        process.environment = ProcessInfo.processInfo.environment.merging(settings) { _, chosen in chosen }
        try process.run()
        // Until a connection is accepted, not until the socket file exists: the file appears at
        // `bind`, a moment before the daemon listens, and a client connecting in between is
        // refused (seen on a loaded machine).
        let deadline = Date().addingTimeInterval(30)
        while (try? TimingClient(path: socketPath)) == nil {
            guard process.isRunning, Date() < deadline else { throw BenchError("newsdropd did not start") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Writes `count` generated articles into the inbox's tmp/ folder, ready to be delivered.
    func stage(_ count: Int, from generator: inout LoadGenerator) throws -> [String] {
        try generator.write(count: count, into: stateDirectory.appendingPathComponent("inbox/tmp"))
    }

    /// Delivers a staged file the maildir way: one rename from inbox/tmp into inbox/new.
    func deliver(_ name: String) {
        let inbox = stateDirectory.appendingPathComponent("inbox")
        rename(inbox.appendingPathComponent("tmp/\(name)").path, inbox.appendingPathComponent("new/\(name)").path)
    }

    /// Returns once the daemon has committed everything delivered so far.
    func waitIdle(_ client: TimingClient) throws {
        let idle = try client.roundTrip(Array(#"{"id":1,"cmd":"wait-idle","args":{"timeout":3600}}"#.utf8) + [10])
        guard String(decoding: idle, as: UTF8.self).contains(#""idle":true"#) else { throw BenchError("the daemon never became idle") }
    }

    /// Waits until candidate search skips unposted keys (`status` says the filter of posted
    /// keys is filled, or has none); returns how long that took. A store opened on many
    /// articles reads their keys first, and a burst measured before then would mix both modes.
    func waitForPostedKeyFilter() throws -> Double {
        let client = try TimingClient(path: socketPath)
        let clock = ContinuousClock(), started = clock.now
        while true {
            let status = String(decoding: try client.roundTrip(Array(#"{"id":3,"cmd":"status"}"#.utf8) + [10]), as: UTF8.self)
            let waited = started.duration(to: clock.now).seconds
            if !status.contains(#""posted_key_filter":"filling""#) { return waited }
            guard waited < 3_600 else { throw BenchError("the daemon's filter of posted keys was still filling after an hour") }
            usleep(100_000)
        }
    }

    /// A burst delivered all at once: wall time from the first rename until `wait-idle`
    /// answers, and the daemon's CPU time over it.
    struct Burst {
        var seconds: Double
        var cpuSeconds: Double
    }

    /// Delivers the staged files all at once and waits until they are committed.
    func ingestBurst(_ names: [String]) throws -> (burst: Burst, client: TimingClient) {
        let cpuBefore = cpuSeconds
        let clock = ContinuousClock(), started = clock.now
        for name in names { deliver(name) }
        let client = try TimingClient(path: socketPath)
        try waitIdle(client)
        return (Burst(seconds: started.duration(to: clock.now).seconds, cpuSeconds: cpuSeconds - cpuBefore), client)
    }

    /// The daemon's own drop-to-commit latency (from each file's rename to the commit that
    /// makes it visible to readers), over its last 10,000 files.
    func dropToCommitLatency(_ client: TimingClient) throws -> LatencySummary {
        let answer = try client.roundTrip(Array(#"{"id":2,"cmd":"stats"}"#.utf8) + [10])
        return try JSONDecoder().decode(StatsAnswer.self, from: Data(answer)).result.dropToCommit
    }

    /// The part of a `stats` answer the benchmarks read.
    private struct StatsAnswer: Decodable {
        struct Stats: Decodable {
            var dropToCommit: LatencySummary
            enum CodingKeys: String, CodingKey { case dropToCommit = "drop_to_commit" }
        }
        var result: Stats
    }

    /// User plus system CPU time the daemon has used, from /proc.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the command name.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The daemon's peak resident memory (VmHWM), in megabytes.
    var peakResidentMegabytes: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1_024
    }

    /// Stops the daemon gracefully and removes its state.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: stateDirectory)
    }
}

/// A blocking control-socket client that times each request.
final class TimingClient {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw BenchError("cannot connect to \(path)") }
    }

    deinit { close(descriptor) }

    /// Sends one request line and waits for its answer line; returns the answer.
    func roundTrip(_ request: [UInt8]) throws -> [UInt8] {
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw BenchError("send failed")
        }
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                defer { buffer.removeSubrange(...newline) }
                return Array(buffer[..<newline])
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw BenchError("the daemon closed the connection") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

extension LatencySummary {
    /// "p50 12.3 ms, p95 …, p99 …, max …".
    var inMilliseconds: String {
        func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0 * 1_000) } ?? "-" }
        return "p50 \(milliseconds(p50)), p95 \(milliseconds(p95)), p99 \(milliseconds(p99)), max \(milliseconds(max))"
    }
}
