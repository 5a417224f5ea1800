import Foundation
import ReportArchive
import ReportModel
import SiteBuild
import Testing

@Suite("Archive: later builds read only new files and re-render only changed clients")
struct ArchiveBuildTests {
    private static func workspace() throws -> FixtureWorkspace {
        var files: [String: String] = [:]
        for (path, text) in SiteBuildTests.blueTheme { files[path] = text }
        return try FixtureWorkspace(config: SiteBuildTests.config, reports: SiteBuildTests.reports(), files: files)
    }

    private static func tree(_ workspace: FixtureWorkspace, _ folder: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: workspace.files(under: folder).map { ($0, workspace.text("\(folder)/\($0)") ?? "<binary>") })
    }

    @Test func aSecondBuildReadsNoFileAndCarriesEveryClientOver() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        let first = try workspace.build(archive: .workspace)
        #expect(first.filesRead == 8)
        #expect(first.clientsReused == 0)
        let before = Self.tree(workspace, "public")

        let second = try workspace.build(archive: .workspace)
        #expect(second.filesRead == 0)
        #expect(second.filesKnown == 8)
        #expect(second.reportsAdded == 0)
        #expect(second.uniqueReports == first.uniqueReports)
        #expect(second.clients == 3)
        #expect(second.clientsReused == 3)
        #expect(second.pages == first.pages)
        #expect(second.exitCode == 0, "the broken file was reported by the run that read it")
        #expect(Self.tree(workspace, "public") == before)
    }

    @Test func oneNewReportReRendersOnlyItsClientAndMatchesAFullBuild() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build(archive: .workspace)
        let f = ReportFactory.self
        let late = f.report(org: "Mail.Ru", id: "m-1", begin: f.december2025 + 86_400 * 20, domain: "fabrikam.example",
                            records: [f.record(ip: "192.0.2.99", count: 33, from: "fabrikam.example", dkim: .fail, spf: .fail)])
        try workspace.write(f.xml(late), to: "reports/late/mailru.xml")

        let before = try ["blue", "acme-it", "acme-it/contoso", "acme-it/fabrikam"].map { try Self.inode(workspace, "public/\($0)") }
        let incremental = try workspace.build(archive: .workspace)
        #expect(incremental.filesRead == 1)
        #expect(incremental.reportsAdded == 1)
        #expect(incremental.clientsReused == 2, "contoso and northwind are carried over, fabrikam is rendered")
        #expect(incremental.sitesReplaced == 1, "the portfolio")
        #expect(incremental.sitesUpdated == 1 && incremental.clientFoldersReplaced == 1, "fabrikam's folder in acme-it")
        #expect(incremental.sitesUnchanged == 1, "blue")
        let after = try ["blue", "acme-it", "acme-it/contoso", "acme-it/fabrikam"].map { try Self.inode(workspace, "public/\($0)") }
        #expect(after[0...2] == before[0...2], "the other sites and clients are left in place")
        #expect(after[3] != before[3], "fabrikam's folder is swapped in whole")
        let full = try workspace.build(out: "public-full")
        #expect(full.filesRead == 9)
        #expect(Self.tree(workspace, "public") == Self.tree(workspace, "public-full"))
        #expect(workspace.text("public/acme-it/fabrikam/2025-12/summary.json")?.contains("\"messages\" : 1267") == true)
    }

    @Test func aFullBuildLinksTheFilesWhoseBytesDidNotChangeAndWritesTheOthers() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        let first = try workspace.build()
        #expect(first.filesKept == 0, "nothing to keep in a new output folder")
        let kept = "public/acme-it/contoso/2025-12/records.csv"
        let changed = "public/acme-it/fabrikam/2025-12/records.csv"
        let before = try [kept, changed].map { try Self.inode(workspace, $0) }
        let f = ReportFactory.self
        let late = f.report(org: "Mail.Ru", id: "m-1", begin: f.december2025 + 86_400 * 20, domain: "fabrikam.example",
                            records: [f.record(ip: "192.0.2.99", count: 33, from: "fabrikam.example", dkim: .fail, spf: .fail)])
        try workspace.write(f.xml(late), to: "reports/late/mailru.xml")

        let second = try workspace.build()
        #expect(second.clientsReused == 0, "without an archive every client is rendered")
        #expect(second.filesKept > 0 && second.filesKept < second.filesWritten)
        #expect(try Self.inode(workspace, kept) == before[0], "contoso's records are linked from the current version")
        #expect(try Self.inode(workspace, changed) != before[1], "fabrikam's records are written anew")
        #expect(workspace.text(changed)?.contains("192.0.2.99") == true)
        _ = try workspace.build(out: "public-fresh")
        #expect(Self.tree(workspace, "public") == Self.tree(workspace, "public-fresh"))
    }

    @Test func aResellerLeftOutOfTheConfigAndStrayEntriesLeaveTheOutput() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build(archive: .workspace)
        try workspace.write(Data("left by hand".utf8), to: "public/stray.txt")
        let second = try workspace.build(archive: .workspace)
        #expect(second.sitesReplaced == 0 && second.sitesUnchanged == 3)
        #expect(workspace.data("public/stray.txt") == nil, "the output holds only what the build produced")

        let withoutBlue = try #require(SiteBuildTests.config.components(separatedBy: "  - id: blue").first)
        try workspace.write(Data(withoutBlue.utf8), to: "sitegen.yml")
        let third = try workspace.build(archive: .workspace)
        #expect(third.resellers == 1)
        #expect(!FileManager.default.fileExists(atPath: workspace.root.appendingPathComponent("public/blue").path))
        #expect(workspace.files(under: "public").allSatisfy { !$0.hasPrefix("blue/") })
        #expect(workspace.text("public/acme-it/index.html") != nil)

        let withoutContoso = withoutBlue.replacingOccurrences(of: "contoso.example, contoso.co.jp", with: "fabrikam.co.jp")
            .replacingOccurrences(of: "id: contoso", with: "id: tailspin")
        try workspace.write(Data(withoutContoso.utf8), to: "sitegen.yml")
        let fourth = try workspace.build(archive: .workspace)
        #expect(fourth.sitesReplaced == 2, "acme-it lost a client folder and gained one: swapped in whole, with the portfolio")
        #expect(!FileManager.default.fileExists(atPath: workspace.root.appendingPathComponent("public/acme-it/contoso").path))
        #expect(workspace.text("public/acme-it/tailspin/index.html") != nil)
    }

    /// The ingest runs while the config loads: a broken config stops the build before the
    /// output is written, and the archive keeps the reports the ingest added.
    @Test func aBrokenConfigWritesNoOutputButTheReportsAreArchived() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        try workspace.write(Data("resellers: [".utf8), to: "sitegen.yml")
        #expect(throws: BuildSetupError.self) { try workspace.build(archive: .workspace) }
        #expect(!workspace.exists("public"))

        try workspace.write(Data(SiteBuildTests.config.utf8), to: "sitegen.yml")
        let fixed = try workspace.build(archive: .workspace)
        #expect(fixed.filesRead == 0 && fixed.filesKnown == 8, "the failed run ingested every file")
        #expect(fixed.uniqueReports == 5)
        #expect(fixed.clients == 3)
    }

    private static func inode(_ workspace: FixtureWorkspace, _ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.root.appendingPathComponent(path).path)
        return try #require(attributes[.systemFileNumber] as? UInt64)
    }

    @Test func aCopiedFileIsKnownByItsBytesAndAChangedConfigReRendersAll() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build(archive: .workspace)
        try workspace.write(try #require(workspace.data("reports/fabrikam.xml")), to: "reports/copies/fabrikam-copy.xml")
        try workspace.write(Data((SiteBuildTests.config + "\n# edited\n").utf8), to: "sitegen.yml")

        let report = try workspace.build(archive: .workspace)
        #expect(report.filesRead == 0)
        #expect(report.filesKnown == 9)
        #expect(report.duplicates.isEmpty)
        #expect(report.clientsReused == 0, "a config change can change any page")
    }

    @Test func renderingFromTheArchiveAloneGivesTheSameSite() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        _ = try workspace.build(archive: .workspace)
        try FileManager.default.removeItem(at: workspace.root.appendingPathComponent("reports"))
        let fromArchive = try workspace.build(out: "public-archive", archive: .workspace, ingest: false)
        #expect(fromArchive.filesRead == 0)
        #expect(fromArchive.uniqueReports == 5)
        #expect(fromArchive.uniqueTLSReports == 1)
        #expect(Self.tree(workspace, "public") == Self.tree(workspace, "public-archive"),
                "the month pages, downloads and portfolio come from the archive, not from the files")
    }

    /// `sitegen ingest` is killed (SIGKILL) after its first transactions: the archive holds
    /// whole batches only, and the next run completes it with exactly the totals of one
    /// uninterrupted run: nothing lost, nothing counted twice.
    @Test(.enabled(if: PublishTestTools.sitegenBinary != nil, "needs the sitegen executable built beside the tests"))
    func aKilledIngestKeepsWholeBatchesAndTheNextRunCompletesIt() throws {
        let binary = try #require(PublishTestTools.sitegenBinary)
        var reports: [String: Data] = [:]
        let f = ReportFactory.self
        for index in 0..<1_000 {
            let report = f.report(id: "bulk-\(index)", begin: f.december2025 + Int64(index % 28) * 86_400,
                                  records: [f.record(ip: "192.0.2.\(index % 250)", count: index + 1)])
            reports[String(format: "bulk/%04d.xml", index)] = f.xml(report)
        }
        let workspace = try FixtureWorkspace(config: SiteBuildTests.config, reports: reports)
        defer { workspace.remove() }
        let archive = workspace.root.appendingPathComponent(".sitegen/archive.sqlite")

        let process = try SpawnedProcess(binary.path, ["ingest", "--workspace", workspace.root.path, "--batch-size", "10"])
        defer { process.kill() }
        let deadline = Date().addingTimeInterval(60)
        var committed = 0
        // Opened once the child made it; each poll is then one cheap read of the latest commit.
        var watcher: SQLiteReportStore?
        while process.isRunning && Date() < deadline {
            if watcher == nil, FileManager.default.fileExists(atPath: archive.path) {
                watcher = try? SQLiteReportStore(readingPath: archive.path)
            }
            if let counts = try? watcher?.counts(), counts.files >= 20 {
                kill(process.pid, SIGKILL)
                break
            }
            usleep(500)
        }
        process.kill()
        #expect(process.endedBySignal, "the ingest finished before it could be killed")
        let afterKill = try SQLiteReportStore(path: archive.path).counts()
        committed = afterKill.files
        #expect(committed % 10 == 0, "only whole batches are committed")
        #expect(afterKill.reports == committed, "each committed file brought its one report, no half-written file")

        let resumed = try SiteBuilder(options: BuildOptions(
            workspace: workspace.root, builtinThemes: FixtureWorkspace.builtinThemes, archive: .workspace)).ingest()
        #expect(resumed.run.filesKnown == committed)
        #expect(resumed.run.filesRead == 1_000 - committed)
        #expect(resumed.run.added.duplicates.isEmpty)
        #expect(resumed.archive.reports == 1_000)
        #expect(resumed.archive.files == 1_000)
    }
}
