import Foundation
import ReportModel
import SiteBuild
import Testing

@Suite("Untrusted report text is escaped on every page")
struct EscapingTests {
    static let script = "<script>alert(1)</script>"
    static let attribute = "\"onmouseover=alert(1)"

    @Test func hostileReportStringsComeOutInert() throws {
        let f = ReportFactory.self
        let hostileFrom = "x\(Self.attribute)\(Self.script).contoso.example"
        let hostile = f.report(
            org: "Evil \(Self.script) Org \(Self.attribute)", id: "id-\(Self.script)\(Self.attribute)",
            domain: "\(Self.script).contoso.example",
            records: [
                f.record(ip: "<img src=x onerror=alert(1)>", count: 3, from: hostileFrom, dkim: .fail, spf: .fail),
                f.record(count: 5),
            ])
        let workspace = try FixtureWorkspace(config: SiteBuildTests.config, reports: ["evil.xml": f.xml(hostile)], files: SiteBuildTests.blueTheme)
        defer { workspace.remove() }
        let report = try workspace.build()
        #expect(report.uniqueReports == 1)

        var pagesShowingTheOrg = 0
        for path in workspace.files(under: "public") where path.hasSuffix(".html") {
            let html = workspace.text("public/" + path) ?? ""
            #expect(!html.contains(Self.script), "unescaped <script> in \(path)")
            #expect(!html.contains(Self.attribute), "unescaped quote in \(path)")
            #expect(!html.contains("<img src=x"), "unescaped <img> in \(path)")
            if html.contains("Evil &lt;script&gt;alert(1)&lt;/script&gt; Org &quot;onmouseover=alert(1)") { pagesShowingTheOrg += 1 }
        }
        #expect(pagesShowingTheOrg >= 2, "the escaped org name is shown on the month and domain pages")
        let domainPage = workspace.text("public/acme-it/contoso/2025-12/contoso.example/index.html") ?? ""
        #expect(domainPage.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(domainPage.contains("x&quot;onmouseover=alert(1)&lt;script&gt;"))

        let csv = workspace.text("public/acme-it/contoso/2025-12/records.csv") ?? ""
        #expect(csv.contains("\"x\"\"onmouseover=alert(1)<script>alert(1)</script>.contoso.example\""), "CSV quotes, it does not HTML-escape")
    }
}
