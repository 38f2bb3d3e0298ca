/// Marks the page furniture that is never article text: scripts and embeds, navigation, page
/// headers and footers, forms, hidden elements, and elements whose class or id names furniture.
/// Marks go on subtree roots; `ContentStatistics.alive` spreads them down.
struct ChromeFilter {
    private static let furnitureRoles: Set<String> = [
        "navigation", "menu", "menubar", "complementary", "alert", "alertdialog", "dialog", "banner", "contentinfo",
    ]

    let tree: HTMLTree
    let verdicts: ClassVerdicts
    /// Elements that hold an `<article>`, `<main>` or `itemprop=articleBody` somewhere inside.
    let holdsArticle: [Bool]
    /// Subtree roots that go whatever their names: furniture tags, roles and hidden elements.
    private let structural: [Bool]
    /// Elements whose class or id may remove them (not inside tables or code, not holding the article).
    private let nameable: [Bool]

    init(_ tree: HTMLTree, verdicts: ClassVerdicts) {
        self.tree = tree
        self.verdicts = verdicts
        var holdsArticle = Array(repeating: false, count: tree.nodes.count)
        for index in tree.nodes.indices.reversed() {
            let (tag, parent) = (tree.nodes[index].tag, tree.nodes[index].parent)
            let isArticle = tag == .article || tag == .main
                || tree.attribute(.itemprop, of: index)?.lowercased() == "articlebody"
            if isArticle || holdsArticle[index], parent >= 0 { holdsArticle[parent] = true }
        }
        self.holdsArticle = holdsArticle
        (structural, nameable) = Self.classify(tree, holdsArticle: holdsArticle)
    }

    /// Subtree roots to drop. With `byClass` false, class and id names are not consulted: the
    /// retry for pages whose content sits in a container with an unlucky name.
    func removals(byClass: Bool) -> [Bool] {
        guard byClass else { return structural }
        return tree.nodes.indices.map { structural[$0] || (nameable[$0] && verdicts.isBoilerplate[$0]) }
    }

    private static func classify(_ tree: HTMLTree, holdsArticle: [Bool]) -> (structural: [Bool], nameable: [Bool]) {
        let count = tree.nodes.count
        var structural = Array(repeating: false, count: count), nameable = Array(repeating: false, count: count)
        // Whether each node sits inside an <article>/<main> (where a <header> is the article's
        // own), or inside a table or code, where a furniture word in a class name says little.
        var inArticle = Array(repeating: false, count: count)
        var inTableOrCode = Array(repeating: false, count: count)
        for index in tree.nodes.indices {
            let (tag, parent) = (tree.nodes[index].tag, tree.nodes[index].parent)
            if parent >= 0 {
                let parentTag = tree.nodes[parent].tag
                inArticle[index] = inArticle[parent] || parentTag == .article || parentTag == .main
                inTableOrCode[index] = inTableOrCode[parent] || parentTag == .table || parentTag == .code || parentTag == .pre
            }
            guard tag != .text else { continue }
            structural[index] = isStructuralChrome(tree, index, inArticle: inArticle[index], holdsArticle: holdsArticle[index])
            switch tag {
            case .html, .body, .article, .main, .a: break
            default: nameable[index] = !inTableOrCode[index] && !holdsArticle[index]
            }
        }
        return (structural, nameable)
    }

    private static func isStructuralChrome(_ tree: HTMLTree, _ index: Int, inArticle: Bool, holdsArticle: Bool) -> Bool {
        let tag = tree.nodes[index].tag
        if isRemoved(tag) { return true }
        // A page header is furniture; a header inside an article holds its headline and lede.
        if tag == .header && !inArticle && !holdsArticle { return true }
        // ASP.NET pages wrap the whole page in one <form>: only forms without the article go.
        if tag == .form && !holdsArticle { return true }
        return tree.nodes[index].attributes.contains(where: isChrome)
    }

    /// Tags that are never article text: a switch, not a set, as it runs for every element.
    private static func isRemoved(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .script, .style, .noscript, .template, .svg, .math, .iframe, .object, .embed, .canvas, .video, .audio,
             .select, .textarea, .button, .input, .option, .nav, .aside, .footer, .dialog, .menu, .link, .meta, .title, .head:
            return true
        default:
            return false
        }
    }

    /// Whether an attribute hides its element (`hidden`, `aria-hidden="true"`, a hiding style)
    /// or gives it a furniture role. One pass over the element's attributes, not a lookup per kind.
    private static func isChrome(_ attribute: (HTMLAttribute, String)) -> Bool {
        let (name, value) = attribute
        switch name {
        case .hidden:
            return true
        case .ariaHidden:
            return value.lowercased() == "true"
        case .role:
            return furnitureRoles.contains(value.lowercased())
        case .style:
            // ASCII lower case is enough: the words sought are ASCII.
            let compact = String(decoding: value.utf8.lazy.filter { $0 != 0x20 }.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            return hidingStyle.matches(compact)
        default:
            return false
        }
    }

    private static let hidingStyle = NameMatcher(fragments: "display:none", "visibility:hidden")
}
