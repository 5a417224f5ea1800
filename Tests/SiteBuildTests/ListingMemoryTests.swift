import Foundation
import ReportArchive
import ReportModel
import SiteBuild
import Testing

@Suite("Listing memory: later runs look only at folders that changed and files that may grow")
struct ListingMemoryTests {
    /// A reports folder and its archive file.
    private struct Fixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-listing-\(UUID().uuidString)")
        var reports: URL { root.appendingPathComponent("reports") }

        init() throws {
            try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        }

        func write(_ data: Data, _ path: String) throws {
            let url = reports.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }

        /// Writes into the existing file (same inode), as a mail fetcher appending to an mbox.
        func writeInPlace(_ data: Data, _ path: String, append: Bool) throws {
            let handle = try FileHandle(forWritingTo: reports.appendingPathComponent(path))
            defer { try? handle.close() }
            if append { try handle.seekToEnd() } else { try handle.truncate(atOffset: 0) }
            try handle.write(contentsOf: data)
        }

        func inode(_ path: String) throws -> UInt64 {
            let attributes = try FileManager.default.attributesOfItem(atPath: reports.appendingPathComponent(path).path)
            return try #require(attributes[.systemFileNumber] as? UInt64)
        }

        func store() throws -> SQLiteReportStore {
            try SQLiteReportStore(path: root.appendingPathComponent("archive.sqlite").path)
        }

        /// One run. `settled`: the clock is ahead, so every folder counts as settled.
        func ingest(rescan: Bool = false, settled: Bool = true) throws -> ArchiveIngestResult {
            var ingester = ArchiveIngester(store: try store())
            ingester.rescan = rescan
            if settled { ingester.clock = { Date() + 60 } }
            // A folder's times advance in ticks of the kernel's clock: the test's next change
            // must fall in a later tick, as it would on a real machine between runs.
            defer { Thread.sleep(forTimeInterval: 0.03) }
            return try ingester.ingest(folder: reports)
        }

        func remove() {
            try? FileManager.default.removeItem(at: root)
        }
    }

    private static func report(_ id: String, count: Int) -> Data {
        let f = ReportFactory.self
        return f.xml(f.report(id: id, records: [f.record(count: count)]))
    }

    /// An mbox of messages that each carry one report as their text/xml body.
    private static func mboxMessage(_ id: String, count: Int) -> Data {
        var text = "From reports@google.example Mon Dec  1 00:00:00 2025\n"
        text += "From: noreply-dmarc-support@google.example\nSubject: Report domain: contoso.example Report-ID: \(id)\n"
        text += "MIME-Version: 1.0\nContent-Type: text/xml\n\n"
        text += String(decoding: report(id, count: count), as: UTF8.self) + "\n\n"
        return Data(text.utf8)
    }

    @Test func anUnchangedFolderIsNotReadAgainAndNewFilesInAnyFolderAreFound() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.write(Self.report("r-1", count: 1), "google/one.xml")
        try fixture.write(Self.report("r-2", count: 2), "nested/deeper/two.xml")
        try fixture.write(Data("<feedback><report_metadata>".utf8), "nested/broken.xml")
        let first = try fixture.ingest()
        #expect(first.filesRead == 3 && first.added.addedReports == 2)
        let remembered = try #require(try fixture.store().listingMemory())
        #expect(Set(remembered.folders.keys) == ["", "google", "nested", "nested/deeper"])
        #expect(remembered.folders.values.allSatisfy { $0.stamp != .readAgain })
        #expect(Set(remembered.unsettledFiles.keys) == ["nested/broken.xml"], "a file that gave no report is looked at every run")
        #expect(try fixture.store().settledFiles(inFolder: "nested/deeper").values.sorted() == ["nested/deeper/two.xml"])

        let second = try fixture.ingest()
        #expect(second.filesRead == 0)
        #expect(second.filesKnown == 3, "remembered folders still count their files")
        #expect(second.skippedFiles.isEmpty, "the broken file was reported by the run that read it")

        try fixture.write(Self.report("r-3", count: 3), "google/three.xml")
        try fixture.write(Self.report("r-4", count: 4), "nested/deeper/deepest/four.xml")
        let third = try fixture.ingest()
        #expect(third.filesRead == 2)
        #expect(third.filesKnown == 3)
        #expect(third.added.addedReports == 2)

        try fixture.writeInPlace(Self.report("r-5", count: 5), "nested/broken.xml", append: false)
        let fourth = try fixture.ingest()
        #expect(fourth.filesRead == 1, "a file that gave no report is read again once it changed, though its folder did not")
        #expect(fourth.added.addedReports == 1)
        #expect(try fixture.store().counts().reports == 5)
    }

    @Test func anMboxThatGrowsInPlaceIsReadAgain() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.write(Self.mboxMessage("m-1", count: 1), "mail/inbox.mbox")
        let first = try fixture.ingest()
        #expect(first.added.addedReports == 1)
        #expect(try fixture.store().listingMemory()?.unsettledFiles.keys.sorted() == ["mail/inbox.mbox"])

        try fixture.writeInPlace(Self.mboxMessage("m-2", count: 2), "mail/inbox.mbox", append: true)
        let second = try fixture.ingest()
        #expect(second.filesRead == 1)
        #expect(second.added.addedReports == 1, "only the new message's report is new")
        #expect(second.added.duplicates.isEmpty, "the first message's report keeps its name once the mbox has two")

        try fixture.writeInPlace(Self.mboxMessage("m-3", count: 3), "mail/inbox.mbox", append: true)
        let third = try fixture.ingest()
        #expect(third.added.addedReports == 1)
        #expect(third.added.duplicates.isEmpty)
    }

    @Test func aFinishedReportReplacedByRenameIsReadAndOneRewrittenInPlaceIsFoundByRescan() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.write(Self.report("r-1", count: 1), "google/one.xml")
        try fixture.write(Self.report("r-2", count: 2), "google/two.xml")
        _ = try fixture.ingest()

        let before = try fixture.inode("google/one.xml")
        try Self.report("r-3", count: 3).write(to: fixture.reports.appendingPathComponent("google/one.xml"), options: .atomic)
        #expect(try fixture.inode("google/one.xml") != before)
        let renamed = try fixture.ingest()
        #expect(renamed.filesRead == 1 && renamed.added.addedReports == 1)

        try fixture.writeInPlace(Self.report("r-4", count: 4), "google/two.xml", append: false)
        let inPlace = try fixture.ingest()
        #expect(inPlace.filesRead == 0, "a finished report file is taken as read while its name and inode stay")
        let rescan = try fixture.ingest(rescan: true)
        #expect(rescan.filesRead == 1)
        #expect(rescan.added.addedReports == 1)
        #expect(try fixture.store().counts().reports == 4)
    }

    @Test func aFolderChangedJustBeforeTheRunOrWithProblemsIsReadAgainNextTime() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.write(Self.report("r-1", count: 1), "google/one.xml")
        try fixture.write(Self.report("r-2", count: 2), "links/two.xml")
        try FileManager.default.createSymbolicLink(
            at: fixture.reports.appendingPathComponent("links/link.xml"), withDestinationURL: fixture.reports.appendingPathComponent("links/two.xml"))
        _ = try fixture.ingest(settled: false)
        let memory = try #require(try fixture.store().listingMemory())
        #expect(memory.folders["google"]?.stamp == .readAgain, "another change within the same tick would keep its stamp")

        _ = try fixture.ingest()
        let settled = try #require(try fixture.store().listingMemory())
        #expect(settled.folders["google"]?.stamp != .readAgain)
        #expect(settled.folders["links"]?.stamp == .readAgain, "its link is reported on every run")
        let third = try fixture.ingest()
        #expect(third.skippedFiles.map(\.file) == ["links/link.xml"])
    }
}
