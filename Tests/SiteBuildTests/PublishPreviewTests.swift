import Foundation
@testable import SiteBuild
import Testing

@Suite("Publish: sitegen serve preview", .timeLimit(.minutes(1)))
struct PublishPreviewTests {
    static let config = """
        resellers:
          - id: acme-it
            clients:
              - id: contoso
                domains: [contoso.example]
        """

    static func session() throws -> (FixtureWorkspace, PreviewSession) {
        let f = ReportFactory.self
        let workspace = try FixtureWorkspace(config: config, reports: ["c.xml": f.xml(f.report(id: "c-1", records: [f.record(count: 5)]))])
        let options = BuildOptions(workspace: workspace.root, builtinThemes: FixtureWorkspace.builtinThemes)
        let session = try PreviewSession(options: options, host: "127.0.0.1", port: 0) { _ in }
        return (workspace, session)
    }

    @Test(arguments: [
        ("/acme-it/../../etc/passwd", 400),
        ("/acme-it/%2e%2e/%2e%2e/etc/passwd", 400),
        ("/%2E%2e/x", 400),
        ("/acme-it%2f..%2f..%2fetc%2fpasswd", 400),
        ("/acme-it/..\\..\\x", 400),
        ("/a%00b", 400),
        ("/a%zz", 400),
        ("http://127.0.0.1/acme-it/", 400),
        ("/acme-it/contoso/.htpasswd", 404),
        ("/.sitegen-published", 404),
    ])
    func refusesPathsOutsideTheOutputFolder(_ target: String, _ status: Int) {
        switch PreviewPath.segments(of: target) {
        case .success(let segments): Issue.record("\(target) was accepted as \(segments)")
        case .failure(let problem): #expect(problem.status == status, "\(target)")
        }
    }

    @Test func servesTheSiteWithTypesAndHeadersAndNothingOutsideIt() throws {
        let (workspace, session) = try Self.session()
        defer {
            session.stop()
            workspace.remove()
        }
        session.start()
        let port = session.server.port
        #expect(try RawHTTP.get(port: port, "/").status == 503, "a page says it is building until the first build")
        session.rebuild()
        #expect(session.current == .site)

        let page = try RawHTTP.get(port: port, "/acme-it/contoso/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["content-security-policy"] == SecurityHeaders.contentSecurityPolicy)
        #expect(page.headers["x-content-type-options"] == "nosniff")
        #expect(try RawHTTP.get(port: port, "/acme-it").headers["location"] == "/acme-it/", "folders are served at …/")
        #expect(try RawHTTP.get(port: port, "/").text.contains("href=\"acme-it/\""))

        let stylesheet = try #require(workspace.files(under: "public/acme-it").first { $0.hasSuffix(".css") })
        #expect(try RawHTTP.get(port: port, "/acme-it/" + stylesheet).headers["content-type"] == "text/css; charset=utf-8")
        let month = try #require(workspace.files(under: "public/acme-it/contoso").first { $0.hasSuffix("summary.json") })
        #expect(try RawHTTP.get(port: port, "/acme-it/contoso/" + month).headers["content-type"] == "application/json")
        let head = try RawHTTP.get(port: port, "/acme-it/index.html", method: "HEAD")
        #expect(head.status == 200 && head.body.isEmpty && Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        #expect(try RawHTTP.get(port: port, "/acme-it/", method: "POST").status == 405)

        // A link inside the output that points outside it is not followed.
        try FileManager.default.createSymbolicLink(atPath: workspace.root.appendingPathComponent("public/acme-it/escape").path, withDestinationPath: "/etc")
        #expect(try RawHTTP.get(port: port, "/acme-it/escape/passwd").status == 404)
        #expect(try RawHTTP.get(port: port, "/acme-it/../../../etc/passwd").status == 400)
        #expect(try RawHTTP.get(port: port, "/acme-it/%2e%2e/%2e%2e/%2e%2e/etc/passwd").status == 400)
        #expect(try RawHTTP.get(port: port, "/acme-it/missing.html").status == 404)
    }

    @Test func aBrokenConfigShowsItsErrorsEscapedUntilFixed() throws {
        let (workspace, session) = try Self.session()
        defer {
            session.stop()
            workspace.remove()
        }
        session.start()
        session.rebuild()
        #expect(!session.rebuildIfChanged(), "nothing changed")

        let good = try #require(workspace.text("sitegen.yml"))
        try workspace.write(Data((good + "\n\"<script>alert(1)</script>\": x\n").utf8), to: "sitegen.yml")
        #expect(session.rebuildIfChanged())
        let failed = try RawHTTP.get(port: session.server.port, "/acme-it/index.html")
        #expect(failed.status == 500)
        #expect(failed.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!failed.text.contains("<script>"))
        #expect(failed.text.contains("sitegen.yml") && failed.text.contains("line 6"), "\(failed.text)")

        try workspace.write(Data(good.utf8), to: "sitegen.yml")
        #expect(session.rebuildIfChanged())
        #expect(try RawHTTP.get(port: session.server.port, "/acme-it/index.html").status == 200)

        // A theme change is noticed too.
        try workspace.write(Data("extends: default\ncolors: {primary: \"not-a-color\"}\n".utf8), to: "themes/x/theme.yml")
        try workspace.write(Data(good.replacingOccurrences(of: "  - id: acme-it\n", with: "  - id: acme-it\n    theme: themes/x\n").utf8), to: "sitegen.yml")
        #expect(session.rebuildIfChanged())
        #expect(try RawHTTP.get(port: session.server.port, "/acme-it/").text.contains("not-a-color"))
        try workspace.write(Data("extends: default\n".utf8), to: "themes/x/theme.yml")
        #expect(session.rebuildIfChanged())
        #expect(try RawHTTP.get(port: session.server.port, "/acme-it/").status == 200)
    }
}
