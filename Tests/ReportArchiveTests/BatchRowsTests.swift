import Foundation
import GRDB
@testable import ReportArchive
import ReportModel
import Testing

/// A batch of files committed in one transaction must leave the rows that the same files
/// committed one at a time leave, row ids included: whatever a batch keeps or orders for all
/// its files (statements, bindings) must not change what is written.
@Suite("Archive: a batch leaves the rows of its files committed one by one")
struct BatchRowsTests {
    /// Many files and domain rows, with every kind of file: one or
    /// two reports, of one or two domains, a report repeated from an earlier file, no report
    /// (a problem), and bytes the archive already holds.
    static func files(modified: Int64, count: Int) -> [IngestedFile] {
        (0..<count).map { index in
            let path = String(format: "reseller-%d/file-%03d.xml", index % 3, index)
            if index % 17 == 5 {
                return IngestedFile(path: path, stamp: FileStamp(size: 10, modified: modified), contentHash: "known-\(index)", outcome: .knownContent)
            }
            if index % 13 == 7 {
                var load = FileLoad(file: path)
                load.problems.append(LoadProblem(source: ReportSource(file: path), step: .parse, reason: "not a report"))
                return IngestedFile(path: path, stamp: FileStamp(size: 10, modified: modified), contentHash: "bad-\(index)-\(modified)", outcome: .loaded(load))
            }
            var reports = [SQLiteReportStoreTests.report(id: "\(index)", headerFrom: ["client-\(index % 40).example", "Client-\(index % 40).example."])]
            if index % 4 == 0 {
                reports.append(SQLiteReportStoreTests.report(org: "Yahoo", id: "y\(index)", headerFrom: ["a.example", "mail.b.example", "a.example"]))
            }
            // A copy of an earlier file's report.
            if index % 10 == 9 { reports.append(SQLiteReportStoreTests.report(id: "\(index - 1)", headerFrom: ["client-\((index - 1) % 40).example"])) }
            return SQLiteReportStoreTests.file(path, reports, modified: modified)
        }
    }

    /// Every row of the tables a commit writes, in row id (or key) order.
    static func rows(_ path: String) throws -> [String] {
        let queries = [
            "SELECT rowid, * FROM input_file ORDER BY rowid", "SELECT * FROM report ORDER BY id", "SELECT * FROM report_body ORDER BY report",
            "SELECT * FROM report_domain ORDER BY domain_key, report", "SELECT rowid, * FROM duplicate ORDER BY rowid", "SELECT * FROM archive_total",
        ]
        return try DatabaseQueue(path: path).read { db in
            try queries.flatMap { sql in try Row.fetchAll(db, sql: sql).map { "\(sql.split(separator: " ")[3]) \($0)" } }
        }
    }

    @Test func aBatchLeavesTheRowsItsFilesCommittedOneByOneLeave() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-batch-rows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let togetherPath = folder.appendingPathComponent("together.sqlite").path
        let oneByOnePath = folder.appendingPathComponent("one-by-one.sqlite").path
        // The second run finds the first 90 files changed: their rows are updated in place.
        let runs = [Self.files(modified: 1, count: 200), Self.files(modified: 2, count: 90)]
        var together = CommitResult()
        var oneByOne = CommitResult()
        do {
            let togetherStore = try SQLiteReportStore(path: togetherPath)
            let oneByOneStore = try SQLiteReportStore(path: oneByOnePath)
            for run in runs {
                together.merge(try togetherStore.commit(run))
                for file in run { oneByOne.merge(try oneByOneStore.commit([file])) }
            }
        }
        #expect(together.addedReports > 200 && together.addedReports == oneByOne.addedReports)
        #expect(!together.duplicates.isEmpty)
        #expect(together.duplicates.map(\.dropped) == oneByOne.duplicates.map(\.dropped))
        let rows = try Self.rows(togetherPath)
        #expect(rows.count(where: { $0.hasPrefix("report_domain ") }) > 200)
        #expect(rows == (try Self.rows(oneByOnePath)))
    }
}
