/// Finds the article by scoring the parents of paragraphs, the idea behind Arc90's and
/// Mozilla's Readability: every paragraph of real prose (25+ characters) votes for its parent
/// and, more weakly, for its ancestors, with more weight for length and commas; an element's
/// score is then discounted by how much of its text is links. The best-scored element, with
/// the siblings that look like more of the same article, is the content.
struct ContentScorer {
    let tree: HTMLTree
    let stats: ContentStatistics
    let alive: [Bool]
    let verdicts: ClassVerdicts

    /// The elements that make up the article, in document order; empty when no paragraph scored.
    func locate() -> [Int] {
        var scores: [Int: Double] = [:]
        for (element, parentOfText) in scoredParagraphs() {
            let length = textLength(of: element, parentOfText: parentOfText)
            guard length >= 25 else { continue }
            let commas = parentOfText ? directCommas(of: element) : stats.commas[element]
            let score = 1 + Double(commas) + min(Double(length / 100), 3)
            var ancestor = parentOfText ? element : tree.nodes[element].parent
            var level = 0
            while ancestor >= 0, level < 5 {
                if scores[ancestor] == nil { scores[ancestor] = initialScore(ancestor) }
                let divider = level == 0 ? 1 : level == 1 ? 2 : Double(level * 3)
                scores[ancestor]! += score / divider
                ancestor = tree.nodes[ancestor].parent
                level += 1
            }
        }
        for (element, score) in scores { scores[element] = score * (1 - stats.linkDensity(element)) }
        guard let best = scores.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }) else { return [] }
        let top = promote(best.key, scores: scores)
        return withSiblings(of: top, scores: scores)
    }

    /// Paragraph-like elements: p, pre, td, and divs or sections holding text directly (whose
    /// direct text counts as a paragraph of their own, flagged `parentOfText`).
    private func scoredParagraphs() -> [(Int, Bool)] {
        var result: [(Int, Bool)] = []
        for index in tree.nodes.indices where alive[index] {
            switch tree.nodes[index].tag {
            case .p, .pre, .td: result.append((index, false))
            case .div, .section, .article, .main, .blockquote, .body:
                result.append((index, true))
            default: break
            }
        }
        return result
    }

    /// The text of `element`, or for a text-holding container only the text of its inline
    /// children (text nodes and inline elements), which is what would form its own paragraph.
    private func textLength(of element: Int, parentOfText: Bool) -> Int {
        guard parentOfText else { return stats.textLength[element] }
        var total = 0
        for child in tree.children(of: element) where alive[child] && !tree.nodes[child].tag.isBlock && tree.nodes[child].tag != .br {
            total += stats.textLength[child]
        }
        return total
    }

    private func directCommas(of element: Int) -> Int {
        tree.children(of: element).filter { alive[$0] && !tree.nodes[$0].tag.isBlock }.reduce(0) { $0 + stats.commas[$1] }
    }

    private func initialScore(_ element: Int) -> Double {
        let base: Double
        switch tree.nodes[element].tag {
        case .div, .article, .main, .section: base = 5
        case .pre, .td, .blockquote: base = 3
        case .address, .ol, .ul, .dl, .dd, .dt, .li, .form: base = -3
        case .h1, .h2, .h3, .h4, .h5, .h6, .th: base = -5
        default: base = 0
        }
        return base + verdicts.weight(element)
    }

    /// Moves up from the best element when the article is split across several of its
    /// ancestors' children (three of the four runners-up within 75 % of its score share an ancestor with it), when a parent
    /// scores higher, or when the best element is its parent's only child.
    private func promote(_ best: Int, scores: [Int: Double]) -> Int {
        var top = best
        let topScore = scores[best] ?? 0
        let contenders = scores.sorted { $0.value > $1.value }.prefix(5)
            .filter { $0.key != best && $0.value >= topScore * 0.75 }.map(\.key)
        if contenders.count >= 3 {
            var ancestor = tree.nodes[best].parent
            while ancestor >= 0, tree.nodes[ancestor].tag != .body {
                if contenders.filter({ tree.contains(ancestor, $0) }).count >= 3 { top = ancestor; break }
                ancestor = tree.nodes[ancestor].parent
            }
        }
        var lastScore = scores[top] ?? topScore
        let threshold = lastScore / 3
        var parent = tree.nodes[top].parent
        while parent >= 0, tree.nodes[parent].tag != .body {
            guard let parentScore = scores[parent] else { parent = tree.nodes[parent].parent; continue }
            if parentScore < threshold { break }
            if parentScore > lastScore { top = parent; break }
            lastScore = parentScore
            parent = tree.nodes[parent].parent
        }
        while case let parent = tree.nodes[top].parent, parent >= 0, tree.nodes[parent].tag != .body,
              tree.children(of: parent).filter({ alive[$0] && tree.nodes[$0].tag != .text }).count == 1 {
            top = parent
        }
        return top
    }

    /// The top element and the siblings that look like more of the article: well scored, or
    /// paragraphs of prose with few links.
    private func withSiblings(of top: Int, scores: [Int: Double]) -> [Int] {
        let parent = tree.nodes[top].parent
        guard parent >= 0 else { return [top] }
        let topScore = scores[top] ?? 0
        let threshold = max(10, topScore * 0.2)
        let topClass = tree.attribute(.class, of: top) ?? ""
        return tree.children(of: parent).filter { sibling in
            guard alive[sibling] else { return false }
            if sibling == top { return true }
            guard tree.nodes[sibling].tag != .text else { return false }
            var bonus = 0.0
            if !topClass.isEmpty, tree.attribute(.class, of: sibling) == topClass { bonus = topScore * 0.2 }
            if let score = scores[sibling], score + bonus >= threshold { return true }
            guard tree.nodes[sibling].tag == .p else { return false }
            let length = stats.textLength[sibling]
            let density = stats.linkDensity(sibling)
            if length > 80 { return density < 0.25 }
            let text = tree.text(of: sibling, skipping: nil)
            return length > 0 && density == 0 && (text.hasSuffix(".") || text.contains(". "))
        }
    }
}
