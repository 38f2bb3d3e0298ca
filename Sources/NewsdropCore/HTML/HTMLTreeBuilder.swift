/// Builds an `HTMLTree` from `HTMLTokenizer`'s tokens with the parts of HTML5's tree
/// construction that decide where article text ends up: `<html>`, `<head>` and `<body>`
/// implied; void elements; a `<p>` closed by the block that starts after it; `li`, `dt`, `dd`,
/// `option`, table rows and cells closed by their next sibling; headings closed by headings
/// and links by links; an end tag closing the open element it names, with what is open inside
/// it, unless a table cell, a table or (for inline elements) a block lies between, in which case
/// it is ignored. What it leaves out (foster-parenting text out of tables, re-opening formatting
/// elements after mis-nesting) moves little text between paragraphs.
///
/// Depth costs memory, never the call stack: the open elements are an array and the tree is
/// flat. Elements inside script, SVG, forms' controls and other opaque elements are not kept.
enum HTMLTreeBuilder {
    /// `utf8`: the page as UTF-8 (see `HTMLTranscoder`).
    static func parse(_ utf8: [UInt8]) -> HTMLTree {
        utf8.withUnsafeBufferPointer { page in
            var tokenizer = HTMLTokenizer(page)
            var builder = TreeConstruction()
            while let token = tokenizer.next() {
                switch token {
                case .startTag(let tag): builder.start(tag)
                case .endTag(let name, let tag): builder.end(name, tag)
                case .text(let text): builder.text(text, tokenizer)
                case .comment: builder.separate()
                }
            }
            return builder.finish()
        }
    }
}

/// The tree being built and the stack of its open elements.
private struct TreeConstruction {
    private struct OpenElement {
        var name: PackedName
        var tag: HTMLTag
        /// The element's node, or -1 when it is inside an opaque element and not kept.
        var index: Int
    }

    /// Where in the document the next token goes, as far as `<head>` and `<body>` are concerned.
    private enum Section {
        case beforeHead, inHead, afterHead, inBody
    }

    private var tree = HTMLTree()
    private var open: [OpenElement] = []
    private var section = Section.beforeHead
    /// Whether the current element's last child is a text node that more text extends.
    private var lastChildIsText = false
    /// How many `<p>` and `<a>` elements are open: most start tags would close one if it were,
    /// and the count saves searching the open elements for one that is not there.
    private var openParagraphs = 0
    private var openLinks = 0

    mutating func finish() -> HTMLTree {
        while !open.isEmpty { pop() }
        return tree
    }

    // MARK: tokens

    mutating func start(_ tag: HTMLTokenizer.StartTag) {
        if tag.tag == .html {
            if open.isEmpty { insert(tag) } else { mergeAttributes(tag, into: 0) }
            return
        }
        ensureHTML()
        switch section {
        case .beforeHead, .inHead, .afterHead:
            if tag.tag == .head {
                guard section == .beforeHead else { return }
                insert(tag)
                section = .inHead
                return
            }
            if Self.belongsInHead(tag.tag) {
                if section == .beforeHead { openHead() }
                insert(tag)
                return
            }
            startBody(tag.tag == .body ? tag : nil)
            if tag.tag == .body { return }
        case .inBody:
            if tag.tag == .body || tag.tag == .head { return }
        }
        closeImplied(by: tag.tag)
        insert(tag)
    }

    mutating func end(_ name: PackedName, _ tag: HTMLTag) {
        switch tag {
        case .html, .body:
            // Text after `</body>` still belongs to the body, as browsers have it.
            return
        case .head:
            if section == .inHead, open.last?.tag == .head {
                pop()
                section = .afterHead
            }
            return
        case .br:
            // `</br>` is a line break to every browser.
            ensureHTML()
            startBody(nil)
            insert(HTMLTokenizer.StartTag(name: name, tag: .br, attributes: [], selfClosing: true))
            return
        default:
            break
        }
        guard section == .inBody else {
            // Before the body only the head's own elements (`</title>`) are open to close.
            if open.last?.name == name { pop() }
            return
        }
        switch tag {
        case .p: close(name, stoppingAt: Self.buttonScope)
        case .li: close(name, stoppingAt: Self.listItemScope)
        case .h1, .h2, .h3, .h4, .h5, .h6: closeNearest(where: { $0.isHeading }, stoppingAt: Self.defaultScope)
        case .td, .th, .tr, .thead, .tbody, .tfoot, .table, .caption: close(name, stoppingAt: Self.tableScope)
        default:
            if Self.isSpecial(tag) { close(name, stoppingAt: Self.defaultScope) } else { close(name, stoppingAt: nil) }
        }
    }

    mutating func text(_ text: HTMLTokenizer.Text, _ tokenizer: HTMLTokenizer) {
        if section != .inBody, open.last.map({ !Self.belongsInHead($0.tag) }) ?? true {
            // White space around `<head>` is layout; other text starts the body.
            if tokenizer.isBlank(text.range) { return }
            ensureHTML()
            startBody(nil)
        }
        guard let current = open.last, current.index >= 0 else { return }
        if Self.isOpaque(current.tag) {
            // JSON-LD is metadata the extractor reads; it is kept as the script's text.
            if current.tag == .script, isJSONLD(current.index) { tree.nodes[current.index].text += tokenizer.string(text) }
            return
        }
        let string = tokenizer.string(text)
        if lastChildIsText {
            tree.nodes[tree.nodes.count - 1].text += string
            return
        }
        let index = tree.nodes.count
        tree.nodes.append(.init(tag: .text, parent: current.index, end: index + 1, text: string, attributes: []))
        lastChildIsText = true
    }

    /// A comment: not kept, but it separates the text around it.
    mutating func separate() {
        lastChildIsText = false
    }

    // MARK: document structure

    private mutating func ensureHTML() {
        if open.isEmpty { insert(HTMLTokenizer.StartTag(name: PackedName("html"), tag: .html, attributes: [], selfClosing: false)) }
    }

    private mutating func openHead() {
        insert(HTMLTokenizer.StartTag(name: PackedName("head"), tag: .head, attributes: [], selfClosing: false))
        section = .inHead
    }

    /// Closes the head if it is open and opens the body (`<body>`'s own tag, or an implied one).
    private mutating func startBody(_ tag: HTMLTokenizer.StartTag?) {
        guard section != .inBody else { return }
        if section == .inHead {
            while let last = open.last, last.tag != .html { pop() }
        }
        insert(tag ?? HTMLTokenizer.StartTag(name: PackedName("body"), tag: .body, attributes: [], selfClosing: false))
        section = .inBody
    }

    /// A second `<html>` tag adds the attributes the first lacked (a `lang` after a comment that
    /// made the element early), as browsers do.
    private mutating func mergeAttributes(_ tag: HTMLTokenizer.StartTag, into index: Int) {
        for attribute in tag.attributes where !tree.nodes[index].attributes.contains(where: { $0.0 == attribute.0 }) {
            tree.nodes[index].attributes.append(attribute)
        }
    }

    /// Elements that go in the head when they come before the body starts.
    private static func belongsInHead(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .title, .meta, .link, .base, .script, .style, .noscript, .template: return true
        default: return false
        }
    }

    // MARK: elements

    private mutating func insert(_ tag: HTMLTokenizer.StartTag) {
        lastChildIsText = false
        let parent = open.last
        let hidden = parent.map { $0.index < 0 || Self.isOpaque($0.tag) } ?? false
        var index = -1
        if !hidden {
            index = tree.nodes.count
            tree.nodes.append(.init(tag: tag.tag, parent: parent?.index ?? -1, end: index + 1, text: "", attributes: tag.attributes))
        }
        // `<body/>` is still the body: the document's sections ignore the slash.
        let isSection = tag.tag == .html || tag.tag == .head || tag.tag == .body
        guard !Self.isVoid(tag.tag), !tag.selfClosing || isSection else { return }
        open.append(OpenElement(name: tag.name, tag: tag.tag, index: index))
        count(tag.tag, by: 1)
    }

    private mutating func pop() {
        lastChildIsText = false
        guard let element = open.popLast() else { return }
        if element.index >= 0 { tree.nodes[element.index].end = tree.nodes.count }
        count(element.tag, by: -1)
    }

    private mutating func count(_ tag: HTMLTag, by change: Int) {
        if tag == .p { openParagraphs += change } else if tag == .a { openLinks += change }
    }

    /// Closes what a start tag implies is finished: an open `<p>` before a block, the previous
    /// list item, definition, option, table cell, row or section, a heading before a heading,
    /// and a link before a link.
    private mutating func closeImplied(by tag: HTMLTag) {
        if openParagraphs > 0, Self.closesParagraph(tag) { closeNearest(where: { $0 == .p }, stoppingAt: Self.buttonScope) }
        switch tag {
        case .li:
            closeNearest(where: { $0 == .li }, stoppingAt: Self.isListItemBoundary)
        case .dt, .dd:
            closeNearest(where: { $0 == .dt || $0 == .dd }, stoppingAt: Self.isListItemBoundary)
        case .h1, .h2, .h3, .h4, .h5, .h6:
            if open.last?.tag.isHeading == true { pop() }
        case .option:
            if open.last?.tag == .option { pop() }
        case .a where openLinks > 0:
            closeNearest(where: { $0 == .a }, stoppingAt: Self.defaultScope)
        case .td, .th:
            closeNearest(where: { $0 == .td || $0 == .th }, stoppingAt: { $0 == .tr || Self.tableScope($0) })
        case .tr:
            closeNearest(where: { $0 == .tr }, stoppingAt: { Self.isTableSection($0) || Self.tableScope($0) })
        case .thead, .tbody, .tfoot:
            closeNearest(where: Self.isTableSection, stoppingAt: Self.tableScope)
        default:
            break
        }
    }

    /// Closes the innermost open element named `name`, and everything open inside it, unless
    /// an element that `boundary` accepts is open inside it first (nil: any special element).
    private mutating func close(_ name: PackedName, stoppingAt boundary: ((HTMLTag) -> Bool)?) {
        guard let position = search(where: { $0.name == name }, stoppingAt: boundary ?? Self.isSpecial) else { return }
        while open.count > position { pop() }
    }

    private mutating func closeNearest(where matches: (HTMLTag) -> Bool, stoppingAt boundary: (HTMLTag) -> Bool) {
        guard let position = search(where: { matches($0.tag) }, stoppingAt: boundary) else { return }
        while open.count > position { pop() }
    }

    /// The stack position of the innermost open element that `matches`, if no element that
    /// `boundary` accepts comes first. The search looks at most `searchLimit` elements deep:
    /// a page of a million unclosed `<b>` and as many `</i>` took seconds to read with a limit
    /// of 1,000, and real pages leave a handful of elements unclosed inside another, not dozens.
    private func search(where matches: (OpenElement) -> Bool, stoppingAt boundary: (HTMLTag) -> Bool) -> Int? {
        var position = open.count - 1
        let last = max(0, open.count - Self.searchLimit)
        while position >= last {
            let element = open[position]
            if matches(element) { return position }
            if boundary(element.tag) { return nil }
            position -= 1
        }
        return nil
    }

    private static let searchLimit = 64

    // MARK: element kinds

    private func isJSONLD(_ index: Int) -> Bool {
        tree.attribute(.type, of: index)?.lowercased().contains("ld+json") == true
    }

    /// Elements whose content is never article text: their children are not kept at all.
    private static func isOpaque(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .script, .style, .noscript, .template, .svg, .math, .iframe, .object, .canvas, .select, .textarea, .button: return true
        default: return false
        }
    }

    private static func isVoid(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .br, .wbr, .hr, .img, .input, .meta, .link, .base, .source, .embed, .area, .col, .param, .track: return true
        default: return false
        }
    }

    /// The start tags that close an open `<p>`.
    private static func closesParagraph(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .address, .article, .aside, .blockquote, .center, .details, .dialog, .div, .dl, .fieldset, .figcaption,
             .figure, .footer, .form, .h1, .h2, .h3, .h4, .h5, .h6, .header, .hr, .main, .menu, .nav, .ol, .p, .pre,
             .section, .summary, .table, .ul, .li, .dd, .dt:
            return true
        default:
            return false
        }
    }

    /// HTML5's "special" elements, which an end tag for an inline element does not close.
    private static func isSpecial(_ tag: HTMLTag) -> Bool {
        if tag.isBlock { return true }
        switch tag {
        case .button, .object, .template, .select, .iframe, .noscript, .script, .style, .title, .textarea, .head,
             .svg, .math:
            return true
        default:
            return false
        }
    }

    /// What an end tag for a block does not reach past: table cells and the like.
    private static func defaultScope(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .html, .table, .td, .th, .caption, .template, .object, .svg, .math: return true
        default: return false
        }
    }

    private static func buttonScope(_ tag: HTMLTag) -> Bool { tag == .button || defaultScope(tag) }
    private static func listItemScope(_ tag: HTMLTag) -> Bool { tag == .ul || tag == .ol || defaultScope(tag) }
    private static func tableScope(_ tag: HTMLTag) -> Bool { tag == .html || tag == .table || tag == .template }
    private static func isTableSection(_ tag: HTMLTag) -> Bool { tag == .thead || tag == .tbody || tag == .tfoot }

    /// What a new list item does not close past: a special element other than address, div and p.
    private static func isListItemBoundary(_ tag: HTMLTag) -> Bool {
        isSpecial(tag) && tag != .address && tag != .div && tag != .p
    }
}
