import ArgumentParser
import Foundation
import Glibc

/// `newsdrop-bench ingest`: end-to-end throughput. Generated articles are written into a fresh
/// daemon's inbox/tmp, renamed into inbox/new all at once, and timed from the first rename
/// until `wait-idle` answers; the daemon's CPU time and peak memory are read from /proc.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure end-to-end ingest throughput (articles/s), CPU and peak memory of a real daemon."
    )

    @Option(help: "Articles to ingest.") var articles = 5_000
    @Flag(help: "Print the result as JSON.") var json = false

    struct Result: Encodable {
        var articles: Int
        var seconds: Double
        var articlesPerSecond: Double
        var daemonCPUSeconds: Double
        var peakResidentMegabytes: Double
        var dropToCommit: String
    }

    func run() throws {
        let daemon = try RunningDaemon()
        defer { daemon.stop() }
        let inbox = daemon.stateDirectory.appendingPathComponent("inbox")
        var generator = LoadGenerator(seed: 11)
        let names = try generator.write(count: articles, into: inbox.appendingPathComponent("tmp"))
        let cpuBefore = daemon.cpuSeconds
        let clock = ContinuousClock(), started = clock.now
        for name in names {
            rename(inbox.appendingPathComponent("tmp/\(name)").path, inbox.appendingPathComponent("new/\(name)").path)
        }
        let client = try TimingClient(path: daemon.socketPath)
        let idle = try client.roundTrip(Array(#"{"id":1,"cmd":"wait-idle","args":{"timeout":3600}}"#.utf8) + [10])
        let seconds = started.duration(to: clock.now).seconds
        guard String(decoding: idle, as: UTF8.self).contains(#""idle":true"#) else { throw BenchError("the daemon never became idle") }
        let stats = String(decoding: try client.roundTrip(Array(#"{"id":2,"cmd":"stats"}"#.utf8) + [10]), as: UTF8.self)
        let latency = stats.range(of: #""drop_to_commit":\{[^}]*\}"#, options: .regularExpression).map { String(stats[$0]) } ?? "?"
        let result = Result(articles: articles, seconds: seconds, articlesPerSecond: Double(articles) / seconds,
                            daemonCPUSeconds: daemon.cpuSeconds - cpuBefore, peakResidentMegabytes: daemon.peakResidentMegabytes,
                            dropToCommit: latency)
        if json {
            print(try ReportJSON.text(result))
        } else {
            print(String(format: "Ingest: %d articles in %.2f s = %.0f articles/s; daemon CPU %.2f s (%.2f cores); peak RSS %.0f MB",
                         articles, seconds, result.articlesPerSecond, result.daemonCPUSeconds, result.daemonCPUSeconds / seconds,
                         result.peakResidentMegabytes))
            print("  daemon's drop-to-commit latency: \(latency)")
        }
    }
}
