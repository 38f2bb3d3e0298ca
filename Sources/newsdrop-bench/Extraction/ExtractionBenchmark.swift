import Foundation
import NewsdropCore

/// Runs the HTML extractor over the readability test pages (one folder per page: source.html,
/// expected.html, expected-metadata.json) and scores text, title and speed.
enum ExtractionBenchmark {
    static let targetF1 = 0.93
    static let targetTitleAccuracy = 0.90
    static let targetPagesPerSecond = 300.0

    struct Page {
        var name: String
        var source: [UInt8]
        var expectedText: String
        var expectedTitle: String?
    }

    struct PageResult: Encodable, Sendable {
        var page: String
        var score: ShingleScore
        var title: String?
        var expectedTitle: String?
        var titleCorrect: Bool?
        var failure: String?
    }

    struct Report: Encodable, Sendable {
        var folder: String
        var pages: Int
        var precision: Double
        var recall: Double
        var f1: Double
        var titledPages: Int
        var titleAccuracy: Double
        var speed: Speed
        var worst: [PageResult]
        var checks: [Check]
        var titleComparison = "both titles trimmed, runs of white space collapsed to one space, then compared exactly"
    }

    static func load(_ folder: URL) throws -> [Page] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.compactMap { name in
            let page = folder.appendingPathComponent(name)
            let source = page.appendingPathComponent("source.html"), expected = page.appendingPathComponent("expected.html")
            guard FileManager.default.fileExists(atPath: source.path), FileManager.default.fileExists(atPath: expected.path) else { return nil }
            let expectedBytes = try [UInt8](Data(contentsOf: expected))
            var title: String?
            let metadata = page.appendingPathComponent("expected-metadata.json")
            if let data = try? Data(contentsOf: metadata), let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                title = (object["title"] as? String).map(normalizedTitle).flatMap { $0.isEmpty ? nil : $0 }
            }
            return Page(name: name, source: try [UInt8](Data(contentsOf: source)),
                        expectedText: HTMLVisibleText.paragraphs(expectedBytes).joined(separator: "\n\n"), expectedTitle: title)
        }
    }

    /// Extraction speed: the median of several timed passes over all pages.
    struct Speed: Encodable, Sendable {
        var passes: Int
        var pagesPerSecond: Double
        /// Megabytes (10^6 bytes) of page source per second.
        var megabytesPerSecond: Double
    }

    static func run(_ pages: [Page], folder: URL, worstCount: Int = 10, passes: Int = 7) throws -> Report {
        guard !pages.isEmpty else { throw BenchError("no page folders with source.html and expected.html in \(folder.path)") }
        let results = pages.map(score)
        let speed = speed(pages, passes: passes)
        let titled = results.filter { $0.expectedTitle != nil }
        let titleAccuracy = titled.isEmpty ? 0 : Double(titled.filter { $0.titleCorrect == true }.count) / Double(titled.count)
        let count = Double(results.count)
        let f1 = results.map(\.score.f1).reduce(0, +) / count
        return Report(
            folder: folder.path, pages: results.count,
            precision: results.map(\.score.precision).reduce(0, +) / count,
            recall: results.map(\.score.recall).reduce(0, +) / count,
            f1: f1, titledPages: titled.count, titleAccuracy: titleAccuracy, speed: speed,
            worst: Array(results.sorted { $0.score.f1 < $1.score.f1 }.prefix(worstCount)),
            checks: [
                .atLeast("mean F1 (4-token shingles)", f1, targetF1),
                .atLeast("title accuracy", titleAccuracy, targetTitleAccuracy),
                .atLeast("pages per second (one core, median pass)", speed.pagesPerSecond, targetPagesPerSecond),
            ]
        )
    }

    private static func score(_ page: Page) -> PageResult {
        do {
            let article = try HTMLArticleExtractor.extract(page.source)
            let title = article.title.map(normalizedTitle)
            return PageResult(page: page.name, score: ShingleScore(extracted: article.text, expected: page.expectedText),
                              title: title, expectedTitle: page.expectedTitle,
                              titleCorrect: page.expectedTitle.map { $0 == title })
        } catch {
            return PageResult(page: page.name, score: ShingleScore(extracted: "", expected: page.expectedText),
                              title: nil, expectedTitle: page.expectedTitle,
                              titleCorrect: page.expectedTitle == nil ? nil : false, failure: error.description)
        }
    }

    /// Extraction alone (pages already in memory, results discarded) on this thread. The median
    /// pass, not the best, so that one lucky or unlucky pass on a busy shared machine does not
    /// decide the figure.
    private static func speed(_ pages: [Page], passes: Int) -> Speed {
        let clock = ContinuousClock()
        let durations = (0..<passes).map { _ in
            clock.measure {
                for page in pages { _ = try? HTMLArticleExtractor.extract(page.source) }
            }
        }.sorted()
        let median = durations[durations.count / 2].seconds
        let bytes = pages.reduce(0) { $0 + $1.source.count }
        return Speed(passes: passes, pagesPerSecond: Double(pages.count) / median, megabytesPerSecond: Double(bytes) / 1e6 / median)
    }

    static func normalizedTitle(_ title: String) -> String {
        title.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
