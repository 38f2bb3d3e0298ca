import Foundation
import NewsdropCore

/// The five seed articles on one event (SPEC §4.3): one story; 001 (the AP story), 002 (its
/// machine paraphrase) and 003 (a later AP revision) one duplicate group; 000 (another outlet's
/// own reporting) and 004 (a rewrite citing AP, dup score 0.47) outside it.
enum SeedsBenchmark {
    struct Report: Encodable, Sendable {
        var articles: [SeedPlacement]
        var checks: [Check]
    }

    struct SeedPlacement: Encodable, Sendable {
        var file: String
        var article: Int64?
        var duplicateGroup: Int64?
        var story: Int64?
        var failure: String?
    }

    /// The seeds are named "NNN_….txt"; the checks refer to them by number.
    private static let numbers = ["000", "001", "002", "003", "004"]
    /// When a seed carries no date: the day of the event.
    private static let fallbackReceivedAt = Timestamp(year: 2022, month: 1, day: 18)!

    static func run(folder: URL, similarity: SimilaritySettings) throws -> Report {
        guard FileManager.default.isDirectory(folder) else { throw MissingData(description: "missing the folder \(folder.path)") }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }.sorted()
        let missing = numbers.filter { number in !files.contains { $0.hasPrefix(number + "_") } }
        guard missing.isEmpty else {
            throw MissingData(description: "missing seeds \(missing.joined(separator: ", ")) (files \(folder.path)/NNN_*.txt)")
        }
        let inputs = try files.map { name in
            BenchInput(name: name, bytes: Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
        let landings = try PipelineRun.ingest(inputs, fallbackReceivedAt: fallbackReceivedAt, similarity: similarity)
        let byNumber = Dictionary(zip(files.map { String($0.prefix { $0 != "_" }) }, landings), uniquingKeysWith: { first, _ in first })
        return Report(
            articles: zip(files, landings).map { name, landing in
                let placement = try? landing.get()
                return SeedPlacement(file: name, article: placement?.article, duplicateGroup: placement?.duplicateGroup,
                                     story: placement?.story, failure: landing.failureDescription)
            },
            checks: checks(byNumber))
    }

    private static func checks(_ seeds: [String: Result<Placement, IngestFailure>]) -> [Check] {
        /// A check on the placements of `numbers`; it fails, saying why, when one of them did not become an article.
        func check(_ name: String, _ numbers: [String], holds: ([Placement]) -> Bool, found: ([Placement]) -> String) -> Check {
            let failed = numbers.compactMap { number in seeds[number]?.failureDescription.map { "\(number) failed: \($0)" } }
            guard failed.isEmpty else { return .holds(name, false, detail: failed.joined(separator: "; ")) }
            let placements = numbers.compactMap { try? seeds[$0]?.get() }
            return .holds(name, holds(placements), detail: found(placements))
        }
        func listing(_ numbers: [String], _ label: @escaping (Placement) -> Int64) -> ([Placement]) -> String {
            { placements in zip(numbers, placements).map { "\($0)→\(label($1))" }.joined(separator: " ") }
        }
        let trio = ["001", "002", "003"]
        return [
            check("all five seeds in one story", numbers, holds: { Set($0.map(\.story)).count == 1 },
                  found: listing(numbers, \.story)),
            check("001, 002, 003 in one duplicate group", trio, holds: { Set($0.map(\.duplicateGroup)).count == 1 },
                  found: listing(trio, \.duplicateGroup)),
            check("000 outside the 001 group", ["001", "000"], holds: { $0[0].duplicateGroup != $0[1].duplicateGroup },
                  found: listing(["001", "000"], \.duplicateGroup)),
            check("004 outside the 001 group (a rewrite, SPEC §4.3)", ["001", "004"],
                  holds: { $0[0].duplicateGroup != $0[1].duplicateGroup }, found: listing(["001", "004"], \.duplicateGroup)),
        ]
    }
}

private extension Result where Failure == IngestFailure {
    var failureDescription: String? {
        if case .failure(let failure) = self { failure.description } else { nil }
    }
}
