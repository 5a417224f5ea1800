import Testing
import Templating

@Suite("Markdown through cmark-gfm in safe mode")
struct MarkdownRendererTests {
    let renderer = MarkdownRenderer()

    @Test func rendersGitHubExtensions() {
        let html = renderer.render("""
            | a | b |
            |---|---|
            | 1 | 2 |

            ~~gone~~ and https://example.com

            - [x] done
            """).html
        #expect(html.contains("<table>"))
        #expect(html.contains("<td>1</td>"))
        #expect(html.contains("<del>gone</del>"))
        #expect(html.contains("<a href=\"https://example.com\">"))
        #expect(html.contains("checkbox"))
    }

    @Test func dropsRawHTMLAndScriptLinks() {
        let html = renderer.render("""
            <script>alert(1)</script>

            <img src=x onerror=alert(1)>

            [click](javascript:alert(1)) and <b onclick="x">bold</b>
            """).html
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("javascript:"))
        #expect(!html.contains("onclick"))
        #expect(html.contains("raw HTML omitted"))
    }

    @Test func escapesTextAndKeepsUnicode() {
        let html = renderer.render("Fish & chips < 3 — 日本語").html
        #expect(html.contains("Fish &amp; chips &lt; 3 — 日本語"))
    }
}
