/// Removes what sits inside the chosen content but is not the article: link lists, image
/// galleries without prose, form remnants, headings named like furniture, the headline (kept
/// as the title) and the byline (kept as the author).
struct ContentCleaner {
    let tree: HTMLTree
    let stats: ContentStatistics
    let verdicts: ClassVerdicts

    /// What cleaning found: the extra removals and the byline text, if there was one.
    struct Result {
        var removed: [Bool]
        var byline: String?
    }

    func clean(_ roots: [Int], removed initial: [Bool], title: String?) -> Result {
        var result = Result(removed: initial)
        let normalizedTitle = title.map { WhiteSpace.collapse($0).lowercased() }
        var insideCode = false
        for root in roots {
            var index = root
            var codeEnd = -1
            while index < tree.nodes[root].end {
                let (tag, end) = (tree.nodes[index].tag, tree.nodes[index].end)
                if result.removed[index] || tag == .text { index = end; continue }
                if tag == .pre || tag == .code { codeEnd = max(codeEnd, end) }
                insideCode = index < codeEnd
                if !insideCode, index != root, shouldRemove(index, title: normalizedTitle, byline: &result.byline) {
                    result.removed[index] = true
                    index = end
                    continue
                }
                index += 1
            }
        }
        return result
    }

    private func shouldRemove(_ index: Int, title: String?, byline: inout String?) -> Bool {
        let tag = tree.nodes[index].tag
        let weight = verdicts.weight(index)
        if byline == nil, isByline(index) {
            byline = tree.text(of: index)
            return true
        }
        if tag == .h1 || tag == .h2 {
            if weight < 0 { return true }
            if let title, isSameHeading(tree.text(of: index).lowercased(), title) { return true }
        }
        switch tag {
        case .table: return !isDataTable(index) && isConditionallyRemovable(index, weight: weight)
        case .ul, .ol, .div, .section, .form, .fieldset: return isConditionallyRemovable(index, weight: weight)
        default: return false
        }
    }

    /// A short element that names the author: `rel=author`, `itemprop=author`, or a class/id
    /// such as "byline" or "author".
    private func isByline(_ index: Int) -> Bool {
        let length = stats.textLength[index]
        guard length > 0, length < 100 else { return false }
        if tree.attribute(.rel, of: index)?.lowercased() == "author" { return true }
        if tree.attribute(.itemprop, of: index)?.lowercased().contains("author") == true { return true }
        return verdicts.isByline(index)
    }

    /// A heading that repeats the title (the page's headline above the text).
    private func isSameHeading(_ heading: String, _ title: String) -> Bool {
        guard !heading.isEmpty else { return false }
        return heading == title || (heading.count >= 15 && title.contains(heading)) || (title.count >= 15 && heading.contains(title))
    }

    /// Readability's conditional cleaning: a block without many commas goes when it looks like
    /// furniture — more list items than paragraphs, more images than prose, many form fields,
    /// little text, or mostly links.
    private func isConditionallyRemovable(_ index: Int, weight: Double) -> Bool {
        if weight < 0 { return true }
        guard stats.commas[index] < 10 else { return false }
        let tag = tree.nodes[index].tag
        let length = stats.textLength[index]
        var isList = tag == .ul || tag == .ol
        if !isList, length > 0 { isList = Double(stats.listTextLength[index]) / Double(length) > 0.9 }
        let paragraphs = Double(stats.paragraphs[index])
        let images = Double(stats.images[index])
        let listItems = Double(stats.listItems[index]) - 100
        let inputs = Double(stats.inputs[index])
        let density = stats.linkDensity(index)
        let headingShare = length == 0 ? 0 : Double(stats.headingLength[index]) / Double(length)
        if images > 1 && paragraphs / images < 0.5 { return true }
        if !isList && listItems > paragraphs { return true }
        if inputs > (paragraphs / 3).rounded(.down) { return true }
        if !isList && headingShare < 0.9 && length < 25 && (images == 0 || images > 2) { return true }
        if !isList && weight < 25 && density > 0.2 { return true }
        if weight >= 25 && density > 0.5 { return true }
        if isList && density > 0.5 && length < 500 { return true }
        return false
    }

    /// A table of data (header cells, a caption, or many cells) rather than one used for layout.
    private func isDataTable(_ table: Int) -> Bool {
        var cells = 0
        var index = table + 1
        let end = min(tree.nodes[table].end, table + 5_000)
        while index < end {
            switch tree.nodes[index].tag {
            case .th, .caption: return true
            case .td: cells += 1
            case .table: return false  // a table holding tables lays out the page
            default: break
            }
            index += 1
        }
        return cells > 10
    }
}
