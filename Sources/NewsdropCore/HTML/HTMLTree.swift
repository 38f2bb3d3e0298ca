/// The elements the extractor tells apart; every other element is `.other`, text is `.text`.
enum HTMLTag: String, CaseIterable {
    case text = "#text"
    case other = "#other"
    case html, head, body, title, meta, link, base
    /// Void elements, told apart so that they are never left open.
    case wbr, area, col, param, track
    case script, style, noscript, template, iframe, svg, math, object, embed, canvas, video, audio, picture, source
    case nav, aside, footer, header, form, button, input, select, textarea, option, label, fieldset, dialog, menu
    case article, main, section, div, span, p, br, hr, a, img, figure, figcaption, time, address, center, details, summary
    case h1, h2, h3, h4, h5, h6
    case ul, ol, li, dl, dt, dd, blockquote, pre, code
    case table, thead, tbody, tfoot, tr, td, th, caption
    case font, b, i, em, strong, u, small, sup, sub

    var isHeading: Bool {
        switch self {
        case .h1, .h2, .h3, .h4, .h5, .h6: return true
        default: return false
        }
    }

    /// Elements that start a new paragraph of readable text.
    var isBlock: Bool {
        switch self {
        case .p, .div, .section, .article, .main, .h1, .h2, .h3, .h4, .h5, .h6, .ul, .ol, .li, .dl, .dt, .dd,
             .blockquote, .pre, .table, .thead, .tbody, .tfoot, .tr, .td, .th, .caption, .figure, .figcaption,
             .header, .footer, .nav, .aside, .address, .center, .details, .summary, .form, .fieldset, .hr, .body,
             .html, .menu, .dialog:
            return true
        default:
            return false
        }
    }
}

/// The attributes the extractor reads; others are not kept.
enum HTMLAttribute: String, CaseIterable {
    case `class`, id, itemprop, itemtype, role, href, rel, property, name, content, datetime, lang
    case hidden, ariaHidden = "aria-hidden", style, type, httpEquiv = "http-equiv", pubdate
}

/// A parsed page as a flat array in document order, so every walk is a loop: the descendants
/// of node `i` are exactly the nodes `i + 1 ..< nodes[i].end`. This is what lets a page nested
/// 100,000 deep be processed without recursion.
struct HTMLTree {
    struct Node {
        var tag: HTMLTag
        /// The parent's index; -1 for the top-level nodes.
        var parent: Int
        /// One past the index of the last descendant.
        var end: Int
        /// The text of a text node (or of a JSON-LD script's content); empty for elements.
        var text: String
        var attributes: [(HTMLAttribute, String)]
    }

    var nodes: [Node] = []

    func attribute(_ name: HTMLAttribute, of index: Int) -> String? {
        nodes[index].attributes.first { $0.0 == name }?.1
    }

    /// The indices of the elements with tag `tag`, in document order.
    func elements(_ tag: HTMLTag) -> [Int] {
        nodes.indices.filter { nodes[$0].tag == tag }
    }

    /// The element children of `index`, in order.
    func children(of index: Int) -> [Int] {
        var result: [Int] = []
        var child = index + 1
        while child < nodes[index].end {
            result.append(child)
            child = nodes[child].end
        }
        return result
    }

    /// The text under `index` with runs of white space collapsed to one space, trimmed.
    func text(of index: Int, skipping removed: [Bool]? = nil) -> String {
        var raw = ""
        var child = index
        while child < nodes[index].end {
            if let removed, removed[child] { child = nodes[child].end; continue }
            if nodes[child].tag == .text { raw += nodes[child].text }
            child += 1
        }
        return WhiteSpace.collapse(raw)
    }

    /// Whether `ancestor` contains `index` (or is it).
    func contains(_ ancestor: Int, _ index: Int) -> Bool {
        index >= ancestor && index < nodes[ancestor].end
    }
}

/// White space as HTML sees it.
enum WhiteSpace {
    /// `text` with every run of white space (no-break and other Unicode spaces too) one
    /// space, trimmed. Works on UTF-8 bytes: this runs over every character of every page.
    static func collapse(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var output = 0
        var pendingSpace = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            let spaceLength = spaceLength(bytes, at: index, byte: byte)
            if spaceLength > 0 {
                pendingSpace = output > 0
                index += spaceLength
                continue
            }
            if pendingSpace {
                bytes[output] = 0x20
                output += 1
                pendingSpace = false
            }
            bytes[output] = byte
            output += 1
            index += 1
        }
        return String(decoding: bytes[..<output], as: UTF8.self)
    }

    /// The length of the white-space character at `index`, or 0 when it is not one.
    private static func spaceLength(_ bytes: [UInt8], at index: Int, byte: UInt8) -> Int {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0C, 0x0D: return 1
        case 0xC2: return index + 1 < bytes.count && bytes[index + 1] == 0xA0 ? 2 : 0
        case 0xE2:
            guard index + 2 < bytes.count else { return 0 }
            let (second, third) = (bytes[index + 1], bytes[index + 2])
            let isSpace = (second == 0x80 && (third <= 0x8A || third == 0xAF)) || (second == 0x81 && third == 0x9F)
            return isSpace ? 3 : 0
        case 0xE3:
            return index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80 ? 3 : 0
        default: return 0
        }
    }
}
