import XCTest
@testable import NewsdropCore

/// Removing script and style content and unkept attributes before libxml2 parses a page must
/// not change the tree: pages where the scan could misread libxml2's state must come out the
/// same as unstripped.
final class UnusedMarkupStripperTests: XCTestCase {
    private func assertSameTree(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        let bytes = Array(html.utf8)
        let whole = HTMLTreeBuilder.parse(bytes, encoding: "UTF-8"), stripped = HTMLTreeBuilder.parse(UnusedMarkupStripper.stripped(bytes), encoding: "UTF-8")
        XCTAssertEqual(whole.map(Self.describe), stripped.map(Self.describe), html, file: file, line: line)
    }

    private static func describe(_ tree: HTMLTree) -> [String] {
        tree.nodes.map { node in
            "\(node.tag) \(node.parent) \(node.end) \(node.text) " + node.attributes.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
    }

    func testRemovesScriptAndStyleContent() {
        let page = "<html><head><style>p { color: red }</style></head><body><p>one</p><SCRIPT type=text/javascript>var a = '<p>';</SCRIPT ><p>two</p></body></html>"
        let stripped = String(decoding: UnusedMarkupStripper.stripped(Array(page.utf8)), as: UTF8.self)
        XCTAssertEqual(stripped, "<html><head><style></style></head><body><p>one</p><SCRIPT type=text/javascript></SCRIPT ><p>two</p></body></html>")
        assertSameTree(page)
    }

    func testRemovesAttributesTheTreeDoesNotKeep() {
        let page = #"<p class="a" data-track='{"x": 1}' id=b srcset="a.jpg 1x">text</p>"#
        let stripped = String(decoding: UnusedMarkupStripper.stripped(Array(page.utf8)), as: UTF8.self)
        XCTAssertEqual(stripped, #"<p class="a"  id=b >text</p>"#)
        assertSameTree(page)
    }

    func testKeepsJSONLD() {
        let page = #"<script type="application/ld+json">{"@type":"NewsArticle","headline":"H"}</script><p>t</p>"#
        XCTAssertEqual(UnusedMarkupStripper.stripped(Array(page.utf8)), Array(page.utf8))
    }

    func testTreeUnchangedWhereTheScanMustNotGuess() {
        let pages = [
            "<p>a < b <!-- c > <script> --> real text</p><script>x</script><p>after</p>",
            "<p>x</p><script/>visible<script>hidden</script><p>y</p>",
            #"<div title="<script>">kept</div><script>gone</script><p>z</p>"#,
            "<div title='a>b' data-x=<script>kept</div><script>gone</script><p>z</p>",
            "<script><body>text</body></script><p>q</p>",
            "<p>1</p><script>if (a</b) {}</scriptx> more </script><p>2</p>",
            "<p>1</p><!-- x --!> <script>s</script><p>2</p> -->",
            "<p>1</p><div class=\"a\u{1}\"><script>s</script></div><p>2</p>",
            #"<p>1</p><?php echo "<script>"; ?><script>x</script><p>2</p><!DOCTYPE x "<script>"><p>3</p>"#,
            "<p>1</p></ p><script>x</script><p>2</p><a href=x/><script>y</script>",
            "<p>1</p><script src=\"a\" / data-x=1>x</script><p>2</p><script\n>z</script>",
            "<p>unclosed <script>never ends",
            "<p>1</p><!-- <script> --><p>2</p><script>x</script>",
            #"<a href="u"data-x="1"class=y>t</a><a data-y=2/ class=k x>u</a><br / data-z=1><a b/c=1 id=d>v</a>"#,
            "<div " + String(repeating: "a", count: 100) + #"0="x class=evil y" id=i>w</div>"#,
            #"<DIV CLASS="Up" DATA-X='1'><SPAN Style="display:none" srcset="a 1x, b 2x">z</SPAN></DIV>"#,
            // Raw text that starts as an end tag, and a longer end-tag name: found by random pages.
            "<script></v</SCRIPT>>", "<style></p</style>=",
            "<script type=ld+json></scriptx><p .>", "<script>a</scriptx </script>b</script><p>c</p>",
            "<!<!--><SCRIPT>--></script>1",
        ]
        for page in pages { assertSameTree(page) }
    }
}
