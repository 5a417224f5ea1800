import Foundation
import ReportModel
import SiteBuild
import SyntheticReports
import Testing

/// The same synthetic reports read as bare files, as an mbox, as a Maildir and as parsedmarc
/// output must give the same totals per domain and month.
@Suite("Mail exports and parsedmarc output")
struct MailExportIngestTests {
    // MARK: mbox and Maildir

    @Test func mboxAndMaildirIngestWithTheSameTotalsAsTheBareFiles() throws {
        let output = try MailExportFixture.output
        let export = SyntheticMailExport(seed: 7)
        let folder = try TemporaryFolder()
        defer { folder.remove() }

        let bare = try folder.ingest("bare", output.allFiles)
        #expect(bare.problems.isEmpty)
        #expect(bare.duplicates.isEmpty)
        #expect(bare.unique.count == output.files.count && bare.uniqueTLS.count == output.tlsFiles.count)
        let expected = Totals(bare)
        #expect(!expected.dmarc.isEmpty && !expected.tls.isEmpty)

        let messages = export.messages(for: output)
        #expect(messages.contains { $0.reportPaths.count > 1 })
        #expect(messages.contains { $0.usesCRLF } && messages.contains { !$0.usesCRLF })
        let mboxrd = try folder.ingest("mboxrd", [("export/reports.mbox", export.mbox(for: output, format: .mboxrd))])
        let mboxo = try folder.ingest("mboxo", [("reports", export.mbox(for: output, format: .mboxo))])
        let maildir = try folder.ingest("maildir", export.maildir(for: output).map { ("Maildir/" + $0.relativePath, $0.bytes) })

        for (name, ingest) in [("mboxrd", mboxrd), ("mboxo", mboxo), ("Maildir", maildir)] {
            #expect(ingest.problems.isEmpty, "\(name): \(ingest.problems.prefix(3))")
            #expect(ingest.duplicates.isEmpty, "\(name): \(ingest.duplicates.prefix(3))")
            #expect(ingest.unique.count == bare.unique.count, "\(name)")
            #expect(ingest.uniqueTLS.count == bare.uniqueTLS.count, "\(name)")
            #expect(Totals(ingest) == expected, "\(name)")
        }
        #expect(mboxrd.files.count == 1)
        #expect(maildir.files.count == messages.count)
        #expect(maildir.files.allSatisfy { !$0.file.contains("/tmp/") && ($0.file.contains("/cur/") || $0.file.contains("/new/")) })
        #expect(maildir.files.contains { $0.file.hasPrefix("Maildir/.DMARC/") })
    }

    @Test func everyReportInAnMboxNamesItsMessageAndAttachment() throws {
        let output = try MailExportFixture.output
        let export = SyntheticMailExport(seed: 7)
        let messages = export.messages(for: output)
        let load = ReportLoader().load(export.mbox(for: output), as: "reports.mbox")
        let byPath = Dictionary(uniqueKeysWithValues: output.files.map { ($0.report.identity, $0.relativePath) })
        for loaded in load.reports {
            #expect(loaded.source.file == "reports.mbox")
            #expect(loaded.source.entries.count >= 2, "\(loaded.source)")
            let number = try #require(loaded.source.entries.first.flatMap { Int($0.dropFirst("message ".count)) })
            let path = try #require(byPath[loaded.report.identity])
            #expect(messages[number - 1].reportPaths.contains(path))
            #expect(path.hasSuffix("/" + loaded.source.entries[1]), "\(loaded.source)")
        }
        #expect(load.reports.count == output.files.count)
    }

    /// With a file limit below its size the mbox is read from disk message by message.
    @Test func largeMboxIsStreamedMessageByMessage() throws {
        let output = try MailExportFixture.output
        let mbox = SyntheticMailExport(seed: 11).mbox(for: output)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = try folder.write("big.mbox", mbox)
        let largest = SyntheticMailExport(seed: 11).messages(for: output).map(\.bytes.count).max() ?? 0
        #expect(largest < 64 << 10 && mbox.count > 256 << 10)
        let limits = InputLimits(maxFileBytes: 64 << 10)
        let streamed = ReportLoader(limits: limits).load(contentsOf: url, as: "big.mbox")
        let inMemory = ReportLoader().load(mbox, as: "big.mbox")
        #expect(streamed.problems.isEmpty, "\(streamed.problems.prefix(3))")
        #expect(streamed.reports == inMemory.reports)
        #expect(streamed.tlsReports == inMemory.tlsReports)

        let tooSmall = ReportLoader(limits: InputLimits(maxFileBytes: 64 << 10, maxExportBytes: 256 << 10))
            .load(contentsOf: url, as: "big.mbox")
        #expect(tooSmall.reportCount == 0)
        #expect(tooSmall.problems.map(\.reason) == ["the mbox is \(mbox.count) bytes, over the export limit (262144 bytes)"])
    }

    /// parsedmarc's output over the file limit is read from a mapped file, report by report.
    @Test(arguments: ["aggregate.json", "aggregate.csv"])
    func largeParsedmarcOutputIsReadReportByReport(name: String) throws {
        let output = try MailExportFixture.output
        let reports = output.files.map(\.report)
        let data = name.hasSuffix(".json") ? try ParsedmarcOutputWriter.json(reports) : ParsedmarcOutputWriter.csv(reports)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = try folder.write(name, data)
        let limits = InputLimits(maxFileBytes: 256 << 10)
        #expect(data.count > limits.maxFileBytes)
        let large = ReportLoader(limits: limits).load(contentsOf: url, as: name)
        #expect(large.problems.isEmpty, "\(large.problems.prefix(3))")
        #expect(large.reports == ReportLoader().load(contentsOf: url, as: name).reports)
        #expect(large.reports.count == reports.count)

        let refused = ReportLoader(limits: InputLimits(maxFileBytes: 256 << 10, maxExportBytes: 512 << 10)).load(contentsOf: url, as: name)
        #expect(refused.reportCount == 0)
        #expect(refused.problems.first?.reason.hasSuffix("bytes, over the export limit (524288 bytes)") == true)
    }

    @Test func aBadMessageInAnMboxIsAProblemForThatMessageOnly() throws {
        let output = try MailExportFixture.output
        let good = SyntheticMailExport(seed: 3).mbox(for: output)
        // A message whose base64 attachment is broken, and one that holds no report, in the middle.
        let separator = Array("\nFrom MAILER-DAEMON ".utf8)
        let bytes = [UInt8](good)
        let starts = bytes.indices.filter { bytes[$0...].starts(with: separator) }
        let cut = try #require(starts.dropFirst(4).first) + 1
        let broken = """
            From someone@example Thu Jan  1 00:00:00 2026
            From: someone@example
            Subject: broken
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: application/gzip; name="x.xml.gz"
            Content-Transfer-Encoding: base64

            H4sI*not*base64*at*all
            --b--

            From someone@example Thu Jan  1 00:00:00 2026
            From: someone@example
            Subject: hello

            Just a note.


            """
        let mbox = Data(bytes[..<cut] + Array(broken.utf8) + bytes[cut...])
        let load = ReportLoader().load(mbox, as: "mixed.mbox")
        #expect(load.reports.count == output.files.count)
        #expect(load.tlsReports.count == output.tlsFiles.count)
        #expect(load.problems.count == 2)
        let places = load.problems.map(\.source.description)
        #expect(places.allSatisfy { $0.hasPrefix("mixed.mbox ▸ message ") }, "\(places)")
        #expect(Set(places).count == 2)
    }

    // MARK: parsedmarc

    @Test func parsedmarcJSONAndCSVImportGiveTheXMLTotals() throws {
        let output = try MailExportFixture.output
        let reports = output.files.map(\.report)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let xml = try folder.ingest("xml", output.files.map { ($0.relativePath, $0.bytes) })
        let expected = Totals(xml)

        let json = try folder.ingest("json", [("parsedmarc/aggregate.json", ParsedmarcOutputWriter.json(reports))])
        let csv = try folder.ingest("csv", [("parsedmarc/aggregate.csv", ParsedmarcOutputWriter.csv(reports))])
        for (name, ingest) in [("JSON", json), ("CSV", csv)] {
            #expect(ingest.problems.isEmpty, "\(name): \(ingest.problems.prefix(3))")
            #expect(ingest.duplicates.isEmpty, "\(name)")
            #expect(ingest.unique.count == reports.count, "\(name)")
            #expect(ingest.unique.allSatisfy { $0.report.origin == .parsedmarc })
            #expect(Totals(ingest) == expected, "\(name)")
        }
        // Outlook.com and Mail.Ru are written as parsedmarc writes them.
        #expect(json.unique.contains { $0.report.metadata.orgName == "outlook.com" })
        #expect(!json.unique.contains { $0.report.metadata.orgName == "Outlook.com" })
    }

    @Test func theSameReportImportedFromParsedmarcAndReadAsXMLCountsOnce() throws {
        let output = try MailExportFixture.output
        let reports = output.files.map(\.report)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let expected = Totals(try folder.ingest("xml", output.files.map { ($0.relativePath, $0.bytes) }))
        // "0-parsedmarc" sorts before the reporter folders, so the parsedmarc copies are kept.
        for (name, files) in [
            ("first", [("0-parsedmarc/aggregate.json", try ParsedmarcOutputWriter.json(reports))]),
            ("last", [("~parsedmarc/aggregate.csv", ParsedmarcOutputWriter.csv(reports))]),
        ] {
            let both = try folder.ingest(name, files + output.files.map { ($0.relativePath, $0.bytes) })
            #expect(both.problems.isEmpty)
            #expect(both.unique.count == reports.count, "\(name)")
            #expect(both.duplicates.count == reports.count, "\(name)")
            #expect(Totals(both) == expected, "\(name)")
        }
    }
}

/// Per domain and month: the DMARC tallies and report counts, and the TLS sessions and report
/// counts.
private struct Totals: Equatable {
    struct DMARC: Equatable {
        var tally: MessageTally
        var reports: Int
    }

    struct TLS: Equatable {
        var sessions: TLSSessionTally
        var reports: Int
    }

    var dmarc: [DomainMonthKey: DMARC] = [:]
    var tls: [DomainMonthKey: TLS] = [:]

    init(_ ingest: IngestResult) {
        let domains = MailExportFixture.spec.domains.map(\.name)
        var aggregator = ReportAggregator(router: DomainRouter(owners: Dictionary(uniqueKeysWithValues: domains.map { ($0, $0) })))
        for loaded in ingest.unique { aggregator.add(loaded.report) }
        for loaded in ingest.uniqueTLS { aggregator.add(loaded.report) }
        for (_, months) in aggregator.owners {
            for (month, ownerMonth) in months {
                for (domain, domainMonth) in ownerMonth.domains {
                    dmarc[DomainMonthKey(domain: domain, month: month)] = DMARC(
                        tally: domainMonth.tally, reports: domainMonth.reports.count)
                }
                for (domain, tlsMonth) in ownerMonth.tls {
                    tls[DomainMonthKey(domain: domain, month: month)] = TLS(
                        sessions: tlsMonth.sessions, reports: tlsMonth.reports.count)
                }
            }
        }
    }
}

private enum MailExportFixture {
    /// Two months of the demo's contoso.example, with SMTP TLS reports.
    static let spec: SyntheticWorkspaceSpec = {
        var spec = SyntheticWorkspaceSpec.demo()
        spec.domains = [spec.domains[0]]
        spec.firstMonth = ReportMonth(year: 2026, month: 6)
        spec.monthCount = 2
        spec.quirkRate = 0.2
        return spec
    }()

    static let cached = Result { try SyntheticWorkspace(spec: spec).generate() }

    static var output: SyntheticOutput {
        get throws { try cached.get() }
    }
}

private struct TemporaryFolder {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-mail-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ path: String, _ data: Data) throws -> URL {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url
    }

    /// Writes the files below `name/` and reads that folder as a reports folder.
    func ingest(_ name: String, _ files: [(String, Data)]) throws -> IngestResult {
        for (path, data) in files { try write(name + "/" + path, data) }
        return ReportIngester().ingest(folder: root.appendingPathComponent(name))
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
