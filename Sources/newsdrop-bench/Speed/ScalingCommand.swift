import ArgumentParser
import Foundation
import NewsdropCore
import NewsdropStore

/// `newsdrop-bench scaling`: the per-article cost of ingesting into a store that already holds
/// many articles. Each store is seeded in this process through the store's own `record` (the
/// same schema, indexes and similarity state the daemon builds), parsing on every core; then a
/// real daemon is started on it and times a further burst of generated articles from rename to
/// `wait-idle`, with its CPU time and peak memory.
///
/// A million-article store takes hours to seed, so `--stores` keeps each seeded store and the
/// next run reuses it: the daemon then ingests into a copy, and the kept store stays as seeded.
/// Seeding that was cut short is resumed: the articles are generated and parsed again from the
/// first, those the store recorded before are replayed, which writes nothing
/// (`ArticleStore.record`), and the rest are recorded. A kept store records which articles it
/// was seeded from (`origin`), and a store seeded from others is refused, not mixed.
struct ScalingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scaling",
        abstract: "Measure per-article ingest cost and peak RSS with many articles already stored."
    )

    @Option(help: "Comma-separated store sizes to seed before measuring.") var stored = "10000,100000"
    @Option(help: "Articles ingested by the daemon on top of each store.") var articles = 1_000
    @Option(help: "Keep each seeded store in this folder (stored-N) and reuse it on later runs.") var stores: String?
    @Flag(help: "Print the result as JSON.") var json = false

    struct Measurement: Encodable {
        var storedArticles: Int
        /// Seeding the store, or copying a kept one (`--stores`).
        var preparationSeconds: Double
        /// From the daemon's start until its filter of posted keys had read the stored keys.
        var keyFilterFillSeconds: Double
        var databaseMegabytes: Double
        var articlesPerSecond: Double
        var daemonCPUMillisecondsPerArticle: Double
        var peakResidentMegabytes: Double
    }

    func run() throws {
        let sizes = stored.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 0 }), articles > 0 else {
            throw BenchError("--stored takes sizes such as 10000,100000 and --articles must be positive")
        }
        var results: [Measurement] = []
        for size in sizes {
            results.append(try measure(storedArticles: size))
            if !json { FileHandle.standardError.write(Data("stored \(size): measured\n".utf8)) }
        }
        if json {
            print(try ReportJSON.text(results))
        } else {
            let base = results[0].daemonCPUMillisecondsPerArticle
            var table = TextTable("stored", "prepare s", "key filter s", "db MB", "articles/s", "CPU ms/article", "× first",
                                  "peak RSS MB")
            for result in results {
                table.add("\(result.storedArticles)", String(format: "%.0f", result.preparationSeconds),
                          String(format: "%.1f", result.keyFilterFillSeconds),
                          String(format: "%.0f", result.databaseMegabytes), String(format: "%.0f", result.articlesPerSecond),
                          String(format: "%.2f", result.daemonCPUMillisecondsPerArticle),
                          String(format: "%.2f", result.daemonCPUMillisecondsPerArticle / base),
                          String(format: "%.0f", result.peakResidentMegabytes))
            }
            print((["Scaling: \(articles) more articles into a store already holding N"] + table.lines()).joined(separator: "\n"))
        }
    }

    private func measure(storedArticles: Int) throws -> Measurement {
        let state = RunningDaemon.scratchStateDirectory()
        var generator = LoadGenerator(seed: Self.generatorSeed)
        let clock = ContinuousClock(), preparing = clock.now
        if let stores {
            let kept = URL(fileURLWithPath: stores).appendingPathComponent("stored-\(storedArticles)")
            try seedUnlessKept(storedArticles, in: kept, from: &generator)
            try FileManager.default.copyItem(at: kept, to: state)
        } else {
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            try seed(storedArticles, into: state.appendingPathComponent("newsdrop.db").path, from: &generator)
        }
        let preparationSeconds = preparing.duration(to: clock.now).seconds

        let daemon = try RunningDaemon(stateDirectory: state)
        defer { daemon.stop() }
        let keyFilterFillSeconds = try daemon.waitForPostedKeyFilter()
        let names = try daemon.stage(articles, from: &generator)
        let burst = try daemon.ingestBurst(names).burst
        let databaseBytes = (try? FileManager.default.attributesOfItem(atPath: state.appendingPathComponent("newsdrop.db").path)[.size] as? Int) ?? 0
        return Measurement(storedArticles: storedArticles, preparationSeconds: preparationSeconds,
                           keyFilterFillSeconds: keyFilterFillSeconds, databaseMegabytes: Double(databaseBytes) / 1_000_000,
                           articlesPerSecond: Double(articles) / burst.seconds,
                           daemonCPUMillisecondsPerArticle: burst.cpuSeconds / Double(articles) * 1_000,
                           peakResidentMegabytes: daemon.peakResidentMegabytes)
    }

    private static let generatorSeed: UInt64 = 47

    /// Names the articles a store is seeded from: the generator's seed and a hash (FNV-1a) of
    /// its first article, which changes with any change to the generator.
    private static var origin: String {
        var generator = LoadGenerator(seed: generatorSeed)
        let hash = generator.next().bytes.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        return "load generator \(generatorSeed), first article \(String(hash, radix: 16))\n"
    }

    /// Seeds a kept store, or finishes seeding it, unless an earlier run finished (its `seeded`
    /// marker is written last); either way `generator` ends where seeding left it, so the
    /// daemon's burst is the same articles as with a fresh store.
    private func seedUnlessKept(_ count: Int, in folder: URL, from generator: inout LoadGenerator) throws {
        let originFile = folder.appendingPathComponent("origin")
        if FileManager.default.fileExists(atPath: folder.path) {
            let recorded = try? String(contentsOf: originFile, encoding: .utf8)
            guard recorded == Self.origin else {
                throw BenchError("\(folder.path) holds a store seeded from other articles (origin: \(recorded?.trimmingCharacters(in: .newlines) ?? "not recorded")); remove it to seed it again")
            }
        } else {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(Self.origin.utf8).write(to: originFile)
        }
        let marker = folder.appendingPathComponent("seeded")
        if FileManager.default.fileExists(atPath: marker.path) {
            for _ in 0..<count { _ = generator.next() }
            return
        }
        try seed(count, into: folder.appendingPathComponent("newsdrop.db").path, from: &generator)
        try Data("\(count)\n".utf8).write(to: marker)
    }

    /// Seeding a large store says how far it got this often (in articles).
    private static let progressEvery = 50_000

    /// Records `count` generated articles through the store's own code, a daemon-sized batch at
    /// a time, parsing each batch on every core first.
    private func seed(_ count: Int, into path: String, from generator: inout LoadGenerator) throws {
        let store = try ArticleStore(path: path)
        let clock = ContinuousClock(), started = clock.now
        var recorded = 0, lastReport = (time: started, recorded: 0)
        while recorded < count {
            let inputs = (0..<min(PipelineRun.batchSize, count - recorded)).map { _ in
                let article = generator.next()
                return BenchInput(name: article.name, bytes: article.bytes)
            }
            let first = recorded
            let deliveries = ParallelMap.map(inputs) { number, input in
                PipelineRun.delivery(for: input, key: "seed-\(first + number)", fallbackReceivedAt: Timestamp(secondsSinceEpoch: 1_700_000_000))
            }
            _ = try store.record(deliveries)
            recorded += inputs.count
            if !json, recorded % Self.progressEvery < inputs.count {
                // The rate over the last stretch shows how recording slows as the store grows
                // (while a resumed seeding replays, how fast it catches up).
                let now = clock.now, stretch = recorded - lastReport.recorded
                let rate = String(format: "%.0f", Double(stretch) / lastReport.time.duration(to: now).seconds)
                lastReport = (now, recorded)
                let elapsed = String(format: "%.0f", started.duration(to: now).seconds)
                FileHandle.standardError.write(Data(
                    "seeded \(recorded) of \(count) after \(elapsed) s; \(rate) articles/s over the last \(stretch)\n".utf8))
            }
        }
        try store.checkpoint()
    }
}

/// `map` over every core, keeping the order.
enum ParallelMap {
    static func map<Input: Sendable, Output: Sendable>(_ inputs: [Input], _ transform: @Sendable (Int, Input) -> Output) -> [Output] {
        var results = [Output?](repeating: nil, count: inputs.count)
        results.withUnsafeMutableBufferPointer { buffer in
            // Each iteration writes its own slot only.
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
                slots[index] = transform(index, inputs[index])
            }
        }
        return results.map { $0! }
    }
}
