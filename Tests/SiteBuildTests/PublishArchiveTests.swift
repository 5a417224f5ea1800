import Foundation
import SiteBuild
import Testing

@Suite("Publish: archive target", .timeLimit(.minutes(1)))
struct PublishArchiveTests {
    static var files: [String: String] {
        var files = ["index.html": "<h1>home</h1>", "assets/style.0123456789.css": "body{}", "_headers": "/*\n", ".htaccess": "x"]
        // Longer than ustar's 100-byte name field, to exercise the prefix and pax records.
        files["contoso/2026-01/" + String(repeating: "sub-domain.", count: 8) + "example/index.html"] = "long"
        files[String(repeating: "a", count: 120) + "/" + String(repeating: "b", count: 120) + ".html"] = "very long"
        return files
    }

    @Test(arguments: ["site.tar.gz", "site.zip"])
    func theSameSiteGivesTheSameBytes(_ name: String) throws {
        let workspace = try PublishWorkspace(publish: "target: archive\npath: dist/\(name)")
        defer { workspace.remove() }
        try workspace.build(Self.files)
        let first = try workspace.publish()
        #expect(first.changes.added == Self.files.keys.sorted())
        let archive = workspace.url("dist/\(name)")
        let bytes = try Data(contentsOf: archive)

        // Same content, new file times: the archive must not change.
        try workspace.build(Self.files)
        let again = try workspace.publish()
        #expect(again.changes.isEmpty)
        #expect(try Data(contentsOf: archive) == bytes)

        var changed = Self.files
        changed["index.html"] = "<h1>home v2</h1>"
        changed["new.txt"] = "new"
        changed["_headers"] = nil
        try workspace.build(changed)
        let dryRun = try workspace.publish(dryRun: true)
        #expect(dryRun.changes.added == ["new.txt"] && dryRun.changes.updated == ["index.html"] && dryRun.changes.removed == ["_headers"])
        #expect(try Data(contentsOf: archive) == bytes, "a dry run writes nothing")
        let update = try workspace.publish()
        #expect(update.changes.added == ["new.txt"] && update.changes.updated == ["index.html"] && update.changes.removed == ["_headers"])
        try expectExtracts(archive, to: changed)
    }

    /// The system's own tools read the archive back to exactly the site.
    private func expectExtracts(_ archive: URL, to files: [String: String]) throws {
        let folder = try SiteTree.temporaryFolder("extract")
        defer { try? FileManager.default.removeItem(at: folder) }
        if archive.path.hasSuffix(".tar.gz") {
            let tar = try #require(PublishTestTools.path("tar"))
            let listing = try runTool(tar, ["-tzvf", archive.path])
            #expect(listing.status == 0)
            let lines = listing.output.split(separator: "\n")
            #expect(lines.allSatisfy { $0.contains(" 0/0 ") && $0.contains("1980-01-01 00:00") }, "owner 0:0 and one fixed time: \(listing.output)")
            #expect(try runTool(tar, ["-xzf", archive.path, "-C", folder.path]).status == 0)
        } else if let python = PublishTestTools.path("python3") {
            let script = "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])"
            let result = try runTool(python, ["-c", script, archive.path, folder.path])
            #expect(result.status == 0, "\(result.output)")
        } else {
            return
        }
        #expect(SiteTree.read(folder, ignoring: []) == files)
    }

    @Test func refusesAPathWithoutAnArchiveEnding() throws {
        #expect {
            try WorkspaceConfigReader().parse(PublishConfigTests.config(publish: "{target: archive, path: dist/site.rar}"), file: "sitegen.yml")
        } throws: { error in
            "\(error)".contains("sitegen.yml:4") && "\(error)".contains("resellers[0].publish.path") && "\(error)".contains(".tar.gz")
        }
    }
}
