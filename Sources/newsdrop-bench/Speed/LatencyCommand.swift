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

        let result = Result(filesPerSecond: rate, seconds: seconds, dropped: names.count,
                            maximumScheduleLagMilliseconds: worstLag.seconds * 1_000,
                            daemonCPUSeconds: daemon.cpuSeconds - cpuBefore, peakResidentMegabytes: daemon.peakResidentMegabytes,
                            dropToQueryable: try daemon.dropToCommitLatency(client))
        if json {
            print(try ReportJSON.text(result))
        } else {
            let latency = result.dropToQueryable
            print("""
                Latency: \(names.count) files at \(rate)/s for \(seconds) s (dropping lagged its schedule by at most \
                \(String(format: "%.1f", result.maximumScheduleLagMilliseconds)) ms)
                  drop-to-queryable over the last \(latency.samples) files: \(latency.inMilliseconds)
                  daemon CPU \(String(format: "%.2f", result.daemonCPUSeconds)) s \
                (\(String(format: "%.2f", result.daemonCPUSeconds / Double(seconds))) cores); \
                peak RSS \(String(format: "%.0f", result.peakResidentMegabytes)) MB
                """)
        }
    }
}
