import ArgumentParser
import Foundation
import Glibc
import NewsdropControlProtocol

/// `newsdrop-bench latency`: generated articles dropped at a steady rate (tmp→new renames on a
/// fixed schedule) into a real daemon; drop-to-queryable latency is the daemon's own
/// drop-to-commit measure (from the rename, which sets the file's ctime, to the commit that
/// makes the article visible to every reader), over the last 10,000 files.
struct LatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Measure drop-to-queryable latency (p50, p95, p99) at a steady drop rate."
    )

    @Option(help: "Files dropped per second.") var rate = 200
    @Option(help: "Seconds to keep dropping.") var seconds = 60
    @Flag(help: "Print the result as JSON.") var json = false

    struct Result: Encodable {
        var filesPerSecond: Int
        var seconds: Int
        var dropped: Int
        /// How far the dropping fell behind its schedule at worst (the tool's own lateness).
        var maximumScheduleLagMilliseconds: Double
        var daemonCPUSeconds: Double
        var peakResidentMegabytes: Double
        var dropToQueryable: LatencySummary
    }

    func run() throws {
        guard rate > 0, seconds > 0 else { throw BenchError("--rate and --seconds must be positive") }
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        var generator = LoadGenerator(seed: 23)
        let names = try daemon.stage(rate * seconds, from: &generator)

        let cpuBefore = daemon.cpuSeconds
        let clock = ContinuousClock(), started = clock.now
        var worstLag = Duration.zero
        for (index, name) in names.enumerated() {
            let due = started + .seconds(Double(index) / Double(rate))
            let wait = clock.now.duration(to: due)
            if wait > .zero { usleep(UInt32(wait.seconds * 1_000_000)) }
            worstLag = max(worstLag, started.duration(to: clock.now) - started.duration(to: due))
            daemon.deliver(name)
        }
        let client = try TimingClient(path: daemon.socketPath)
        try daemon.waitIdle(client)
        let stats = try JSONDecoder().decode(StatsAnswer.self, from: Data(client.roundTrip(Array(#"{"id":2,"cmd":"stats"}"#.utf8) + [10])))

        let result = Result(filesPerSecond: rate, seconds: seconds, dropped: names.count,
                            maximumScheduleLagMilliseconds: worstLag.seconds * 1_000,
                            daemonCPUSeconds: daemon.cpuSeconds - cpuBefore, peakResidentMegabytes: daemon.peakResidentMegabytes,
                            dropToQueryable: stats.result.dropToCommit)
        if json {
            print(try ReportJSON.text(result))
        } else {
            let latency = result.dropToQueryable
            func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.1f ms", $0 * 1_000) } ?? "-" }
            print("""
                Latency: \(names.count) files at \(rate)/s for \(seconds) s (dropping lagged its schedule by at most \
                \(String(format: "%.1f", result.maximumScheduleLagMilliseconds)) ms)
                  drop-to-queryable over the last \(latency.samples) files: p50 \(milliseconds(latency.p50)), \
                p95 \(milliseconds(latency.p95)), p99 \(milliseconds(latency.p99)), max \(milliseconds(latency.max))
                  daemon CPU \(String(format: "%.2f", result.daemonCPUSeconds)) s \
                (\(String(format: "%.2f", result.daemonCPUSeconds / Double(seconds))) cores); \
                peak RSS \(String(format: "%.0f", result.peakResidentMegabytes)) MB
                """)
        }
    }

    /// The part of a `stats` answer this benchmark reads.
    private struct StatsAnswer: Decodable {
        struct Stats: Decodable {
            var dropToCommit: LatencySummary
            enum CodingKeys: String, CodingKey { case dropToCommit = "drop_to_commit" }
        }
        var result: Stats
    }
}
