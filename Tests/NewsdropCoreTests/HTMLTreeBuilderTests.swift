import XCTest
@testable import NewsdropCore

/// The native parser: the tree it builds from tag soup, written as an outline
/// (`body(p("a") div("b"))`) of elements with their kept text.
final class HTMLTreeBuilderTests: XCTestCase {
    private func outline(_ html: String) -> String {
        Self.outline(HTMLTreeBuilder.parse(Array(html.utf8)))
    }

    /// The body's content, where most rules show.
    private func body(_ html: String) -> String {
        let whole = outline(html)
        guard let start = whole.range(of: "body(") else { return whole }
        return String(whole[start.upperBound..<whole.index(whole.endIndex, offsetBy: -2)])
    }

    static func outline(_ tree: HTMLTree) -> String {
        var parts: [String] = []
        var open: [Int] = []
        for (index, node) in tree.nodes.enumerated() {
            while let last = open.last, tree.nodes[last].end <= index {
                parts[parts.count - 1] += ")"
                open.removeLast()
            }
            if node.tag == .text {
                parts.append("\"\(node.text)\"")
            } else {
                parts.append("\(node.tag)(")
                open.append(index)
            }
        }
        for _ in open { parts[parts.count - 1] += ")" }
        return parts.joined(separator: " ").replacingOccurrences(of: "( ", with: "(")
    }

    // MARK: document structure

    func testHTMLHeadAndBodyAreImplied() {
        XCTAssertEqual(outline("<title>T</title><p>x"), #"html(head(title("T")) body(p("x")))"#)
        XCTAssertEqual(outline("<!DOCTYPE html> <html lang=en> <head><meta charset=utf-8></head> <body><p>x</p></body></html> "),
                       #"html(head(meta()) body(p("x") " "))"#)
        XCTAssertEqual(outline("text first"), #"html(body("text first"))"#)
        XCTAssertEqual(outline("<html/><head/><body/><p>x"), #"html(head() body(p("x")))"#)
    }

    func testLaterHTMLTagAddsItsAttributes() {
        let tree = HTMLTreeBuilder.parse(Array("<!-- x --><p>a</p><html lang=fr>".utf8))
        XCTAssertEqual(tree.attribute(.lang, of: 0), "fr")
    }

    func testContentAfterTheBodyEndsStaysInTheBody() {
        XCTAssertEqual(body("<p>a</p></body></html><p>b</p>"), #"p("a") p("b")"#)
    }

    // MARK: implied end tags

    func testParagraphClosedByBlock() {
        XCTAssertEqual(body("<p>a<div>b</div><p>c<p>d<h2>e</h2><p>f<table><tr><td>g</table>"),
                       #"p("a") div("b") p("c") p("d") h2("e") p("f") table(tr(td("g")))"#)
        XCTAssertEqual(body("<p>a<span>b</span>c</p>"), #"p("a" span("b") "c")"#)
    }

    func testListItemsDefinitionsAndOptionsCloseTheirSiblings() {
        XCTAssertEqual(body("<ul><li>a<li>b<ul><li>c</ul><li>d</ul>"), #"ul(li("a") li("b" ul(li("c"))) li("d"))"#)
        XCTAssertEqual(body("<dl><dt>t<dd>d<dt>u</dl>"), #"dl(dt("t") dd("d") dt("u"))"#)
        XCTAssertEqual(body("<ul><li><div>a<li>b</ul>"), #"ul(li(div("a")) li("b"))"#)
    }

    func testTableRowsAndCellsCloseTheirSiblings() {
        XCTAssertEqual(body("<table><tr><td>a<td>b<tr><th>c</table>"), #"table(tr(td("a") td("b")) tr(th("c")))"#)
        XCTAssertEqual(body("<table><thead><tr><td>a<tbody><tr><td>b</table>"), #"table(thead(tr(td("a"))) tbody(tr(td("b"))))"#)
    }

    func testHeadingsAndLinksCloseTheirOwnKind() {
        XCTAssertEqual(body("<h1>a<h2>b</h2>"), #"h1("a") h2("b")"#)
        XCTAssertEqual(body("<a href=1>x<a href=2>y"), #"a("x") a("y")"#)
    }

    func testVoidAndSelfClosedElementsHoldNothing() {
        XCTAssertEqual(body("<p>a<br>b<img src=x>c<wbr>d<hr/>e"), #"p("a" br() "b" img() "c" wbr() "d") hr() "e""#)
        XCTAssertEqual(body(#"<a name="top"/><div/>text"#), #"a() div() "text""#)
        XCTAssertEqual(body("<p>a</br>b</p>"), #"p("a" br() "b")"#)
    }

    // MARK: mis-nested and stray end tags

    func testStrayEndTagsAreIgnored() {
        XCTAssertEqual(body("<div><span>a</div>b</span></p>c"), #"div(span("a")) "bc""#)
    }

    func testInlineEndTagDoesNotCloseABlock() {
        XCTAssertEqual(body("<b><div>x</b>y</div>z"), #"b(div("xy") "z")"#)
    }

    func testEndTagDoesNotReachOutOfATableCell() {
        XCTAssertEqual(body("<div><table><tr><td><div>a</div></div>b</td></tr></table>c</div>d"),
                       #"div(table(tr(td(div("a") "b"))) "c") "d""#)
    }

    func testEndTagClosesWhatIsOpenInsideIt() {
        XCTAssertEqual(body("<div><p><b>a</div>b"), #"div(p(b("a"))) "b""#)
        XCTAssertEqual(body("<x-card><span>a</x-card>b"), #"other(span("a")) "b""#)
    }

    // MARK: raw text, comments, opaque elements

    func testRawTextElementsReadNoMarkup() {
        XCTAssertEqual(body("<body><script>if (a<b) document.write('<p>x</p>')</script><p>y</p>"), #"script() p("y")"#)
        XCTAssertEqual(body("<body><style>p > a { }</style><textarea><p>t</textarea><p>z"), #"style() textarea() p("z")"#)
        XCTAssertEqual(outline("<title>A &amp; <b>B</b></title>"), #"html(head(title("A & <b>B</b>")))"#)
        // Only the element's own end tag ends it, in any case.
        XCTAssertEqual(body("<body><script>a</scriptx>b</SCRIPT ><p>c"), #"script() p("c")"#)
    }

    func testJSONLDKeepsItsText() {
        let tree = HTMLTreeBuilder.parse(Array(#"<script type="application/ld+json">{"a":"<b>"}</script><script>var x</script>"#.utf8))
        XCTAssertEqual(tree.elements(.script).map { tree.nodes[$0].text }, [#"{"a":"<b>"}"#, ""])
    }

    func testOpaqueElementsKeepNoChildren() {
        XCTAssertEqual(body("<svg><p>x</p><title>t</title></svg><button><b>y</b></button><select><option>o<option>p</select><p>z"),
                       #"svg() button() select() p("z")"#)
    }

    func testCommentsAndDeclarationsSeparateText() {
        XCTAssertEqual(body("<p>a<!-- <p>x -->b</p>c<!-->d<!--->e<?php echo 1 ?>f<!x>g</ 1>h</>i"),
                       #"p("a" "b") "c" "d" "e" "f" "g" "hi""#)
        XCTAssertEqual(body("<p>a<!-- x --!>b"), #"p("a" "b")"#)
        XCTAssertEqual(body("<p>a<!-- never closed <p>b"), #"p("a")"#)
    }

    func testLessThanThatOpensNoTagIsText() {
        XCTAssertEqual(body("<p>a < b <3 <</p>"), #"p("a < b <3 <")"#)
        XCTAssertEqual(body("<p>a</"), #"p("a</")"#)
    }

    func testTagCutOffByTheEndOfThePageIsDropped() {
        XCTAssertEqual(body(#"<p>a</p><div class="x"#), #"p("a")"#)
        XCTAssertEqual(body("<p>a</p><div"), #"p("a")"#)
    }

    func testPrefixedNamesAreTheirLocalName() {
        XCTAssertEqual(body("<a0:nav><p>x</p></a0:nav>y"), #"nav(p("x")) "y""#)
    }

    func testDepthCostsNoCallStack() {
        let depth = 100_000
        let tree = HTMLTreeBuilder.parse(Array((String(repeating: "<div>", count: depth) + "x" + String(repeating: "</span>", count: depth)).utf8))
        XCTAssertEqual(tree.nodes.count, depth + 3)
        XCTAssertEqual(tree.nodes.last?.parent, depth + 1)
        XCTAssertEqual(tree.nodes[0].end, tree.nodes.count)
    }

    func testEndTagFarBelowItsElementIsIgnored() {
        let unclosed = 100
        let tree = HTMLTreeBuilder.parse(Array(("<div>" + String(repeating: "<span>", count: unclosed) + "</div>x").utf8))
        XCTAssertEqual(tree.nodes.last?.parent, 2 + unclosed, "x stays in the innermost span")
        XCTAssertEqual(body("<div>" + String(repeating: "<span>", count: 10) + "</div>x"), "div(" + String(repeating: "span(", count: 10) + String(repeating: ")", count: 11) + " \"x\"")
    }

    // MARK: attributes

    func testAttributesQuotedUnquotedAndBare() {
        let tree = HTMLTreeBuilder.parse(Array(#"<A HREF="/x?a=1&amp;b=2&copy=3" Class=c id='i &gt; j' hidden data-x="y" class=second>t</a>"#.utf8))
        let link = tree.elements(.a)[0]
        XCTAssertEqual(tree.attribute(.href, of: link), "/x?a=1&b=2&copy=3")
        XCTAssertEqual(tree.attribute(.class, of: link), "c")
        XCTAssertEqual(tree.attribute(.id, of: link), "i > j")
        XCTAssertEqual(tree.attribute(.hidden, of: link), "")
        XCTAssertEqual(tree.nodes[link].attributes.count, 4, "only the attributes the extractor reads, first of each")
    }

    func testQuotesHideTagEnds() {
        XCTAssertEqual(body(#"<div title="a>b" class='<p>'>x</div>"#), #"div("x")"#)
    }

    // MARK: character references

    func testCharacterReferences() {
        XCTAssertEqual(body("<p>&amp; &lt;&gt; &quot;&apos; &eacute;t&eacute &copy2024 &rsquo;&hellip;&nbsp;x</p>"),
                       "p(\"& <> \"' été ©2024 ’…\u{A0}x\")")
        XCTAssertEqual(body("<p>&#8217;&#x2019;&#X2014 &#146;&#150; &#0; &#xD800; &#99999999;</p>"),
                       "p(\"’’— ’– \u{FFFD} \u{FFFD} \u{FFFD}\")")
        XCTAssertEqual(body("<p>&unknown; &amp &# &#x; & a&b</p>"), "p(\"&unknown; & &# &#x; & a&b\")")
        XCTAssertEqual(body("<p>&notin; &notit;</p>"), "p(\"∉ ¬it;\")")
    }
}
