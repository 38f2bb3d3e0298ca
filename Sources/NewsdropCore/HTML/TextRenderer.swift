/// Turns chosen parts of the tree into paragraphs the way a reader sees them: every block
/// element (paragraph, heading, list item, quotation, table cell …) and every `<br>` ends a
/// paragraph, inline text runs together, white space collapses.
struct TextRenderer {
    let tree: HTMLTree

    func paragraphs(of roots: [Int], removed: [Bool]) -> [String] {
        var output = Output()
        for root in roots {
            // The ends of the block elements still open, innermost last.
            var openBlocks: [Int] = []
            var index = root
            while index < tree.nodes[root].end {
                while let end = openBlocks.last, index >= end {
                    output.flush()
                    openBlocks.removeLast()
                }
                let node = tree.nodes[index]
                if removed[index] { index = node.end; continue }
                switch node.tag {
                case .text: output.append(node.text)
                case .br, .hr: output.flush()
                default:
                    if node.tag.isBlock {
                        output.flush()
                        openBlocks.append(node.end)
                    }
                }
                index += 1
            }
            output.flush()
        }
        return output.paragraphs
    }

    /// Paragraphs collected so far and the one being written.
    private struct Output {
        var paragraphs: [String] = []
        private var current = ""

        mutating func append(_ text: String) {
            current += text
        }

        mutating func flush() {
            let paragraph = WhiteSpace.collapse(current)
            if !paragraph.isEmpty { paragraphs.append(paragraph) }
            current = ""
        }
    }
}

/// The text a browser would show for a whole HTML document, paragraph by paragraph: what the
/// extraction benchmark compares extracted text against.
public enum HTMLVisibleText {
    public static func paragraphs(_ bytes: [UInt8]) -> [String] {
        let decision = HTMLCharset.detect(bytes, contentType: nil)
        let tree = HTMLTreeBuilder.parse(HTMLTranscoder.utf8Bytes(bytes, as: decision))
        let hidden = tree.nodes.map { [.head, .title, .script, .style, .template].contains($0.tag) }
        let roots = tree.nodes.indices.filter { tree.nodes[$0].parent < 0 }
        return TextRenderer(tree: tree).paragraphs(of: roots, removed: hidden)
    }
}
