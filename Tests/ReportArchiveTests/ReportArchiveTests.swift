import Foundation
import GRDB
@testable import ReportArchive
import ReportModel
import SyntheticReports
import Testing

enum ArchiveCorpus {
    static let root: URL? = {
        let url = URL(fileURLWithPath: #filePath).appendingPathComponent("../../../../shared/corpus").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()
}

@Suite("Archive: stored reports read back unchanged")
struct ReportCodecTests {
    @Test func syntheticReportsRoundTrip() throws {
        let output = try SyntheticWorkspace(spec: .demo()).generate()
        #expect(output.files.count > 1_000)
        for file in output.files {
            #expect(try ReportCodec.decodeAggregate(ReportCodec.encode(file.report)) == file.report)
        }
        for file in output.tlsFiles {
            #expect(try ReportCodec.decodeTLS(ReportCodec.encode(file.report)) == file.report)
        }
    }

    /// Every report of the real corpus, with its unknown words, missing fields, IPv6 and
    /// non-ASCII text, survives the round trip.
    @Test(.enabled(if: ArchiveCorpus.root != nil, "../shared/corpus is not present"))
    func realCorpusReportsRoundTrip() throws {
        let root = try #require(ArchiveCorpus.root)
        let loader = ReportLoader()
        var checked = 0
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted()
        for path in paths {
            let url = root.appendingPathComponent(path)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let load = loader.load(contentsOf: url, as: path)
            for loaded in load.reports {
                #expect(try ReportCodec.decodeAggregate(ReportCodec.encode(loaded.report)) == loaded.report, "\(path)")
                checked += 1
            }
            for loaded in load.tlsReports {
                #expect(try ReportCodec.decodeTLS(ReportCodec.encode(loaded.report)) == loaded.report, "\(path)")
                checked += 1
            }
        }
        #expect(checked > 150)
    }

    @Test func damagedBytesAreRefusedNotTrusted() throws {
        let report = AggregateReport(
            schema: .rfc7489, version: nil,
            metadata: ReportMetadata(orgName: "Org", email: "a@b", reportID: "1", dateRange: DateRange(begin: 0, end: 1)),
            policy: PublishedPolicy(domain: "contoso.example"),
            records: [ReportRecord(sourceIP: "192.0.2.1", count: 3, disposition: .none, dkimAligned: .pass, spfAligned: .fail, headerFrom: "contoso.example")])
        let bytes = ReportCodec.encode(report)
        #expect(throws: BinaryDecodingError.self) { try ReportCodec.decodeAggregate(Array(bytes.dropLast(3))) }
        #expect(throws: BinaryDecodingError.self) { try ReportCodec.decodeAggregate(bytes + [0]) }
        #expect(throws: BinaryDecodingError.self) { try ReportCodec.decodeAggregate([1, 0xff, 0xff, 0xff, 0xff, 0x0f]) }
    }
}

@Suite("Archive: the SQLite store")
struct SQLiteReportStoreTests {
    static func report(org: String = "Google", id: String, headerFrom: [String]) -> AggregateReport {
        AggregateReport(
            schema: .rfc7489, version: "1.0",
            metadata: ReportMetadata(orgName: org, email: "noreply@example.net", reportID: id, dateRange: DateRange(begin: 1_764_547_200, end: 1_764_633_599)),
            policy: PublishedPolicy(domain: headerFrom.first ?? "", p: PolicyAction.none),
            records: headerFrom.enumerated().map { index, domain in
                ReportRecord(sourceIP: "192.0.2.\(index)", count: index + 1, disposition: .none, dkimAligned: .pass, spfAligned: .pass, headerFrom: domain)
            })
    }

    static func file(_ path: String, _ reports: [AggregateReport], modified: Int64 = 1) -> IngestedFile {
        var load = FileLoad(file: path)
        load.reports = reports.enumerated().map { index, report in
            LoadedReport(source: ReportSource(file: path, entries: reports.count > 1 ? ["entry-\(index).xml"] : []), report: report)
        }
        return IngestedFile(path: path, stamp: FileStamp(size: 100, modified: modified), contentHash: "hash-\(path)-\(modified)", outcome: .loaded(load))
    }

    /// In write-ahead logging only a copy of the log (a checkpoint) writes the archive file, so
    /// its size tells whether one ran. The background copy starts after a commit and the writer
    /// does not wait for it; past its own limit the writer copies before its commit returns.
    @Test(arguments: [true, false])
    func theLogIsCopiedIntoTheArchiveFileInTheBackgroundOrPastItsLimitByTheWriter(background: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-log-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("archive.sqlite").path
        func fileSize() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let limits = background
            ? WALCheckpointer.Limits(background: 4, writer: .max) : WALCheckpointer.Limits(background: .max, writer: 4)
        let store = try SQLiteReportStore(path: path, logCopies: limits)
        let before = try fileSize()
        for index in 0..<5 {
            _ = try store.commit([Self.file("r\(index).xml", [Self.report(id: "\(index)", headerFrom: ["contoso.example"])])])
        }
        if background { store.waitForLogCopy() }
        #expect(try fileSize() > before, "the log was copied into the file while the store is open")
        #expect(try store.counts().reports == 5)

        // Another connection reads what was committed.
        let reader = try SQLiteReportStore(readingPath: path)
        #expect(try reader.counts().reports == 5)
    }

    @Test func theArchiveTotalGrowsWithEachReportAddedOnce() throws {
        let store = try SQLiteReportStore()
        let first = Self.report(id: "1", headerFrom: ["contoso.example"])
        let second = Self.report(org: "Yahoo", id: "2", headerFrom: ["fabrikam.example"])
        _ = try store.commit([Self.file("a.xml", [first])])
        _ = try store.commit([Self.file("b.xml", [second, first])])
        #expect(try store.countedTotal() == first.messageCount + second.messageCount, "the copy of the first report is not counted")
    }

    @Test func aReportKeptOnceWithTheCopiesListedAsDuplicates() throws {
        let store = try SQLiteReportStore()
        let first = try store.commit([Self.file("a.xml", [Self.report(id: "1", headerFrom: ["contoso.example"])])])
        #expect(first.addedReports == 1)
        let second = try store.commit([
            Self.file("b.zip", [Self.report(id: "1", headerFrom: ["contoso.example"]), Self.report(id: "2", headerFrom: ["contoso.example"])]),
        ])
        #expect(second.addedReports == 1)
        #expect(second.duplicates.map(\.dropped.description) == ["b.zip ▸ entry-0.xml"])
        #expect(second.duplicates.map(\.kept.description) == ["a.xml"])

        // The same file changed on disk and read again: its report is not a copy of itself.
        let again = try store.commit([Self.file("a.xml", [Self.report(id: "1", headerFrom: ["contoso.example"])], modified: 2)])
        #expect(again.addedReports == 0)
        #expect(again.duplicates.isEmpty)
        let counts = try store.counts()
        #expect(counts.reports == 2)
        #expect(counts.files == 2)
        #expect(counts.duplicates == 1)
        #expect(try store.knownFiles()["a.xml"] == FileStamp(size: 100, modified: 2))
    }

    /// parsedmarc rewrites org_name and report_id; its copy and the reporter's XML must still
    /// count once, whichever is ingested first, while two reporter copies must agree exactly.
    @Test(arguments: [true, false])
    func aParsedmarcCopyAndTheReportersXMLCountOnce(parsedmarcFirst: Bool) throws {
        let store = try SQLiteReportStore()
        let original = Self.report(org: "Outlook.com", id: "<8c3d9f@protection.outlook.com>", headerFrom: ["contoso.example"])
        var copy = Self.report(org: "outlook.com", id: "8c3d9f", headerFrom: ["contoso.example"])
        copy.origin = .parsedmarc
        let files = [Self.file("a-xml/report.xml", [original]), Self.file("b-parsedmarc/aggregate.json", [copy])]
        let first = try store.commit([parsedmarcFirst ? files[1] : files[0]])
        let second = try store.commit([parsedmarcFirst ? files[0] : files[1]])
        #expect(first.addedReports == 1)
        #expect(second.addedReports == 0)
        #expect(second.duplicates.count == 1)
        #expect(try store.counts().reports == 1)
        let kept = try store.reports([.subtree("contoso.example")]).reports
        #expect(kept.map(\.origin) == [parsedmarcFirst ? .parsedmarc : .reporter], "the archived copy keeps where it came from")

        // A reporter report whose id merely looks the same in parsedmarc's form is another report.
        let lookalike = Self.report(org: "Outlook.com", id: "<8c3d9f@other.example>", headerFrom: ["contoso.example"])
        let third = try store.commit([Self.file("c-xml/other.xml", [lookalike])])
        #expect(third.addedReports == (parsedmarcFirst ? 0 : 1), "only a parsedmarc copy meets reports in its rewritten form")
    }

    @Test func selectsADomainWithItsSubdomainsButNotLookAlikes() throws {
        let store = try SQLiteReportStore()
        _ = try store.commit([
            Self.file("1.xml", [Self.report(id: "own", headerFrom: ["contoso.example"])]),
            Self.file("2.xml", [Self.report(id: "sub", headerFrom: ["News.Contoso.Example."])]),
            Self.file("3.xml", [Self.report(id: "lookalike", headerFrom: ["notcontoso.example"])]),
            Self.file("4.xml", [Self.report(id: "suffix-trap", headerFrom: ["contoso.example.evil.example"])]),
            Self.file("5.xml", [Self.report(id: "mixed", headerFrom: ["fabrikam.example", "contoso.example"])]),
        ])
        let subtree = try store.reports([.subtree("contoso.example")]).reports.map(\.metadata.reportID)
        #expect(subtree == ["own", "sub", "mixed"])
        let exact = try store.reports([.exact("contoso.example")]).reports.map(\.metadata.reportID)
        #expect(exact == ["own", "mixed"])
        #expect(try store.dataVersion([.subtree("fabrikam.example")]) == DataVersion(reports: 1, lastReport: 5))
        #expect(try store.domains() == ["contoso.example", "contoso.example.evil.example", "fabrikam.example", "news.contoso.example", "notcontoso.example"])
    }

    @Test func anArchiveFileKeepsItsReportsAcrossOpenings() throws {
        let (folder, path) = try Self.newArchiveFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let store = try SQLiteReportStore(path: path)
            _ = try store.commit([Self.file("a.xml", [Self.report(id: "1", headerFrom: ["contoso.example"])])])
            try store.saveRenderRecords(scope: "/out", [("r", "c", RenderRecord(fingerprint: "f", pages: 3, summary: [1, 2]))])
        }
        let reopened = try SQLiteReportStore(path: path)
        #expect(try reopened.counts().reports == 1)
        #expect(try reopened.reports([.subtree("contoso.example")]).reports == [Self.report(id: "1", headerFrom: ["contoso.example"])])
        #expect(try reopened.renderRecord(scope: "/out", reseller: "r", client: "c") == RenderRecord(fingerprint: "f", pages: 3, summary: [1, 2]))
        #expect(try reopened.renderRecord(scope: "/elsewhere", reseller: "r", client: "c") == nil)
    }

    @Test func anArchiveOfANewerSchemaIsLeftAloneWithTheReason() throws {
        let (folder, path) = try Self.newArchiveFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let store = try SQLiteReportStore(path: path)
            _ = try store.commit([Self.file("a.xml", [Self.report(id: "1", headerFrom: ["contoso.example"])])])
        }
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        }
        for open in [SQLiteReportStore.init(path:), SQLiteReportStore.init(readingPath:)] {
            let error = #expect(throws: ArchiveError.self) { try open(path) }
            #expect(error?.reason == "the archive was written by a newer sitegen (schema v9-from-the-future); use that version or a newer one")
        }
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v9-from-the-future'")
        }
        #expect(try SQLiteReportStore(path: path).counts().reports == 1)
    }

    @Test func anArchiveOfSchemaV1IsMigratedWithEveryReport() throws {
        let (folder, path) = try Self.newArchiveFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reports = [
            Self.report(id: "1", headerFrom: ["contoso.example"]),
            Self.report(org: "Yahoo", id: "2", headerFrom: ["contoso.example", "fabrikam.example"]),
        ]
        do {
            // What a sitegen of schema v1 wrote: the bodies inside the report rows.
            let v1 = try DatabaseQueue(path: path)
            try ArchiveSchema.migrator.migrate(v1, upTo: "v1")
            try v1.write { db in
                for (index, report) in reports.enumerated() {
                    try db.execute(
                        sql: """
                            INSERT INTO report (kind, org_name, report_id, begin, "end", counted, transcription_key, transcribed, source_file, source_entries, body)
                            VALUES ('dmarc', ?, ?, ?, ?, ?, NULL, 0, ?, x'00', ?)
                            """,
                        arguments: [report.metadata.orgName, report.metadata.reportID, report.metadata.dateRange.begin,
                                    report.metadata.dateRange.end, report.messageCount, "\(index).xml", Data(ReportCodec.encode(report))])
                    let id = db.lastInsertedRowID
                    for domain in Set(report.records.map(\.headerFrom)) {
                        try db.execute(sql: "INSERT INTO report_domain (domain_key, report) VALUES (?, ?)", arguments: [DomainKey.key(domain), id])
                    }
                }
            }
        }
        let migrated = try SQLiteReportStore(path: path)
        #expect(try migrated.counts().reports == 2)
        #expect(try migrated.countedTotal() == reports.reduce(0) { $0 + $1.messageCount })
        #expect(try migrated.reports([.subtree("contoso.example")]).reports == reports)
        #expect(try migrated.reports([.subtree("fabrikam.example")]).reports == [reports[1]])
    }

    /// Files an older sitegen ingested are looked at on every run until their first bytes
    /// show they are finished report files; files that gave no report stay unsettled.
    @Test func anArchiveOfSchemaV2KeepsItsFilesUnsettledUntilTheyAreClassified() throws {
        let (folder, path) = try Self.newArchiveFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let v2 = try DatabaseQueue(path: path)
            try ArchiveSchema.migrator.migrate(v2, upTo: "v2-report-body")
            try v2.write { db in
                for (file, reports, knownContent, problems, hash) in [
                    ("google/2025-12/a.xml", 1, false, "", "h1"), ("broken.xml", 0, false, "not XML", "h2"),
                    ("copies/b.xml", 0, true, "", "h3"), ("unreadable.xml", 0, false, "cannot read", ""),
                ] {
                    try db.execute(
                        sql: "INSERT INTO input_file (path, size, modified, content_hash, reports, known_content, problems) VALUES (?, 10, 1, ?, ?, ?, ?)",
                        arguments: [file, hash, reports, knownContent, problems])
                }
            }
        }
        #expect(SQLiteReportStore.needsMigration(path: path))
        let migrated = try SQLiteReportStore(path: path)
        #expect(!SQLiteReportStore.needsMigration(path: path))
        #expect(!SQLiteReportStore.needsMigration(path: folder.appendingPathComponent("none.sqlite").path))
        let memory = try #require(try migrated.listingMemory())
        #expect(memory.folders.isEmpty)
        #expect(Set(memory.unsettledFiles.keys) == ["google/2025-12/a.xml", "broken.xml", "copies/b.xml", "unreadable.xml"])
        #expect(memory.unclassifiedFiles == ["google/2025-12/a.xml", "copies/b.xml"])

        try migrated.settle([(path: "google/2025-12/a.xml", inode: 7, settled: true), (path: "copies/b.xml", inode: 8, settled: false)])
        #expect(try migrated.settledFiles(inFolder: "google/2025-12") == [7: "google/2025-12/a.xml"])
        let settled = try #require(try migrated.listingMemory())
        #expect(Set(settled.unsettledFiles.keys) == ["broken.xml", "copies/b.xml", "unreadable.xml"])
        #expect(settled.unclassifiedFiles.isEmpty)

        let stamp = FolderStamp(device: 1, inode: 2, modified: 3, changed: 4)
        try migrated.remember(folders: ["": RememberedFolder(stamp: .readAgain, files: 2), "google/2025-12": RememberedFolder(stamp: stamp, files: 1)])
        #expect(try migrated.listingMemory()?.folders["google/2025-12"] == RememberedFolder(stamp: stamp, files: 1))
        #expect(try migrated.listingMemory()?.folders[""]?.stamp == .readAgain)
    }

    /// The hashes and transcription keys an older sitegen stored are found by their lookup
    /// numbers, worked out when the archive is migrated, as those of files and reports added since.
    @Test func anArchiveOfSchemaV3FindsItsContentsAndTranscriptionsByTheirLookupKeys() throws {
        let (folder, path) = try Self.newArchiveFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = Self.report(org: "Outlook.com", id: "<8c3d9f@protection.outlook.com>", headerFrom: ["contoso.example"])
        let tls = Self.report(org: "Yahoo", id: "tls-1", headerFrom: ["fabrikam.example"])
        do {
            let v3 = try DatabaseQueue(path: path)
            try ArchiveSchema.migrator.migrate(v3, upTo: "v3-listing-memory")
            try v3.write { db in
                try db.execute(sql: """
                    INSERT INTO input_file (path, size, modified, content_hash, reports, known_content, problems, folder, inode, settled)
                    VALUES ('a-xml/report.xml', 100, 1, 'hash-a', 1, 0, '', 'a-xml', 5, 1), ('b.json', 100, 1, 'hash-b', 1, 0, '', '', 6, 1)
                    """)
                for (kind, report, transcription) in [("dmarc", original, Transcription(original.identity, transcribed: false).key), ("tls", tls, nil)] {
                    try db.execute(
                        sql: """
                            INSERT INTO report (kind, org_name, report_id, begin, "end", counted, transcription_key, transcribed, source_file, source_entries)
                            VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'a-xml/report.xml', x'00')
                            """,
                        arguments: [kind, report.metadata.orgName, report.metadata.reportID, report.metadata.dateRange.begin,
                                    report.metadata.dateRange.end, report.messageCount, transcription])
                    try db.execute(sql: "INSERT INTO report_body (report, body) VALUES (?, ?)", arguments: [db.lastInsertedRowID, Data(ReportCodec.encode(report))])
                }
                try db.execute(sql: "UPDATE archive_total SET counted = ?", arguments: [original.messageCount + tls.messageCount])
            }
        }
        #expect(SQLiteReportStore.needsMigration(path: path))
        let migrated = try SQLiteReportStore(path: path)
        #expect(try migrated.knownContents(["hash-a", "hash-b", "hash-c"]) == ["hash-a", "hash-b"])
        #expect(try migrated.counts() == ArchiveCounts(files: 2, reports: 1, tlsReports: 1, duplicates: 0, skippedFiles: 0))

        // parsedmarc's copy of the migrated report meets it through its transcription key.
        var copy = original
        copy.origin = .parsedmarc
        let result = try migrated.commit([Self.file("c-parsedmarc/aggregate.json", [copy])])
        #expect(result.addedReports == 0)
        #expect(result.duplicates.map(\.kept.file) == ["a-xml/report.xml"])
        #expect(try migrated.knownContents(["hash-c-parsedmarc/aggregate.json-1"]) == ["hash-c-parsedmarc/aggregate.json-1"])
        #expect(try migrated.countedTotal() == original.messageCount + tls.messageCount)

        // Rows as a sitegen of v3 writes them, without the lookup numbers, are refused.
        let v3Writer = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) {
            try v3Writer.write { db in
                try db.execute(sql: """
                    INSERT INTO input_file (path, size, modified, content_hash, reports, known_content, problems, folder, inode, settled)
                    VALUES ('d.xml', 100, 1, 'hash-d', 1, 0, '', '', 7, 1)
                    """)
            }
        }
        #expect(throws: DatabaseError.self) {
            try v3Writer.write { db in
                try db.execute(sql: """
                    INSERT INTO report (kind, org_name, report_id, begin, "end", counted, transcription_key, transcribed, source_file, source_entries)
                    VALUES ('dmarc', 'Org', 'new', 0, 1, 1, '3:orgnew', 1, 'd.xml', x'00')
                    """)
            }
        }
        #expect(try migrated.counts() == ArchiveCounts(files: 3, reports: 1, tlsReports: 1, duplicates: 1, skippedFiles: 0))
    }

    /// A new temporary folder and the path of an archive file in it (not created yet).
    static func newArchiveFile() throws -> (folder: URL, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-archive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (folder, folder.appendingPathComponent("archive.sqlite").path)
    }

    /// Clients whose selections overlap: a report covering two domains of one client, a report
    /// under a domain and its subdomain, nested subtrees, an exact domain, a client with nothing.
    static func overlappingArchive(at path: String? = nil) throws -> SQLiteReportStore {
        let store = try path.map(SQLiteReportStore.init(path:)) ?? SQLiteReportStore()
        _ = try store.commit([
            file("1.xml", [report(id: "two-domains", headerFrom: ["contoso.example", "fabrikam.example"])]),
            file("2.xml", [report(id: "sub", headerFrom: ["news.contoso.example"])]),
            file("3.xml", [report(id: "domain-and-sub", headerFrom: ["contoso.example", "news.contoso.example"])]),
            file("4.xml", [report(id: "other", headerFrom: ["northwind.example"])]),
            file("5.xml", [report(id: "lookalike", headerFrom: ["notcontoso.example", "contoso.example.evil.example"])]),
            file("6.xml", [report(id: "shared", headerFrom: ["fabrikam.example", "northwind.example"])]),
        ])
        try store.saveRenderRecords(scope: "/out", [
            ("r", "a", RenderRecord(fingerprint: "fa", pages: 3, summary: [1])),
            ("r", "b", RenderRecord(fingerprint: "fb", pages: 2, summary: [])),
        ])
        try store.saveRenderRecords(scope: "/elsewhere", [("r", "a", RenderRecord(fingerprint: "other", pages: 9, summary: [9]))])
        return store
    }

    static let overlappingClients = [
        ClientDataQuery(reseller: "r", client: "a", selections: [.subtree("contoso.example"), .subtree("fabrikam.example")]),
        ClientDataQuery(reseller: "r", client: "b", selections: [.subtree("northwind.example")]),
        ClientDataQuery(reseller: "r", client: "nested", selections: [.subtree("contoso.example"), .subtree("news.contoso.example")]),
        ClientDataQuery(reseller: "r", client: "exact", selections: [.exact("contoso.example"), .subtree("fabrikam.example")]),
        ClientDataQuery(reseller: "s", client: "a", selections: [.subtree("nobody.example")]),
        ClientDataQuery(reseller: "s", client: "none", selections: []),
    ]

    /// In memory (one connection) and in a file (a pool of readers, read on several threads).
    @Test(arguments: [false, true])
    func renderStatesReadTogetherEqualTheReadsPerClient(inFile: Bool) throws {
        let (folder, path) = try Self.newArchiveFile()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Self.overlappingArchive(at: inFile ? path : nil)
        let perClient = try Self.overlappingClients.map { client in
            ClientRenderState(
                data: try store.dataVersion(client.selections),
                record: try store.renderRecord(scope: "/out", reseller: client.reseller, client: client.client))
        }
        let together = try store.renderStates(scope: "/out", clients: Self.overlappingClients)
        #expect(together == perClient)
        #expect(try PerClientStore(store).renderStates(scope: "/out", clients: Self.overlappingClients) == perClient)
        #expect(together.map(\.data) == [
            DataVersion(reports: 4, lastReport: 6), DataVersion(reports: 2, lastReport: 6), DataVersion(reports: 3, lastReport: 3),
            DataVersion(reports: 3, lastReport: 6), DataVersion(reports: 0, lastReport: 0), DataVersion(reports: 0, lastReport: 0),
        ])
        #expect(together.map(\.record?.fingerprint) == ["fa", "fb", nil, nil, nil, nil])
    }

    @Test func domainsOutsideSubtreesLeaveOutOnlyThoseSubtrees() throws {
        let store = try Self.overlappingArchive()
        let all = try store.domains()
        #expect(try store.domains(outside: []) == all)
        #expect(try store.domains(outside: ["contoso.example"])
                == ["contoso.example.evil.example", "fabrikam.example", "northwind.example", "notcontoso.example"])
        #expect(try store.domains(outside: ["news.contoso.example", "northwind.example", "contoso.example", "example"]) == [])
        for subtrees in [["news.contoso.example"], ["fabrikam.example", "news.contoso.example", "contoso.example"], ["evil.example", "nobody.example"]] {
            #expect(try store.domains(outside: subtrees) == PerClientStore(store).domains(outside: subtrees), "\(subtrees)")
        }
    }
}

/// Forwards the requirements a store must implement and nothing else, so the protocol's own
/// versions of the batched reads run.
private struct PerClientStore: ReportStore {
    let base: SQLiteReportStore

    init(_ base: SQLiteReportStore) { self.base = base }

    func knownFiles() throws -> [String: FileStamp] { try base.knownFiles() }
    func knownContents(_ hashes: Set<String>) throws -> Set<String> { try base.knownContents(hashes) }
    func commit(prepared files: [PreparedFile]) throws -> CommitResult { try base.commit(prepared: files) }
    func reports(_ selections: [DomainSelection]) throws -> ArchivedReports { try base.reports(selections) }
    func dataVersion(_ selections: [DomainSelection]) throws -> DataVersion { try base.dataVersion(selections) }
    func domains() throws -> [String] { try base.domains() }
    func counts() throws -> ArchiveCounts { try base.counts() }
    func countedTotal() throws -> Int { try base.countedTotal() }
    func reportCount(beginningAtOrAfter time: Int64) throws -> Int { try base.reportCount(beginningAtOrAfter: time) }
    func renderRecord(scope: String, reseller: String, client: String) throws -> RenderRecord? {
        try base.renderRecord(scope: scope, reseller: reseller, client: client)
    }
    func saveRenderRecords(scope: String, _ records: [(reseller: String, client: String, record: RenderRecord?)]) throws {
        try base.saveRenderRecords(scope: scope, records)
    }
}
