import ArgumentParser
import Foundation
import NewsdropCore

/// `newsdrop-bench quality`: precision, recall and F1 of near-duplicate and story detection on
/// the seeds, basil-dev and the synthetic near-duplicate set, each beside its target. Missing
/// data skips its part (exit 0); only real errors exit non-zero. Missed targets are reported, not
/// errors.
struct QualityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Score near-duplicate and story detection against their targets."
    )

    @OptionGroup var data: DataOptions
    @OptionGroup var synthetic: SyntheticOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Shuffled arrival orders to score basil-dev in, beside file order (file order keeps each story's articles together, the easiest case).")
    var orders = 4

    @Option(name: .customLong("story-threshold"), help: "Score against a story needed to join it, instead of the default (to see how the figures move with it).")
    var storyThreshold: Double?

    @Option(name: .customLong("duplicate-threshold"), help: "Alignment score from which two texts are near-duplicates, instead of the default.")
    var duplicateThreshold: Double?

    func run() throws {
        guard PairScore.workedExampleHolds else { throw BenchError("self-check failed: the pair metric miscounts its worked example") }
        let defaults = SimilaritySettings()
        var similarity = defaults
        var report = QualityReport(selfChecks: ["pair metric worked example"])
        for (name, given, keyPath) in [("story threshold", storyThreshold, \SimilaritySettings.storyThreshold),
                                       ("duplicate threshold", duplicateThreshold, \SimilaritySettings.duplicateThreshold)] {
            guard let given else { continue }
            guard (0...1).contains(given) else { throw BenchError("the \(name) must be from 0 to 1") }
            similarity[keyPath: keyPath] = given
            report.changedSettings.append("\(name) \(given) (default \(defaults[keyPath: keyPath]))")
        }
        if synthetic.seed != SyntheticSet.defaultSeed {
            report.changedSettings.append("synthetic seed \(synthetic.seed) (default \(SyntheticSet.defaultSeed))")
        }
        if let shared = try skippingMissing("everything", into: &report, { try data.sharedFolder() }) {
            report.shared = shared.url.path
            report.seeds = try skippingMissing("seeds", into: &report) { try SeedsBenchmark.run(folder: shared.seeds, similarity: similarity) }
            if let basil = try skippingMissing("basil-dev and synthetic", into: &report, { try shared.basilArticles(limit: data.limit) }) {
                report.basil = try BasilBenchmark.run(basil, shuffledOrders: orders, similarity: similarity)
                report.synthetic = try SyntheticBenchmark.run(basil, seed: synthetic.seed, similarity: similarity)
                report.selfChecks.append("synthetic set shape and variants (\(basil.count) groups × 11)")
            }
        }
        print(json ? try ReportJSON.text(report) : report.text)
    }

    /// Runs one part; when its data is missing, notes what is missing and returns nil.
    private func skippingMissing<T>(_ part: String, into report: inout QualityReport, _ body: () throws -> T) throws -> T? {
        do {
            return try body()
        } catch let missing as MissingData {
            report.skipped.append("\(part): \(missing)")
            return nil
        }
    }
}
