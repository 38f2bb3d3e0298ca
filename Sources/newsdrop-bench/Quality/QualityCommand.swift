import ArgumentParser
import Foundation

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

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Shuffled arrival orders to score basil-dev in, beside file order (file order keeps each story's articles together, the easiest case).")
    var orders = 4

    func run() throws {
        guard PairScore.workedExampleHolds else { throw BenchError("self-check failed: the pair metric miscounts its worked example") }
        var report = QualityReport(selfChecks: ["pair metric worked example"])
        if let shared = try skippingMissing("everything", into: &report, { try data.sharedFolder() }) {
            report.shared = shared.url.path
            report.seeds = try skippingMissing("seeds", into: &report) { try SeedsBenchmark.run(folder: shared.seeds) }
            if let basil = try skippingMissing("basil-dev and synthetic", into: &report, { try shared.basilArticles(limit: data.limit) }) {
                report.basil = try BasilBenchmark.run(basil, shuffledOrders: orders)
                report.synthetic = try SyntheticBenchmark.run(basil)
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
