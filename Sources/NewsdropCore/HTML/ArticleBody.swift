/// The article's paragraphs found in a page: furniture removed, the content located (a
/// labelled container, else scoring), cleaned and rendered. A page where that leaves little text
/// is tried again with fewer rules, as Readability does: first without judging class names,
/// then without conditional cleaning; a later result wins only when it is clearly longer.
struct ArticleBody {
    var paragraphs: [String]
    var byline: String?

    /// Text below which a result is suspect and the next, more lenient attempt runs.
    private static let enoughText = 500

    private struct Attempt {
        var byClass: Bool
        var cleanConditionally: Bool
    }

    private static let attempts = [
        Attempt(byClass: true, cleanConditionally: true),
        Attempt(byClass: false, cleanConditionally: true),
        Attempt(byClass: false, cleanConditionally: false),
    ]

    static func extract(from tree: HTMLTree, title: String?) -> ArticleBody {
        let lengths = TextLengths(tree)
        let filter = ChromeFilter(tree, verdicts: ClassVerdicts(tree))
        var best = ArticleBody(paragraphs: [], byline: nil)
        var bestLength = -1
        for attempt in attempts {
            let body = extract(tree, lengths: lengths, filter: filter, attempt: attempt, title: title)
            let length = body.paragraphs.reduce(0) { $0 + $1.count }
            // A more lenient attempt always finds at least as much; it wins only when it finds
            // clearly more, so a short article keeps its cleaning (byline and furniture out).
            if bestLength < 0 || Double(length) > Double(bestLength) * 1.25 { (best, bestLength) = (body, length) }
            if length >= enoughText { break }
        }
        return best
    }

    private static func extract(_ tree: HTMLTree, lengths: TextLengths, filter: ChromeFilter, attempt: Attempt,
                                title: String?) -> ArticleBody {
        let removed = filter.removals(byClass: attempt.byClass)
        let alive = ContentStatistics.alive(tree, removed: removed)
        let stats = ContentStatistics(tree, removed: removed, textLengths: lengths)
        var roots: [Int]
        if let container = KnownContainer(tree: tree, stats: stats, alive: alive, verdicts: filter.verdicts).locate() {
            roots = [container]
        } else {
            roots = ContentScorer(tree: tree, stats: stats, alive: alive, verdicts: filter.verdicts).locate()
        }
        if roots.isEmpty { roots = tree.elements(.body).filter { alive[$0] }.prefix(1).map { $0 } }
        var finalRemoved = removed
        var byline: String?
        if attempt.cleanConditionally {
            let cleaned = ContentCleaner(tree: tree, stats: stats, verdicts: filter.verdicts).clean(roots, removed: removed, title: title)
            (finalRemoved, byline) = (cleaned.removed, cleaned.byline)
        }
        return ArticleBody(paragraphs: TextRenderer(tree: tree).paragraphs(of: roots, removed: finalRemoved), byline: byline)
    }
}
