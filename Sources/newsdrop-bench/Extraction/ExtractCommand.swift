import ArgumentParser
import Foundation

/// `newsdrop-bench extract`: text F1, title accuracy and speed of the HTML article extractor on
/// the readability test pages, each beside its target. A missing folder is skipped (exit 0).
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Score the HTML article extractor on the readability pages (F1, title accuracy, pages/s)."
    )

    @OptionGroup var data: DataOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "How many of the worst pages to list.")
    var worst = 10

    @Option(help: "How many timed passes over all pages; the median pass is reported.")
    var passes = 7

    func validate() throws {
        if passes < 1 { throw ValidationError("--passes must be at least 1") }
    }

    func run() throws {
        guard ShingleScore.workedExampleHolds else { throw BenchError("self-check failed: the shingle metric miscounts its worked example") }
        let folder: URL
        do {
            folder = try data.sharedFolder().url.appendingPathComponent("html/readability-pages")
        } catch {
            print("SKIPPED  extraction benchmark: \(error)")
            return
        }
        guard FileManager.default.isDirectory(folder) else {
            print("SKIPPED  extraction benchmark: missing the page folder \(folder.path)")
            return
        }
        let pages = try ExtractionBenchmark.load(folder)
        let report = try ExtractionBenchmark.run(data.limit.map { Array(pages.prefix($0)) } ?? pages, folder: folder,
                                                 worstCount: worst, passes: passes)
        print(json ? try ReportJSON.text(report) : text(report))
    }

    private func text(_ report: ExtractionBenchmark.Report) -> String {
        var lines = ["newsdrop HTML extraction benchmark — \(report.folder)",
                     "pages \(report.pages): precision \(format(report.precision)), recall \(format(report.recall)), F1 \(format(report.f1))",
                     "title accuracy \(format(report.titleAccuracy)) over \(report.titledPages) titled pages (\(report.titleComparison))",
                     "speed \(String(format: "%.0f pages/s, %.1f MB/s", report.speed.pagesPerSecond, report.speed.megabytesPerSecond)) on one core (median of \(report.speed.passes) passes, extraction only)", "",
                     "worst pages:"]
        var table = TextTable("page", "F1", "precision", "recall", "note")
        for page in report.worst {
            table.add(page.page, format(page.score.f1), format(page.score.precision), format(page.score.recall), page.failure ?? "")
        }
        lines += table.lines() + [""]
        lines += report.checks.map { "  \($0.passed ? "PASS" : "FAIL")  \($0.name): \($0.value)  (target \($0.target))" }
        lines.append("\(report.checks.filter(\.passed).count) of \(report.checks.count) targets met")
        return lines.joined(separator: "\n")
    }
}
