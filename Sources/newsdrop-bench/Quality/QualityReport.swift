import Foundation

/// Everything the quality command found, printed as a table or as JSON.
struct QualityReport: Encodable, Sendable {
    var shared: String?
    /// Thresholds given on the command line instead of the defaults: the figures are not the shipped ones.
    var changedSettings: [String] = []
    /// Checks of the benchmark's own machinery that passed before any figure was computed.
    var selfChecks: [String] = []
    var seeds: SeedsBenchmark.Report?
    var basil: BasilBenchmark.Report?
    var synthetic: SyntheticBenchmark.Report?
    /// Parts not run, with what was missing.
    var skipped: [String] = []

    var checks: [Check] {
        (seeds?.checks ?? []) + (basil?.checks ?? []) + (synthetic?.checks ?? [])
    }

    private enum CodingKeys: String, CodingKey {
        case shared, changedSettings, selfChecks, seeds, basil, synthetic, skipped, targetsMet, targetsMissed
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shared, forKey: .shared)
        try container.encode(changedSettings, forKey: .changedSettings)
        try container.encode(selfChecks, forKey: .selfChecks)
        try container.encode(seeds, forKey: .seeds)
        try container.encode(basil, forKey: .basil)
        try container.encode(synthetic, forKey: .synthetic)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(checks.filter(\.passed).count, forKey: .targetsMet)
        try container.encode(checks.filter { !$0.passed }.count, forKey: .targetsMissed)
    }
}

extension QualityReport {
    /// The report for people: one block per data set, each figure's checks under it.
    var text: String {
        var lines = ["newsdrop quality benchmark" + (shared.map { " — shared data \($0)" } ?? "")]
        if !changedSettings.isEmpty { lines.append("NOT THE DEFAULTS: " + changedSettings.joined(separator: "; ")) }
        if !selfChecks.isEmpty { lines.append("self-checks passed: " + selfChecks.joined(separator: "; ")) }
        for reason in skipped { lines.append("SKIPPED  \(reason)") }
        if let seeds { lines += [""] + seeds.lines }
        if let basil { lines += [""] + basil.lines }
        if let synthetic { lines += [""] + synthetic.lines }
        let checks = checks
        lines += ["", "\(checks.filter(\.passed).count) of \(checks.count) targets met"
            + (skipped.isEmpty ? "" : " (\(skipped.count) part(s) skipped)")]
        return lines.joined(separator: "\n")
    }
}

private extension Check {
    var line: String { "  \(passed ? "PASS" : "FAIL")  \(name): \(value)  (target \(target))" }
}

private extension SeedsBenchmark.Report {
    var lines: [String] {
        var table = TextTable("file", "article", "group", "story")
        for seed in articles {
            if let failure = seed.failure {
                table.add(seed.file, "failed: \(failure)")
            } else {
                table.add(seed.file, "\(seed.article ?? 0)", "\(seed.duplicateGroup ?? 0)", "\(seed.story ?? 0)")
            }
        }
        return ["Seeds (\(articles.count) files, in file-name order)"] + table.lines() + checks.map(\.line)
    }
}

private extension BasilBenchmark.Report {
    var lines: [String] {
        var table = TextTable("dates", "precision", "recall", "F1", "stories", "cross-outlet dup pairs",
                              "F1 shuffled orders", "mean F1", "min F1", "seconds")
        for run in runs {
            table.add(run.dates, format(run.storyPairs.precision), format(run.storyPairs.recall), format(run.storyPairs.f1),
                      "\(run.predictedStories)", "\(run.crossOutletPairsInOneDuplicateGroup) of \(run.crossOutletPairs)",
                      run.shuffledOrderF1.map(format).joined(separator: " "), format(run.meanF1), format(run.minimumF1),
                      String(format: "%.1f", run.seconds))
        }
        let details = runs.flatMap { run -> [String] in
            let split = run.splitStories.map { "  split (\(run.dates)): \($0.summary)" }
            let merged = run.mergedStories.map { "  merged (\(run.dates)): \($0.summary)" }
            return split + merged + run.failures.map { "  failed (\(run.dates)): \($0)" }
        }
        return ["basil-dev story clustering (\(articles) articles, \(stories) labelled stories; story pairs; details in file order)"]
            + table.lines() + details + checks.map(\.line)
    }
}

private extension BasilBenchmark.SplitStory {
    /// "Title" → nyt+fox | hpo
    var summary: String {
        "\"\(title)\" → " + parts.map { $0.joined(separator: "+") }.joined(separator: " | ")
    }
}

private extension BasilBenchmark.MergedStory {
    var summary: String {
        titles.map { "\"\($0)\"" }.joined(separator: " + ")
    }
}

private extension SyntheticBenchmark.Report {
    var lines: [String] {
        var table = TextTable("variant", "recall", "recalled", "lowest score", "missed sources")
        for kind in recallByKind {
            table.add(kind.kind.rawValue, format(kind.recall), "\(kind.recalled) of \(kind.of)", kind.lowestScore.map(format) ?? "—",
                      kind.missed.prefix(3).joined(separator: " ") + (kind.missed.count > 3 ? " …" : ""))
        }
        return [
            "Synthetic near-duplicates (\(inputs) inputs = \(groups) groups × 11; \(articles) articles after exact dedup; "
                + String(format: "%.1f s)", seconds),
            "  pairs: precision \(format(duplicatePairs.precision))  recall \(format(duplicatePairs.recall))  "
                + "F1 \(format(duplicatePairs.f1))  (\(duplicatePairs.truePositives) of \(duplicatePairs.predictedPairs) "
                + "predicted, of \(duplicatePairs.truePairs) true); groups mixing sources: \(mixedGroups)",
        ] + table.lines() + failures.map { "  failed: \($0)" } + checks.map(\.line)
    }
}
