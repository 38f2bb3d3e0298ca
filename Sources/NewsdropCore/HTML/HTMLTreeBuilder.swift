import CLibxml2

/// Parses HTML with libxml2's forgiving parser straight into an `HTMLTree`: libxml2 reports
/// elements and text as SAX events and `TreeSink` appends them to the flat tree, so libxml2
/// never builds (and frees) a DOM of its own: on the development pages that DOM was about a
/// quarter of libxml2's instructions, and copying it out cost more again. Depth costs memory,
/// never the call stack.
enum HTMLTreeBuilder {
    /// libxml2 must be initialised once before threads parse at the same time.
    private static let libraryReady: Void = { xmlInitParser() }()

    /// `bytes` in `encoding` ("UTF-8" or a name iconv knows); nil when libxml2 could not start.
    static func parse(_ bytes: [UInt8], encoding: String) -> HTMLTree? {
        _ = libraryReady
        // Encoding errors bypass HTML_PARSE_NOERROR and would be printed to standard error;
        // a structured handler (per thread in libxml2) swallows them: a bad byte is not news.
        xmlSetStructuredErrorFunc(nil) { _, _ in }
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return nil }
        let context = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                htmlCreateMemoryParserCtxt(pointer, Int32(buffer.count))
            }
        }
        guard let context else { return nil }
        defer { htmlFreeParserCtxt(context) }
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue) | Int32(XML_PARSE_HUGE.rawValue)
        htmlCtxtUseOptions(context, options)
        // What htmlReadMemory does with its encoding argument. Naming the encoding on the input
        // is what makes libxml2 ignore the page's own <meta charset>.
        if let handler = xmlFindCharEncodingHandler(encoding) {
            xmlSwitchToEncoding(context, handler)
            if let input = context.pointee.input, input.pointee.encoding == nil {
                input.pointee.encoding = UnsafePointer(xmlStrdup(encoding))
            }
        }
        var sink = TreeSink(context)
        context.pointee.sax.pointee = TreeSink.handler()
        // A struct behind a pointer, not a class: a class's stored properties pay a runtime
        // exclusivity check on every event.
        withUnsafeMutablePointer(to: &sink) { pointer in
            context.pointee.userData = UnsafeMutableRawPointer(pointer)
            _ = htmlParseDocument(context)
            context.pointee.userData = nil
        }
        // No startDocument handler, so libxml2 made no document; free one should a version make it anyway.
        if let document = context.pointee.myDoc { xmlFreeDoc(document) }
        context.pointee.myDoc = nil
        return sink.tree
    }
}

/// Receives libxml2's SAX events and appends them to an `HTMLTree` exactly as the tree libxml2
/// would have built: adjacent text merges into one node unless a comment or element comes
/// between; text outside any element is dropped.
private struct TreeSink {
    static func handler() -> htmlSAXHandler {
        var handler = htmlSAXHandler()
        handler.initialized = 1
        handler.startElement = { user, name, attributes in TreeSink.sink(user).pointee.start(name, attributes) }
        handler.endElement = { user, _ in TreeSink.sink(user).pointee.end() }
        handler.characters = { user, text, length in TreeSink.sink(user).pointee.text(text, Int(length)) }
        handler.cdataBlock = { user, text, length in TreeSink.sink(user).pointee.text(text, Int(length)) }
        handler.comment = { user, _ in TreeSink.sink(user).pointee.separator() }
        handler.processingInstruction = { user, _, _ in TreeSink.sink(user).pointee.separator() }
        return handler
    }

    private static func sink(_ user: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<TreeSink> {
        user!.assumingMemoryBound(to: TreeSink.self)
    }

    /// The parser, whose stack of open element names is the truth about nesting (see `close(above:)`).
    private let context: htmlParserCtxtPtr
    var tree = HTMLTree()
    /// Tree indices of the open elements, innermost last; elements inside an opaque one are not
    /// in the tree and only counted in `hiddenDepth`.
    private var open: [Int] = []
    private var hiddenDepth = 0
    /// Whether the innermost open element's last child is a text node that more text extends.
    private var lastChildIsText = false
    /// Whether the innermost open element is a JSON-LD script, whose text is kept as metadata.
    private var inJSONLD = false
    /// Caches keyed by libxml2's interned name pointers, so that each distinct tag or attribute
    /// name is turned into a Swift value once per page.
    private var tagNames: [UnsafeRawPointer: HTMLTag] = [:]
    private var attributeNames: [UnsafeRawPointer: HTMLAttribute?] = [:]

    init(_ context: htmlParserCtxtPtr) {
        self.context = context
    }

    /// Elements whose content is never article text: their children are not kept at all,
    /// which also keeps large inline scripts and SVG out of the work that follows.
    private static func isOpaque(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .script, .style, .noscript, .template, .svg, .math, .iframe, .object, .canvas, .select, .textarea, .button: return true
        default: return false
        }
    }

    /// Closes the elements nested deeper than `depth`. libxml2 closes an element whose start
    /// tag never ends (`<div class="a"` at the end of input) without an end event, popping only
    /// its own name stack; the parser's depth tells.
    private mutating func close(above depth: Int) {
        while open.count + hiddenDepth > depth {
            lastChildIsText = false
            inJSONLD = false
            if hiddenDepth > 0 {
                hiddenDepth -= 1
            } else if let index = open.popLast() {
                tree.nodes[index].end = tree.nodes.count
            }
        }
    }

    /// The parser's depth, counting the element being started or ended.
    private var parserDepth: Int { Int(context.pointee.nameNr) }

    mutating func start(_ name: UnsafePointer<xmlChar>?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        close(above: parserDepth - 1)
        lastChildIsText = false
        inJSONLD = false
        if hiddenDepth > 0 || open.last.map({ Self.isOpaque(tree.nodes[$0].tag) }) == true {
            hiddenDepth += 1
            return
        }
        let tag = self.tag(name)
        let attributes = self.attributes(attributes)
        let index = tree.nodes.count
        tree.nodes.append(.init(tag: tag, parent: open.last ?? -1, end: index + 1, text: "", attributes: attributes))
        open.append(index)
        // JSON-LD is metadata the extractor reads; it is kept as the script's text.
        inJSONLD = tag == .script && attributes.contains { $0.0 == .type && $0.1.lowercased().contains("ld+json") }
    }

    mutating func end() {
        close(above: parserDepth)
        lastChildIsText = false
        inJSONLD = false
        if hiddenDepth > 0 {
            hiddenDepth -= 1
            return
        }
        guard let index = open.popLast() else { return }
        tree.nodes[index].end = tree.nodes.count
    }

    mutating func text(_ bytes: UnsafePointer<xmlChar>?, _ length: Int) {
        close(above: parserDepth)
        guard let bytes, length > 0, let parent = open.last, hiddenDepth == 0 else { return }
        let text = String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
        if inJSONLD {
            tree.nodes[parent].text += text
            return
        }
        if Self.isOpaque(tree.nodes[parent].tag) { return }
        if lastChildIsText {
            tree.nodes[tree.nodes.count - 1].text += text
            return
        }
        let index = tree.nodes.count
        tree.nodes.append(.init(tag: .text, parent: parent, end: index + 1, text: text, attributes: []))
        lastChildIsText = true
    }

    /// A comment or processing instruction: not kept, but it separates the text around it.
    mutating func separator() {
        close(above: parserDepth)
        lastChildIsText = false
    }

    private mutating func tag(_ name: UnsafePointer<xmlChar>?) -> HTMLTag {
        guard let name else { return .other }
        let key = UnsafeRawPointer(name)
        if let known = tagNames[key] { return known }
        let tag = HTMLTag(rawValue: Self.localName(String(cString: name)).lowercased()) ?? .other
        tagNames[key] = tag
        return tag
    }

    /// What libxml2's own tree (xmlSplitQName) keeps of a prefixed element name: `<a0:nav>` is a
    /// nav. A name that starts or ends with the colon stays whole.
    private static func localName(_ name: String) -> String {
        guard let colon = name.firstIndex(of: ":"), colon != name.startIndex, name.index(after: colon) != name.endIndex else { return name }
        return String(name[name.index(after: colon)...])
    }

    /// The known attributes of a NULL-terminated list of name and value pointers; a value-less
    /// attribute (`hidden`) has the empty value.
    private mutating func attributes(_ list: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) -> [(HTMLAttribute, String)] {
        guard var pair = list else { return [] }
        var result: [(HTMLAttribute, String)] = []
        while let name = pair[0] {
            if let known = attributeName(name) {
                result.append((known, pair[1].map { String(cString: $0) } ?? ""))
            }
            pair += 2
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
}
