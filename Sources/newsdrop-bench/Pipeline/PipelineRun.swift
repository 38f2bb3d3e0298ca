import Foundation
import GRDB
import NewsdropCore
import NewsdropStore

/// Where an input ended up: the article it became, or, for an exact copy, the article it is a
/// sighting of; with that article's duplicate group and story.
struct Placement: Hashable, Sendable {
    var article: Int64
    var duplicateGroup: Int64
    var story: Int64
    /// The alignment score to the closest earlier member of its duplicate group; nil when the
    /// article was alone in its group when it arrived.
    var duplicateSimilarity: Double?
}

/// Feeds inputs through the real pipeline (DocumentParser, then ArticleStore.record) into a fresh
/// store in a temporary folder, and reports where each input landed. Every run starts from an
/// empty store, so no figure depends on what ran before.
enum PipelineRun {
    /// The daemon's default batch size: the store sees the same transactions as under the daemon.
    static let batchSize = 256

    /// One result per input, in order: a placement, or why the input did not become an article.
    /// An input's arrival time is its article's publication time, else `fallbackReceivedAt`.
    static func ingest(_ inputs: [BenchInput], fallbackReceivedAt: Timestamp,
                       similarity: SimilaritySettings) throws -> [Result<Placement, IngestFailure>] {
        let deliveries = inputs.enumerated().map { number, input in
            delivery(for: input, key: "bench-\(number)", fallbackReceivedAt: fallbackReceivedAt)
        }
        return try withScratchStore(similarity: similarity) { store in
            var outcomes: [DeliveryOutcome] = []
            for start in stride(from: 0, to: deliveries.count, by: batchSize) {
                outcomes += try store.record(Array(deliveries[start..<min(start + batchSize, deliveries.count)]))
            }
            let articles = try placements(in: store)
            return try zip(inputs, outcomes).map { input, outcome in
                guard outcome.items.count == 1 else {
                    throw BenchError("\(input.name): expected one article, the store recorded \(outcome.items.count) items")
                }
                let item = outcome.items[0].outcome
                if case .failed(let failure) = item { return .failure(failure) }
                guard let id = item.articleID, let placement = articles[id] else {
                    throw BenchError("\(input.name): the article it landed in is missing from the store")
                }
                return .success(placement)
            }
        }
    }

    /// An input parsed the way the daemon parses a dropped file, ready for the store.
    static func delivery(for input: BenchInput, key: String, fallbackReceivedAt: Timestamp) -> Delivery {
        let content: Delivery.Content
        var receivedAt = fallbackReceivedAt
        do throws(IngestFailure) {
            let items = try DocumentParser.parse(input.bytes, fileName: input.name)
            content = .items(items)
            if case .success(let article)? = items.first?.outcome, let published = article.published {
                receivedAt = published
            }
        } catch {
            content = .failed(error)
        }
        return Delivery(key: key, origin: .file, name: input.name, receivedAt: receivedAt,
                        rawSHA256: ContentHash.sha256Hex(input.bytes), content: content)
    }

    /// Every article's duplicate group, story and score to its closest group member, by article id.
    private static func placements(in store: ArticleStore) throws -> [Int64: Placement] {
        let rows: [Row]
        do {
            rows = try store.reader.read { db in
                try Row.fetchAll(db, sql: "SELECT id, duplicate_group, story_id, duplicate_similarity FROM articles")
            }
        } catch {
            throw BenchError("reading duplicate groups and stories from the store: \(error)")
        }
        var placements: [Int64: Placement] = [:]
        for row in rows {
            let id: Int64 = row["id"]
            guard let group: Int64 = row["duplicate_group"], let story: Int64 = row["story_id"] else {
                throw BenchError("article \(id) has no duplicate_group or story_id")
            }
            placements[id] = Placement(article: id, duplicateGroup: group, story: story, duplicateSimilarity: row["duplicate_similarity"])
        }
        return placements
    }

    /// Runs `body` on a new store in a new temporary folder, which is removed afterwards.
    static func withScratchStore<T>(stages: ArticleStore.Stages = .init(), similarity: SimilaritySettings = .init(),
                                    _ body: (ArticleStore) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("newsdrop-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try ArticleStore(path: folder.appendingPathComponent("bench.db").path, similarity: similarity, stages: stages)
        waitForKeyFilter(of: store)
        return try body(store)
    }

    /// Waits, up to 30 s, until the store's filter of posted keys is ready, as a daemon's is by
    /// the time its first files arrive. The fill takes the filter's 64 MB when it starts (a
    /// fresh store has no keys to read): timed from the store's opening, the writer raced it
    /// and first-touched most of those pages itself, about 70 ms of page clearing charged to
    /// its first 2,000 articles (`perf record` of `stages`).
    private static func waitForKeyFilter(of store: ArticleStore) {
        let deadline = Date().addingTimeInterval(30)
        while store.postedKeyFilterState == .filling, Date() < deadline { usleep(5_000) }
    }
}
