import CLibxml2

/// Parses HTML with libxml2's forgiving parser and copies the part the extractor needs into an
/// `HTMLTree`, then frees libxml2's tree. The walk follows libxml2's sibling and parent links
/// with an explicit stack, so depth costs memory, never the call stack.
enum HTMLTreeBuilder {
    /// Elements whose content is never article text: their children are not copied at all,
    /// which also keeps large inline scripts and SVG out of the work that follows.
    private static let opaque: Set<HTMLTag> = [
        .script, .style, .noscript, .template, .svg, .math, .iframe, .object, .canvas, .select, .textarea, .button,
    ]

    /// libxml2 must be initialised once before threads parse at the same time.
    private static let libraryReady: Void = { xmlInitParser() }()

    /// `bytes` in `encoding` ("UTF-8" or a name iconv knows); nil when libxml2 produced no tree.
    static func parse(_ bytes: [UInt8], encoding: String) -> HTMLTree? {
        _ = libraryReady
        // Encoding errors bypass HTML_PARSE_NOERROR and would be printed to standard error;
        // a structured handler (per thread in libxml2) swallows them: a bad byte is not news.
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return nil }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue) | Int32(XML_PARSE_HUGE.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                htmlReadMemory(pointer, Int32(buffer.count), nil, encoding, options)
            }
        }
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        var builder = Copier()
        builder.copy(firstChild: document.pointee.children)
        return builder.tree
    }

    /// The copying walk, with caches keyed by libxml2's interned name pointers so that each
    /// distinct tag or attribute name is turned into a Swift value once per page.
    private struct Copier {
        var tree = HTMLTree()
        private var tagNames: [UnsafeRawPointer: HTMLTag] = [:]
        private var attributeNames: [UnsafeRawPointer: HTMLAttribute?] = [:]

        mutating func copy(firstChild: xmlNodePtr?) {
            // Open elements: their index in the tree and their libxml2 node.
            var open: [(index: Int, node: xmlNodePtr)] = []
            var current = firstChild
            while true {
                if let node = current {
                    current = node.pointee.next
                    if let child = append(node, parent: open.last?.index ?? -1) {
                        open.append((tree.nodes.count - 1, node))
                        current = child
                    }
                    continue
                }
                guard let (index, node) = open.popLast() else { break }
                tree.nodes[index].end = tree.nodes.count
                current = node.pointee.next
            }
        }

        /// Appends `node` when it is an element or text; returns its first child when the walk
        /// should descend into it.
        private mutating func append(_ node: xmlNodePtr, parent: Int) -> xmlNodePtr? {
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                guard let content = node.pointee.content else { return nil }
                let index = tree.nodes.count
                tree.nodes.append(.init(tag: .text, parent: parent, end: index + 1,
                                        text: String(cString: content), attributes: []))
                return nil
            case XML_ELEMENT_NODE:
                let tag = self.tag(of: node)
                let attributes = self.attributes(of: node)
                let index = tree.nodes.count
                tree.nodes.append(.init(tag: tag, parent: parent, end: index + 1, text: "", attributes: attributes))
                if tag == .script {
                    // JSON-LD is metadata the extractor reads; it is kept as the script's text.
                    if attributes.contains(where: { $0.0 == .type && $0.1.lowercased().contains("ld+json") }) {
                        tree.nodes[index].text = textContent(of: node)
                    }
                    return nil
                }
                return opaque.contains(tag) ? nil : node.pointee.children
            default:
                return nil
            }
        }

        private mutating func tag(of node: xmlNodePtr) -> HTMLTag {
            guard let name = node.pointee.name else { return .other }
            let key = UnsafeRawPointer(name)
            if let known = tagNames[key] { return known }
            let tag = HTMLTag(rawValue: String(cString: name).lowercased()) ?? .other
            tagNames[key] = tag
            return tag
        }

        private mutating func attributes(of node: xmlNodePtr) -> [(HTMLAttribute, String)] {
            var result: [(HTMLAttribute, String)] = []
            var attribute = node.pointee.properties
            while let current = attribute {
                attribute = current.pointee.next
                guard let name = current.pointee.name, let known = attributeName(name) else { continue }
                var value = ""
                var child = current.pointee.children
                while let text = child {
                    if let content = text.pointee.content { value += String(cString: content) }
                    child = text.pointee.next
                }
                result.append((known, value))
            }
            return result
        }

        private mutating func attributeName(_ name: UnsafePointer<xmlChar>) -> HTMLAttribute? {
            let key = UnsafeRawPointer(name)
            if let known = attributeNames[key] { return known }
            let attribute = HTMLAttribute(rawValue: String(cString: name).lowercased())
            attributeNames[key] = attribute
            return attribute
        }

        private func textContent(of node: xmlNodePtr) -> String {
            var text = ""
            var child = node.pointee.children
            while let current = child {
                if let content = current.pointee.content { text += String(cString: content) }
                child = current.pointee.next
            }
            return text
        }
    }
}
