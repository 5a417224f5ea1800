import Foundation
import ReportArchive
import ReportModel
import SiteBuild
import Testing

/// A batch is read in groups of files on all cores; what a run gives must not depend on how
/// the files fall into groups: copies within a batch are read (their reports are duplicates),
/// copies in a later batch are known by their bytes, broken and empty files are skipped.
@Suite("Archive: ingest in groups of files")
struct ArchiveIngestGroupTests {
    /// Reports in three folders and the reports folder itself, more files than a few groups.
    private static func reportsFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-groups-\(UUID().uuidString)")
        let f = ReportFactory.self
        for index in 0..<90 {
            let report = f.report(id: "r-\(index)", begin: f.december2025 + Int64(index) * 86_400,
                                  records: [f.record(count: index + 1)])
            let subfolder = ["a", "b", "c", ""][index % 4]
            let file = folder.appendingPathComponent(subfolder).appendingPathComponent(String(format: "r%03d.xml", index))
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try f.xml(report).write(to: file)
        }
        // Copies: of a report in another folder (the same group of 32 files), and of one that
        // sorts far earlier (another group; an earlier batch when batches are small).
        try Data(contentsOf: folder.appendingPathComponent("b/r001.xml")).write(to: folder.appendingPathComponent("a/r001-copy.xml"))
        try Data(contentsOf: folder.appendingPathComponent("a/r000.xml")).write(to: folder.appendingPathComponent("r999-copy.xml"))
        try Data("<feedback>".utf8).write(to: folder.appendingPathComponent("c/broken.xml"))
        try Data().write(to: folder.appendingPathComponent("c/empty.xml"))
        return folder
    }

    private static func ingest(
        _ folder: URL, batchSize: Int, batchBytes: Int64 = 1 << 40
    ) throws -> (run: ArchiveIngestResult, archive: ArchiveCounts) {
        let store = try SQLiteReportStore()
        var ingester = ArchiveIngester(store: store)
        ingester.batchSize = batchSize
        ingester.batchBytes = batchBytes
        return (try ingester.ingest(folder: folder), try store.counts())
    }

    @Test func oneBatchReadsEveryCopy() throws {
        let folder = try Self.reportsFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (run, archive) = try Self.ingest(folder, batchSize: 1_000)
        #expect(run.filesRead == 94)
        #expect(run.filesKnown == 0)
        #expect(run.reportsRead == 92)
        #expect(run.added.addedReports == 90)
        // Committed in path order: the copy in "a" is kept, the original in "b" is the duplicate.
        #expect(run.added.duplicates.map(\.dropped.file).sorted() == ["b/r001.xml", "r999-copy.xml"])
        #expect(run.skippedFiles.map(\.file) == ["c/broken.xml", "c/empty.xml"])
        #expect(archive.files == 94 && archive.reports == 90 && archive.skippedFiles == 2)
    }

    /// Batches bounded by bytes: a file larger than the bound is a batch of its own, and
    /// the copies fall into later batches, as with small batches of files.
    @Test func batchesBoundedByBytesCommitEveryFileOnce() throws {
        let folder = try Self.reportsFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (run, archive) = try Self.ingest(folder, batchSize: 1_000, batchBytes: 1)
        #expect(run.filesRead == 92)
        #expect(run.filesKnown == 2)
        #expect(run.added.addedReports == 90)
        #expect(run.skippedFiles.map(\.file) == ["c/broken.xml", "c/empty.xml"])
        #expect(archive.files == 94 && archive.reports == 90 && archive.skippedFiles == 2)
    }

    @Test func aCopyInALaterBatchIsKnownByItsBytes() throws {
        let folder = try Self.reportsFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // "a/r001-copy.xml" is in the first batch, "b/r001.xml" in the third; "r999-copy.xml"
        // sorts last, "a/r000.xml" first.
        let (run, archive) = try Self.ingest(folder, batchSize: 10)
        #expect(run.filesRead == 92)
        #expect(run.filesKnown == 2)
        #expect(run.reportsRead == 90)
        #expect(run.added.addedReports == 90)
        #expect(run.added.duplicates.isEmpty)
        #expect(run.skippedFiles.map(\.file) == ["c/broken.xml", "c/empty.xml"])
        #expect(archive.files == 94 && archive.reports == 90 && archive.skippedFiles == 2)
    }
}
