import Foundation
import SiteBuild
import Testing

@Suite("Unguessable client folders")
struct PrivateFolderTests {
    static let config = """
        resellers:
          - id: acme-it
            base_url: https://reports.acme-it.example/
            private_client_folders: true
            clients:
              - id: contoso
                domains: [contoso.example]
        """

    static func reports() -> [String: Data] {
        ["r.xml": ReportFactory.xml(ReportFactory.report(id: "p-1", records: [ReportFactory.record(count: 5)]))]
    }

    @Test func folderNamesComeFromTheSecretAndStayStable() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.reports(),
                                             files: ["secrets/client-folder.key": "0123456789abcdef-first-secret"])
        defer { workspace.remove() }
        _ = try workspace.build(out: "one")
        _ = try workspace.build(out: "two")
        let folders = workspace.files(under: "one/acme-it").compactMap { path -> String? in
            path.hasSuffix("/index.html") && path.split(separator: "/").count == 2 ? String(path.split(separator: "/")[0]) : nil
        }.filter { $0.hasPrefix("contoso") }
        #expect(folders.count == 1)
        let folder = try #require(folders.first)
        #expect(folder.count == "contoso-".count + 20)
        #expect(!workspace.exists("one/acme-it/contoso"))
        #expect(workspace.exists("two/acme-it/\(folder)/index.html"), "the same secret gives the same folder")
        let links = workspace.text("one/_portfolio/client-links.csv") ?? ""
        #expect(links.contains("acme-it,contoso,\(folder),https://reports.acme-it.example/\(folder)/"))
        #expect(!(workspace.text("one/acme-it/index.html") ?? "").contains(folder), "the landing page does not reveal it")

        try workspace.write(Data("another-secret-0123456789".utf8), to: "secrets/client-folder.key")
        _ = try workspace.build(out: "three")
        #expect(!workspace.exists("three/acme-it/\(folder)"), "another secret gives another folder")
    }

    @Test func aMissingSecretStopsTheBuildWithInstructions() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.reports())
        defer { workspace.remove() }
        do {
            _ = try workspace.build()
            Issue.record("built without a secret")
        } catch {
            #expect(error.description.contains("head -c 32 /dev/urandom"))
        }
    }
}
