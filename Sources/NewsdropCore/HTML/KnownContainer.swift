/// Finds the article in the containers pages label as such — `itemprop="articleBody"`,
/// `<article>`, `<main>`, and the body classes of common CMSs (entry-content, article-body …) —
/// when one holds enough prose. Labels are cheaper and more reliable than scoring, but only
/// when they are unambiguous: a page with several substantial, separate articles is a listing,
/// and left to scoring.
struct KnownContainer {
    /// Prose, in characters outside links, that a labelled container must hold to be trusted.
    static let minimumText = 400.0

    let tree: HTMLTree
    let stats: ContentStatistics
    let alive: [Bool]
    let verdicts: ClassVerdicts

    func locate() -> Int? {
        let candidates = tree.nodes.indices.filter { alive[$0] && isLabelled($0) && prose($0) >= Self.minimumText }
        guard let best = candidates.max(by: { prose($0) < prose($1) }) else { return nil }
        let separate = candidates.filter { !tree.contains($0, best) && !tree.contains(best, $0) }
        if !separate.isEmpty, separate.count + 1 >= 3 || prose(best) < 2 * separate.map(prose).reduce(0, +) {
            return nil
        }
        // The innermost labelled container that still holds nearly all of the best one's prose:
        // <main> often wraps <article>, which wraps the body class, with furniture in between.
        return candidates.filter { tree.contains(best, $0) && prose($0) >= 0.85 * prose(best) }
            .min { tree.nodes[$0].end - $0 < tree.nodes[$1].end - $1 } ?? best
    }

    private func isLabelled(_ index: Int) -> Bool {
        switch tree.nodes[index].tag {
        case .text: return false
        case .article, .main: return true
        default:
            if tree.attribute(.itemprop, of: index)?.lowercased() == "articlebody" { return true }
            return verdicts.isArticleContainer[index]
        }
    }

    private func prose(_ index: Int) -> Double {
        Double(stats.textLength[index]) - stats.linkLength[index]
    }
}
