import ArgumentParser
import Foundation
import NewsdropControlProtocol

/// `newsdrop-bench ingest`: end-to-end throughput. Generated articles are written into a fresh
/// daemon's inbox/tmp, renamed into inbox/new all at once, and timed from the first rename
/// until `wait-idle` answers; the daemon's CPU time and peak memory are read from /proc.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Measure end-to-end ingest throughput (articles/s), CPU and peak memory of a real daemon."
    )

    @Option(help: "Articles to ingest.") var articles = 5_000
    @Option(help: "Turn a stage off, to show what it costs: similarity (near-duplicates and stories) or full-text. Repeatable.")
    var without: [OptionalStage] = []
    @Flag(help: "Print the result as JSON.") var json = false

    struct Result: Encodable {
        var stagesOff: [String]
        var articles: Int
        var seconds: Double
        var articlesPerSecond: Double
        var daemonCPUSeconds: Double
        var peakResidentMegabytes: Double
        var dropToCommit: LatencySummary
    }

    func run() throws {
        let daemon = try RunningDaemon(settings: Dictionary(uniqueKeysWithValues: without.map { ($0.setting, "false") }))
        defer { daemon.stop() }
        var generator = LoadGenerator(seed: 11)
        let names = try daemon.stage(articles, from: &generator)
        let (burst, client) = try daemon.ingestBurst(names)
        let seconds = burst.seconds
        let result = Result(stagesOff: without.map(\.rawValue), articles: articles, seconds: seconds, articlesPerSecond: Double(articles) / seconds,
                            daemonCPUSeconds: burst.cpuSeconds, peakResidentMegabytes: daemon.peakResidentMegabytes,
                            dropToCommit: try daemon.dropToCommitLatency(client))
        if json {
            print(try ReportJSON.text(result))
        } else {
            let stagesOff = without.isEmpty ? "" : " without " + without.map(\.rawValue).joined(separator: ", ")
            print("Ingest\(stagesOff): " + String(format: "%d articles in %.2f s = %.0f articles/s; daemon CPU %.2f s (%.2f cores); peak RSS %.0f MB",
                         articles, seconds, result.articlesPerSecond, result.daemonCPUSeconds, result.daemonCPUSeconds / seconds,
                         result.peakResidentMegabytes))
            print("  daemon's drop-to-commit latency: \(result.dropToCommit.inMilliseconds)")
        }
    }
}

/// A recording stage that can be turned off, and the daemon setting that does it.
enum OptionalStage: String, ExpressibleByArgument, CaseIterable {
    case similarity
    case fullText = "full-text"

    var setting: String {
        switch self {
        case .similarity: "NEWSDROP_DEDUP_SIMILARITY"
        case .fullText: "NEWSDROP_SEARCH_FULL_TEXT"
        }
    }
}
