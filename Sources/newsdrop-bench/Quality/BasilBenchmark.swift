import Foundation
import NewsdropCore

/// Story clustering on basil-dev: real articles, three outlets per labelled story. Run once with
/// the real dates and once with every article on one day, which takes the date window away and
/// leaves the text alone to separate stories.
enum BasilBenchmark {
    struct Report: Encodable, Sendable {
        var articles: Int
        var stories: Int
        var runs: [Run]
        var checks: [Check]
    }

    struct Run: Encodable, Sendable {
        var dates: String
        /// Pairs of articles in the same predicted story vs the same labelled story.
        var storyPairs: PairScore
        var predictedStories: Int
        /// Same-story pairs from different outlets: different reporting, never near-duplicates.
        var crossOutletPairs: Int
        var crossOutletPairsInOneDuplicateGroup: Int
        var crossOutletDuplicateFraction: Double
        /// Story F1 in each shuffled arrival order (fixed seeds), and over all orders with file order.
        var shuffledOrderF1: [Double]
        var meanF1: Double
        var minimumF1: Double
        var splitStories: [SplitStory]
        var mergedStories: [MergedStory]
        var failures: [String]
        var seconds: Double
    }

    /// A labelled story whose articles landed in more than one predicted story (lost recall).
    struct SplitStory: Encodable, Sendable {
        var story: String
        /// The title of its first article.
        var title: String
        /// Its articles' outlets, grouped by the predicted story they landed in.
        var parts: [[String]]
    }

    /// A predicted story holding articles of more than one labelled story (lost precision).
    struct MergedStory: Encodable, Sendable {
        var story: Int64
        /// The first title of each labelled story it holds.
        var titles: [String]
    }

    static let oneDay = "2013-01-15"
    private static let fallbackReceivedAt = Timestamp(year: 2013, month: 1, day: 15)!

    /// The F1 targets are checked on the mean over file order and the shuffled orders: an order
    /// that keeps each story's articles together flatters any online clustering.
    static func run(_ articles: [BasilArticle], shuffledOrders: Int, similarity: SimilaritySettings) throws -> Report {
        let real = try run(articles, dates: "real dates", shuffledOrders: shuffledOrders, similarity: similarity) { $0.published }
        let single = try run(articles, dates: "one day (\(oneDay))", shuffledOrders: shuffledOrders,
                             similarity: similarity) { _ in oneDay }
        return Report(
            articles: articles.count, stories: Set(articles.map(\.storyID)).count, runs: [real, single],
            checks: [
                .atLeast("story F1, real dates, mean of \(shuffledOrders + 1) orders", real.meanF1, 0.92),
                .atLeast("story F1, one day, mean of \(shuffledOrders + 1) orders", single.meanF1, 0.88),
            ] + [real, single].map { run in
                Check(name: "cross-outlet pairs in one duplicate group, \(run.dates)",
                      value: "\(run.crossOutletPairsInOneDuplicateGroup) of \(run.crossOutletPairs) ("
                          + String(format: "%.1f%%", 100 * run.crossOutletDuplicateFraction) + ")",
                      target: "≤ 1%", passed: run.crossOutletDuplicateFraction <= 0.01)
            })
    }

    private static func run(_ articles: [BasilArticle], dates: String, shuffledOrders: Int, similarity: SimilaritySettings,
                            published: (BasilArticle) -> String) throws -> Run {
        let start = ContinuousClock.now
        let inputs = try articles.map { article in
            try BenchInput.json(name: article.id, title: article.title, text: article.text, url: article.url,
                                published: published(article), outlet: article.outlet)
        }
        let shuffledF1 = try (1...max(1, shuffledOrders)).prefix(shuffledOrders).map { seed in
            try storyF1(articles, inputs, order: shuffledOrder(articles.count, seed: UInt64(seed)), similarity: similarity)
        }
        let landings = try PipelineRun.ingest(inputs, fallbackReceivedAt: fallbackReceivedAt, similarity: similarity)
        let placements = landings.map { try? $0.get() }
        // An article that failed is a story of its own.
        let stories = placements.enumerated().map { index, placement in placement?.story ?? -Int64(index + 1) }

        var crossOutlet = 0, crossOutletGrouped = 0
        for i in articles.indices {
            for j in articles.indices where j > i && articles[i].storyID == articles[j].storyID
                && articles[i].outlet.lowercased() != articles[j].outlet.lowercased() {
                crossOutlet += 1
                if let a = placements[i], let b = placements[j], a.duplicateGroup == b.duplicateGroup { crossOutletGrouped += 1 }
            }
        }
        let fileOrder = PairScore(predicted: stories, truth: articles.map(\.storyID))
        let allF1 = [fileOrder.f1] + shuffledF1
        return Run(
            dates: dates,
            storyPairs: fileOrder,
            predictedStories: Set(stories).count,
            crossOutletPairs: crossOutlet,
            crossOutletPairsInOneDuplicateGroup: crossOutletGrouped,
            crossOutletDuplicateFraction: crossOutlet == 0 ? 0 : Double(crossOutletGrouped) / Double(crossOutlet),
            shuffledOrderF1: shuffledF1, meanF1: allF1.reduce(0, +) / Double(allF1.count), minimumF1: allF1.min() ?? 0,
            splitStories: splitStories(articles, predicted: stories),
            mergedStories: mergedStories(articles, predicted: stories),
            failures: zip(articles, landings).compactMap { article, landing in
                if case .failure(let failure) = landing { "\(article.id): \(failure)" } else { nil }
            },
            seconds: start.duration(to: .now).seconds)
    }
}

extension BasilBenchmark {
    /// A fixed pseudo-random permutation of 0..<count.
    private static func shuffledOrder(_ count: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: 20_240_601 &+ seed)
        var order = Array(0..<count)
        generator.shuffle(&order)
        return order
    }

    /// Story F1 when the articles arrive in `order`.
    private static func storyF1(_ articles: [BasilArticle], _ inputs: [BenchInput], order: [Int],
                                similarity: SimilaritySettings) throws -> Double {
        let landings = try PipelineRun.ingest(order.map { inputs[$0] }, fallbackReceivedAt: fallbackReceivedAt,
                                              similarity: similarity)
        var stories = [Int64](repeating: 0, count: articles.count)
        for (position, index) in order.enumerated() {
            stories[index] = (try? landings[position].get())?.story ?? -Int64(index + 1)
        }
        return PairScore(predicted: stories, truth: articles.map(\.storyID)).f1
    }

    private static func splitStories(_ articles: [BasilArticle], predicted: [Int64]) -> [SplitStory] {
        let labelled = Dictionary(grouping: articles.indices, by: { articles[$0].storyID })
        return labelled.values.sorted { $0[0] < $1[0] }.compactMap { members in
            let parts = Dictionary(grouping: members, by: { predicted[$0] }).values.sorted { $0[0] < $1[0] }
            guard parts.count > 1 else { return nil }
            return SplitStory(story: articles[members[0]].storyID, title: articles[members[0]].title,
                              parts: parts.map { $0.map { articles[$0].outlet } })
        }
    }

    private static func mergedStories(_ articles: [BasilArticle], predicted: [Int64]) -> [MergedStory] {
        Dictionary(grouping: articles.indices, by: { predicted[$0] }).sorted { $0.key < $1.key }.compactMap { story, members in
            let firsts = Dictionary(grouping: members, by: { articles[$0].storyID }).values.map { $0[0] }.sorted()
            guard firsts.count > 1 else { return nil }
            return MergedStory(story: story, titles: firsts.map { articles[$0].title })
        }
    }
}
