import Foundation
import Testing
@testable import ReportModel

/// The corpus of real report files beside the repository (`../shared/corpus`), when present.
enum SharedCorpus {
    static let root: URL? = {
        let url = URL(fileURLWithPath: #filePath).appendingPathComponent("../../../../shared/corpus").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()
}

/// Reads every file of the shared corpus of real reports (`../shared/corpus`, not part of the
/// repository): each must give at least one report with records, or be refused with a clear
/// reason. The files expected to be refused are listed here with the reason.
@Suite("Real report corpus", .enabled(if: SharedCorpus.root != nil, "../shared/corpus is not present"))
struct CorpusTests {
    static var corpus: URL? { SharedCorpus.root }

    /// Index files of the corpus itself, not reports.
    static let notReports: Set<String> = ["PROVENANCE.tsv", "README.md", "extracted/EXTRACTED.tsv"]

    static let noAttachment = "no attachment that could hold an aggregate report"

    /// File (relative to the corpus) → a phrase the refusal must contain, and why it is refused.
    static let expectedRefusals: [String: String] = [
        // Broken on purpose upstream.
        "ZeWaren__dmarc-report-milter/tests__dmarc_reports__garbage_string.xml": "not XML",
        "danielsen__dmarc-aggregate-parser/tests__invalid_report.xml": "<report_metadata> is missing",
        "domainaware__parsedmarc/samples__aggregate__invalid_utf_8.xml": "not valid UTF-8",
        "domainaware__parsedmarc/samples__aggregate__invalid_xml.xml": "not escaped",
        "domainaware__parsedmarc/samples__empty.xml": "empty",
        "jorritfolmer__TA-dmarc/bin__dmarc__test__data__fail_rua_xsd.xml": "not a Unix time",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-1.xml": "closing tag does not match",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-1.xml.gz": "closing tag does not match",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-1.xml.zip": "closing tag does not match",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-2.xml": "has no <count>",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-2.xml.gz": "has no <count>",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-2.xml.zip": "has no <count>",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-3.xml": "not a whole number",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-3.xml.gz": "not a whole number",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-3.xml.zip": "not a whole number",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-4.xml": "not XML",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-4.xml.gz": "not XML",
        "stuartmaxwell__dmarc-report/tests__reports__dmarc-invalid-4.xml.zip": "not XML",
        "stuartmaxwell__dmarc-report/tests__reports__multiple-invalid.zip": "closing tag does not match",
        // A corrupt zip, bare and as a mail attachment.
        "ZeWaren__dmarc-report-milter/tests__dmarc_emails__report-with-unreadable-zip.eml": "not XML",
        "extracted/ZeWaren__dmarc-report-milter__tests__dmarc_emails__report-with-unreadable-zip__google.com!example.net!1728777600!1728863999.zip": "not XML",
        // Mails that carry no aggregate report: a plain message, DMARC failure (forensic) and ARF abuse reports.
        "ZeWaren__dmarc-report-milter/tests__dmarc_emails__not-a-dmarc-report.eml": noAttachment,
        "domainaware__parsedmarc/samples__failure__DMARC Failure Report for domain.de (mail-from=sharepoint@domain.de, ip=10.10.10.10).eml": noAttachment,
        "domainaware__parsedmarc/samples__failure__[Netease DMARC Failure Report] Rent Reminder.eml": noAttachment,
        "domainaware__parsedmarc/samples__failure__dmarc_ruf_report_linkedin.crlf.eml": noAttachment,
        "domainaware__parsedmarc/samples__failure__dmarc_ruf_report_linkedin.eml": noAttachment,
        "domainaware__parsedmarc/samples__failure__exim_plain_text_only_no_arf_part.eml": noAttachment,
        "domainaware__parsedmarc/samples__forensic__subject.eml": noAttachment,
        "stalwartlabs__mail-auth/resources__arf__001.eml": noAttachment,
        "stalwartlabs__mail-auth/resources__arf__002.eml": noAttachment,
        "stalwartlabs__mail-auth/resources__arf__003.eml": noAttachment,
        "stalwartlabs__mail-auth/resources__arf__004.eml": noAttachment,
        "stalwartlabs__mail-auth/resources__arf__005.eml": noAttachment,
    ]

    static func corpusFiles() throws -> [String] {
        guard let corpus else { return [] }
        let enumerator = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: [.isRegularFileKey])
        var files: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(corpus.path.count + 1))
            if !notReports.contains(relative) { files.append(relative) }
        }
        return files.sorted()
    }

    @Test func everyFileParsesOrIsRefusedWithItsReason() throws {
        let corpus = try #require(Self.corpus)
        let files = try Self.corpusFiles()
        #expect(files.count > 150)
        let loader = ReportLoader()
        var parsed = 0
        var tls = 0
        for file in files {
            let load = loader.load(contentsOf: corpus.appendingPathComponent(file), as: file)
            if let phrase = Self.expectedRefusals[file] {
                #expect(load.reports.isEmpty, "\(file) was expected to be refused")
                #expect(load.problems.contains { $0.reason.contains(phrase) }, "\(file): \(load.problems)")
            } else {
                #expect(load.reportCount > 0, "\(file) gave no report: \(load.problems)")
                if !load.tlsReports.isEmpty { tls += 1 }
                #expect(load.reports.allSatisfy { !$0.report.records.isEmpty }, "\(file)")
                #expect(load.problems.isEmpty, "\(file): \(load.problems)")
                parsed += 1
            }
        }
        #expect(parsed > 120)
        #expect(tls >= 20, "every SMTP TLS report, bare, gzipped or mailed")
    }

    /// The record and message counts of PROVENANCE.tsv for the files that parse.
    @Test func countsMatchTheProvenanceOfSingleReportFiles() throws {
        let corpus = try #require(Self.corpus)
        let table = try String(contentsOf: corpus.appendingPathComponent("PROVENANCE.tsv"), encoding: .utf8)
        let loader = ReportLoader()
        var checked = 0
        for line in table.split(whereSeparator: \.isNewline).dropFirst() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 9, ["aggregate-xml", "aggregate-gz", "aggregate-zip", "dmarcbis-xml"].contains(columns[5]),
                  let records = Int(columns[8]), Self.expectedRefusals[columns[0]] == nil,
                  let messages = columns[7].firstMatch(of: /messages=(\d+)/).flatMap({ Int($0.1) })
            else { continue }
            let load = loader.load(contentsOf: corpus.appendingPathComponent(columns[0]), as: columns[0])
            guard load.reports.count == 1, let report = load.reports.first?.report else { continue }
            #expect(report.records.count == records, "\(columns[0])")
            #expect(report.messageCount == messages, "\(columns[0])")
            checked += 1
        }
        #expect(checked > 60)
    }
}
