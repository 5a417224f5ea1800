import Foundation
import ReportArchive
import ReportModel
import SiteBuild
import Testing

/// gzip-compressed XML reports are read straight into their stored form after inflating;
/// the archive must hold exactly what it holds for the same reports as plain files, and every
/// compressed file the direct reader cannot take (another kind inside, a refusal, junk before
/// the report) must still be loaded, or skipped with its reason, as before.
@Suite("Archive: compressed reports read straight as their plain files are")
struct CompressedReportIngestTests {
    private static let f = ReportFactory.self

    private static func reports() -> [AggregateReport] {
        (0..<40).map { index in
            f.report(org: ["google.com", "Yahoo", "Enterprise Outlook"][index % 3], id: "gz-\(index)",
                     begin: f.december2025 + Int64(index) * 86_400,
                     records: (0...(index % 4)).map { f.record(ip: "192.0.2.\($0 + 1)", count: index + $0 + 1) })
        }
    }

    /// The reports as plain files, or compressed; CR LF line ends in every third one.
    private static func folder(compressed: Bool) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gz-ingest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, report) in reports().enumerated() {
            var xml = f.xml(report)
            if index % 3 == 0 { xml = Data(String(decoding: xml, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8) }
            let name = String(format: "r%03d.xml", index)
            if compressed {
                try Inflater.gzip(xml).write(to: folder.appendingPathComponent(name + ".gz"))
            } else {
                try xml.write(to: folder.appendingPathComponent(name))
            }
        }
        return folder
    }

    private static func ingest(_ folder: URL) throws -> (run: ArchiveIngestResult, reports: [AggregateReport]) {
        let store = try SQLiteReportStore()
        var ingester = ArchiveIngester(store: store)
        let run = try ingester.ingest(folder: folder)
        let reports = try store.reports([.subtree("contoso.example")]).reports.sorted { $0.metadata.reportID < $1.metadata.reportID }
        return (run, reports)
    }

    @Test func compressedReportsAreStoredAsTheirPlainFiles() throws {
        let plain = try Self.folder(compressed: false)
        let packed = try Self.folder(compressed: true)
        defer {
            try? FileManager.default.removeItem(at: plain)
            try? FileManager.default.removeItem(at: packed)
        }
        let fromPlain = try Self.ingest(plain)
        let fromPacked = try Self.ingest(packed)
        #expect(fromPlain.reports.count == 40)
        #expect(fromPacked.reports == fromPlain.reports)
        #expect(fromPacked.reports == Self.reports().sorted { $0.metadata.reportID < $1.metadata.reportID })
        #expect(fromPacked.run.reportsRead == 40 && fromPacked.run.added.addedReports == 40)
        #expect(fromPacked.run.skippedFiles.isEmpty)
    }

    /// What the direct reader leaves to the loader: the loader's outcome for each.
    @Test func compressedFilesTheDirectReaderDeclinesAreLoadedAsBefore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gz-declined-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = Self.f.report(id: "junk-first", records: [Self.f.record(count: 7)])
        let files: [(String, Data)] = [
            // Read by the loader's second try, past the unclosed element before <feedback>.
            ("junk.xml.gz", Inflater.gzip(Data("<?xml version=\"1.0\"?><junk>".utf8) + Self.f.xml(report))),
            ("broken.xml.gz", Inflater.gzip(Data("<feedback><report_metadata>".utf8))),
            ("text.gz", Inflater.gzip(Data("not a report".utf8))),
            ("truncated.xml.gz", Inflater.gzip(Self.f.xml(report)).prefix(40)),
        ]
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        let (run, reports) = try Self.ingest(folder)
        #expect(reports.map(\.metadata.reportID) == ["junk-first"])
        #expect(run.skippedFiles.map(\.file).sorted() == ["broken.xml.gz", "text.gz", "truncated.xml.gz"])
        let loader = ReportLoader()
        for (name, data) in files {
            let expected = loader.load(data, as: name)
            let skipped = run.skippedFiles.first { $0.file == name }
            #expect((skipped == nil) == !expected.reports.isEmpty, "\(name)")
        }
    }
}
