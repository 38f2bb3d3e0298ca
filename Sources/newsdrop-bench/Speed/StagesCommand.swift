import ArgumentParser
import Foundation
import Glibc
import NewsdropCore
import NewsdropStore

/// `newsdrop-bench stages`: where an article's time goes, stage by stage, in this process on
/// one core: parsing and normalization (similarity features included), the features alone,
/// fingerprinting, and recording — with every stage on, and with each optional stage off, so
/// that the differences are the cost of near-duplicate detection with clustering, and of the
/// full-text index.
struct StagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages",
        abstract: "Measure per-article cost of parse+normalize, features, fingerprinting and recording, one core."
    )

    @Option(help: "Generated articles.") var articles = 2_000
    @Option(help: "Timed passes over the CPU-only stages; the median is reported.") var passes = 5
    @Flag(help: "Print the result as JSON.") var json = false

    struct Stage: Encodable {
        var stage: String
        var microsecondsPerArticle: Double
        var articlesPerSecond: Double
        var megabytesPerSecond: Double?
    }

    func run() throws {
        guard articles > 0, passes > 0 else { throw BenchError("--articles and --passes must be positive") }
        var generator = LoadGenerator(seed: 31)
        let inputs = (0..<articles).map { _ in generator.next() }.map { BenchInput(name: $0.name, bytes: $0.bytes) }
        let megabytes = Double(inputs.reduce(0) { $0 + $1.bytes.count }) / 1_000_000
        let deliveries = inputs.enumerated().map { number, input in
            PipelineRun.delivery(for: input, key: "stage-\(number)", fallbackReceivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000))
        }
        let parsed = deliveries.flatMap { delivery -> [Article] in
            guard case .items(let items) = delivery.content else { return [] }
            return items.compactMap { try? $0.outcome.get() }
        }
        let canonicalMegabytes = Double(parsed.reduce(0) { $0 + $1.text.utf8.count }) / 1_000_000

        var stages: [Stage] = []
        func add(_ name: String, seconds: Double, megabytes: Double? = nil) {
            stages.append(Stage(stage: name, microsecondsPerArticle: seconds / Double(articles) * 1_000_000,
                                articlesPerSecond: Double(articles) / seconds, megabytesPerSecond: megabytes.map { $0 / seconds }))
        }
        add("parse + normalize (features included)", seconds: median(passes) {
            for input in inputs { _ = try? DocumentParser.parse(input.bytes, fileName: input.name) }
        }, megabytes: megabytes)
        add("  of which similarity features", seconds: median(passes) {
            for article in parsed { _ = SimilarityInput.features(title: article.title, body: article.text) }
        })
        add("fingerprint (canonical text + SHA-256)", seconds: median(passes) {
            for article in parsed { _ = ContentHash.sha256Hex(CanonicalText.make(article.text)) }
        }, megabytes: canonicalMegabytes)

        let configurations: [(String, ArticleStore.Stages)] = [
            ("record, every stage on", .init()),
            ("record, without similarity", .init(similarity: false)),
            ("record, without full-text", .init(fullText: false)),
            ("record, exact dedup only", .init(similarity: false, fullText: false)),
        ]
        var recordSeconds: [String: Double] = [:]
        for (name, configuration) in configurations {
            let seconds = try PipelineRun.withScratchStore(stages: configuration) { store in
                try time {
                    for start in stride(from: 0, to: deliveries.count, by: PipelineRun.batchSize) {
                        _ = try store.record(Array(deliveries[start..<min(start + PipelineRun.batchSize, deliveries.count)]))
                    }
                }
            }
            recordSeconds[name] = seconds
            add(name, seconds: seconds)
        }
        add("= near-duplicates + stories alone", seconds: recordSeconds["record, every stage on"]! - recordSeconds["record, without similarity"]!)
        add("= full-text index alone", seconds: recordSeconds["record, without similarity"]! - recordSeconds["record, exact dedup only"]!)

        if json {
            print(try ReportJSON.text(stages))
        } else {
            var table = TextTable("stage", "µs/article", "articles/s", "MB/s")
            for stage in stages {
                table.add(stage.stage, String(format: "%.0f", stage.microsecondsPerArticle), String(format: "%.0f", stage.articlesPerSecond),
                          stage.megabytesPerSecond.map { String(format: "%.1f", $0) } ?? "")
            }
            print((["Stages: \(articles) generated articles (\(String(format: "%.1f", megabytes)) MB), one core; thread CPU time; CPU stages are the median of \(passes) passes, recording one pass on a fresh store"]
                   + table.lines()).joined(separator: "\n"))
        }
    }

    /// The CPU time `body` takes on this thread: unlike wall time, it does not grow while other
    /// work on a shared machine holds the core (every stage timed here runs on the calling thread).
    private func time(_ body: () throws -> Void) rethrows -> Double {
        func now() -> Double {
            var clock = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &clock)
            return Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
        }
        let started = now()
        try body()
        return now() - started
    }

    private func median(_ passes: Int, _ body: () throws -> Void) rethrows -> Double {
        let times = try (0..<passes).map { _ in try time(body) }.sorted()
        return times[times.count / 2]
    }
}
