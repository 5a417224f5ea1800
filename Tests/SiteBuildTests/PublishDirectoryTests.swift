import Foundation
import SiteBuild
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A workspace with one reseller whose built root (`public/acme-it`) the test writes itself:
/// publishing reads only the config and that folder.
struct PublishWorkspace {
    let root: URL

    init(publish: String) throws {
        root = try SiteTree.temporaryFolder("publish")
        let config = """
            resellers:
              - id: acme-it
                publish:
            \(publish.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
                clients:
                  - id: contoso
                    domains: [contoso.example]
            """
        try Data(config.utf8).write(to: root.appendingPathComponent("sitegen.yml"))
    }

    var site: URL { root.appendingPathComponent("public/acme-it") }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// Replaces the built root with these files.
    func build(_ files: [String: String]) throws {
        try? FileManager.default.removeItem(at: site)
        try SiteTree.write(files, to: site)
    }

    func publish(dryRun: Bool = false, rollback: Bool = false) throws -> PublishResult {
        let publisher = Publisher(options: PublishOptions(workspace: root, dryRun: dryRun, rollback: rollback))
        let jobs = try publisher.plan()
        guard jobs.count == 1, let job = jobs.first else { throw ToolFailure(description: "expected one publish job, got \(jobs.count)") }
        return try publisher.run(job)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

@Suite("Publish: dir target", .timeLimit(.minutes(1)))
struct PublishDirectoryTests {
    static let first = ["index.html": "<h1>v1</h1>", "contoso/index.html": "contoso v1", "assets/style.0123456789.css": "body{}", "old.txt": "old"]
    static let second = ["index.html": "<h1>v2</h1>", "contoso/index.html": "contoso v1", "assets/style.0123456789.css": "body{}", "new.txt": "new"]

    @Test func publishSwapsTheFolderInAndKeepsThePreviousVersionForRollback() throws {
        let workspace = try PublishWorkspace(publish: "target: dir\npath: www/site")
        defer { workspace.remove() }
        let live = workspace.url("www/site")

        try workspace.build(Self.first)
        let initial = try workspace.publish()
        #expect(initial.changes.added == Self.first.keys.sorted())
        #expect(SiteTree.read(live) == Self.first)

        try workspace.build(Self.second)
        let dryRun = try workspace.publish(dryRun: true)
        #expect(dryRun.changes.added == ["new.txt"] && dryRun.changes.updated == ["index.html"] && dryRun.changes.removed == ["old.txt"])
        #expect(SiteTree.read(live) == Self.first, "a dry run changes nothing")

        let update = try workspace.publish()
        #expect(update.changes.added == ["new.txt"])
        #expect(update.changes.updated == ["index.html"])
        #expect(update.changes.removed == ["old.txt"])
        #expect(update.changes.unchanged == 2)
        #expect(update.changes.bytes == Int64("<h1>v2</h1>".utf8.count + "new".utf8.count))
        #expect(SiteTree.read(live) == Self.second)
        #expect(SiteTree.read(workspace.url("www/site.previous")) == Self.first)
        #expect(!FileManager.default.fileExists(atPath: workspace.url("www/site.staging").path))

        let unchanged = try workspace.publish()
        #expect(unchanged.changes.isEmpty)
        #expect(SiteTree.read(workspace.url("www/site.previous")) == Self.first, "an unchanged site keeps the previous version")

        let rollback = try workspace.publish(rollback: true)
        #expect(rollback.changes.updated == ["index.html"] && rollback.changes.added == ["old.txt"])
        #expect(SiteTree.read(live) == Self.first)
        _ = try workspace.publish(rollback: true)
        #expect(SiteTree.read(live) == Self.second, "a second rollback undoes the first")
    }

    @Test func refusesToReplaceAFolderSitegenDidNotPublish() throws {
        let workspace = try PublishWorkspace(publish: "target: dir\npath: www")
        defer { workspace.remove() }
        try SiteTree.write(["other-site/index.html": "someone else's"], to: workspace.url("www"))
        try workspace.build(Self.first)
        #expect {
            try workspace.publish()
        } throws: { error in
            "\(error)".contains("[publish dir]") && "\(error)".contains("sitegen did not publish")
        }
        #expect(SiteTree.read(workspace.url("www")) == ["other-site/index.html": "someone else's"])
    }

    @Test func tellsToBuildFirstWhenTheSiteIsMissing() throws {
        let workspace = try PublishWorkspace(publish: "target: dir\npath: www/site")
        defer { workspace.remove() }
        #expect {
            try Publisher(options: PublishOptions(workspace: workspace.root)).plan()
        } throws: { error in
            "\(error)".contains("run `sitegen build")
        }
    }

    /// The publish runs in a child `sitegen` process that is killed (SIGKILL) while it writes
    /// the new version: the live folder must still hold the old site, whole, and the next
    /// publish must clear the leftover and succeed.
    @Test(.enabled(if: PublishTestTools.sitegenBinary != nil, "needs the sitegen executable built beside the tests"))
    func aKillInTheMiddleLeavesTheOldSiteWhole() throws {
        let binary = try #require(PublishTestTools.sitegenBinary)
        let workspace = try PublishWorkspace(publish: "target: dir\npath: www/site")
        defer { workspace.remove() }
        let live = workspace.url("www/site")
        let staging = workspace.url("www/site.staging")
        try workspace.build(Self.first)
        _ = try workspace.publish()

        // Enough files that copying them takes far longer than one poll below.
        var large: [String: String] = [:]
        for index in 0..<1_000 { large["contoso/2026-\(index % 12 + 1)/page-\(index).html"] = "page \(index)\n" }
        large["index.html"] = "<h1>v2</h1>"
        try workspace.build(large)

        let process = try SpawnedProcess(binary.path, ["publish", "--workspace", workspace.root.path])
        defer { process.kill() }
        let deadline = Date().addingTimeInterval(30)
        var sawWriting = false
        while process.isRunning && Date() < deadline {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: staging.appendingPathComponent("contoso").path)) ?? []
            if entries.count >= 2 {
                kill(process.pid, SIGKILL)
                sawWriting = true
                break
            }
            usleep(500)
        }
        process.kill()
        #expect(sawWriting, "the publish finished before it could be killed mid-write")
        #expect(process.endedBySignal)
        #expect(FileManager.default.fileExists(atPath: staging.path), "killed while writing the staging folder")
        #expect(SiteTree.read(live) == Self.first, "the live site is the old one, whole")

        let retry = try workspace.publish()
        #expect(retry.changes.added.count == 1_000)
        #expect(SiteTree.read(live) == large)
        #expect(SiteTree.read(workspace.url("www/site.previous")) == Self.first)
        #expect(!FileManager.default.fileExists(atPath: staging.path))
    }
}
