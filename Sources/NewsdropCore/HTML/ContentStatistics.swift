/// Per-node sums over each subtree — text length, link text, commas, and counts of the
/// elements the cleaning rules look at — computed in one backward pass over the flat tree, so
/// asking about any element is O(1) however deep the page is.
struct ContentStatistics {
    /// Characters of text, runs of white space counted as one.
    private(set) var textLength: [Int]
    /// Characters of text inside links; a link to the same page ("#…") counts 30 %.
    private(set) var linkLength: [Double]
    private(set) var commas: [Int]
    private(set) var paragraphs: [Int]
    private(set) var images: [Int]
    private(set) var listItems: [Int]
    private(set) var inputs: [Int]
    private(set) var headingLength: [Int]
    private(set) var listTextLength: [Int]

    /// Statistics over the nodes not in a removed subtree (`removed` marks subtree roots).
    init(_ tree: HTMLTree, removed: [Bool], textLengths: TextLengths) {
        let count = tree.nodes.count
        textLength = Array(repeating: 0, count: count)
        linkLength = Array(repeating: 0, count: count)
        commas = Array(repeating: 0, count: count)
        paragraphs = Array(repeating: 0, count: count)
        images = Array(repeating: 0, count: count)
        listItems = Array(repeating: 0, count: count)
        inputs = Array(repeating: 0, count: count)
        headingLength = Array(repeating: 0, count: count)
        listTextLength = Array(repeating: 0, count: count)
        let alive = Self.alive(tree, removed: removed)
        for index in stride(from: count - 1, through: 0, by: -1) where alive[index] {
            // Fields, not the node: copying a node retains its text and attributes.
            let tag = tree.nodes[index].tag
            switch tag {
            case .text:
                textLength[index] = textLengths.length[index]
                commas[index] = textLengths.commas[index]
            case .a:
                let href = tree.attribute(.href, of: index) ?? ""
                linkLength[index] = Double(textLength[index]) * (href.hasPrefix("#") ? 0.3 : 1)
            case .p: paragraphs[index] += 1
            case .img: images[index] += 1
            case .li: listItems[index] += 1
            case .input, .select, .textarea, .button: inputs[index] += 1
            case .ul, .ol: listTextLength[index] = textLength[index]
            default:
                if tag.isHeading { headingLength[index] = textLength[index] }
            }
            let parent = tree.nodes[index].parent
            guard parent >= 0 else { continue }
            textLength[parent] += textLength[index]
            linkLength[parent] += linkLength[index]
            commas[parent] += commas[index]
            paragraphs[parent] += paragraphs[index]
            images[parent] += images[index]
            listItems[parent] += listItems[index]
            inputs[parent] += inputs[index]
            headingLength[parent] += headingLength[index]
            listTextLength[parent] += listTextLength[index]
        }
    }

    func linkDensity(_ index: Int) -> Double {
        textLength[index] == 0 ? 0 : linkLength[index] / Double(textLength[index])
    }

    /// Whether each node survives: neither it nor an ancestor is removed.
    static func alive(_ tree: HTMLTree, removed: [Bool]) -> [Bool] {
        var alive = Array(repeating: true, count: tree.nodes.count)
        for index in tree.nodes.indices {
            let parent = tree.nodes[index].parent
            alive[index] = !removed[index] && (parent < 0 || alive[parent])
        }
        return alive
    }
}

/// The length and comma count of every text node, measured once per page.
struct TextLengths {
    private(set) var length: [Int]
    private(set) var commas: [Int]

    init(_ tree: HTMLTree) {
        length = Array(repeating: 0, count: tree.nodes.count)
        commas = Array(repeating: 0, count: tree.nodes.count)
        for index in tree.nodes.indices where tree.nodes[index].tag == .text {
            (length[index], commas[index]) = Self.measure(tree.nodes[index].text)
        }
    }

    /// Characters (scalars) with white-space runs counted once, and commas (ASCII, full-width
    /// and ideographic, so Chinese and Japanese text scores like English).
    private static func measure(_ text: String) -> (Int, Int) {
        var text = text
        return text.withUTF8(measure)
    }

    private static func measure(_ utf8: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        var length = 0, commas = 0
        var inSpace = true
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            index += 1
            if byte & 0xC0 == 0x80 { continue }  // continuation byte of a character already counted
            let isSpace = byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0C
            if isSpace {
                if !inSpace { length += 1 }
                inSpace = true
                continue
            }
            inSpace = false
            length += 1
            if byte == UInt8(ascii: ",") { commas += 1 }
            if byte == 0xEF || byte == 0xE3 {
                // U+FF0C (EF BC 8C) and U+3001 (E3 80 81): read the next two bytes to know.
                let second = index < utf8.count ? utf8[index] : nil, third = index + 1 < utf8.count ? utf8[index + 1] : nil
                index = min(index + 2, utf8.count)
                if (byte == 0xEF && second == 0xBC && third == 0x8C) || (byte == 0xE3 && second == 0x80 && third == 0x81) {
                    commas += 1
                }
            }
        }
        return (length, commas)
    }
}
