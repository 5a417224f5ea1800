import Foundation
import ReportModel
import SyntheticReports
import Testing

@Suite("mbox splitting")
struct MboxSplitterTests {
    private static let mbox = [
        "From alice@example Thu Jan  1 00:00:00 2026",
        "Subject: one",
        "",
        ">From a quoted line",
        ">>From a line that was quoted already",
        "From a line no writer quoted, not after an empty line",
        ">Frog is not quoting",
        "",
        "From bob@example Fri Jan  2 00:00:00 2026\r",
        "Subject: two\r",
        "\r",
        "body\r",
        "\r",
        "From carol@example Sat Jan  3 00:00:00 2026",
        "Subject: three",
        "",
        "last line without a line feed",
    ].joined(separator: "\n")

    @Test func messagesStartAtFromLinesAfterAnEmptyLineAndQuotingIsUndone() {
        let messages = MboxSplitter.split(Data(Self.mbox.utf8), maxMessageBytes: 1_000)
        #expect(messages.map(\.number) == [1, 2, 3])
        #expect(String(decoding: messages[0].bytes, as: UTF8.self) == """
            Subject: one

            From a quoted line
            >From a line that was quoted already
            From a line no writer quoted, not after an empty line
            >Frog is not quoting


            """)
        // CRLF line ends are kept as they are.
        #expect(String(decoding: messages[1].bytes, as: UTF8.self) == "Subject: two\r\n\r\nbody\r\n\r\n")
        #expect(String(decoding: messages[2].bytes, as: UTF8.self) == "Subject: three\n\nlast line without a line feed")
    }

    @Test(arguments: [1, 2, 7, 64, 4_096])
    func theSameMessagesWhateverTheChunkSize(chunk: Int) {
        let data = Data(Self.mbox.utf8)
        let whole = MboxSplitter.split(data, maxMessageBytes: 1_000)
        var splitter = MboxSplitter(maxMessageBytes: 1_000)
        var pieces: [MboxMessage] = []
        var start = data.startIndex
        while start < data.endIndex {
            let end = min(start + chunk, data.endIndex)
            pieces += splitter.feed(data[start..<end])
            start = end
        }
        pieces += splitter.finish()
        #expect(pieces == whole)
    }

    @Test func aMessageOverTheLimitIsReportedAndTheNextIsKept() {
        let big = String(repeating: "x", count: 200)
        let mbox = "From a@b Thu Jan  1 00:00:00 2026\nSubject: big\n\n\(big)\n\nFrom a@b Thu Jan  1 00:00:00 2026\nSubject: small\n"
        let messages = MboxSplitter.split(Data(mbox.utf8), maxMessageBytes: 100)
        #expect(messages.count == 2)
        #expect(messages[0].isTooLarge && messages[0].bytes.isEmpty && messages[0].size > 200)
        #expect(!messages[1].isTooLarge && messages[1].bytes == Data("Subject: small\n".utf8))

        let load = ReportLoader(limits: InputLimits(maxFileBytes: 100)).load(Data(mbox.utf8), as: "box")
        #expect(load.problems.map(\.description) == [
            "[unmail] box ▸ message 1: the message is \(messages[0].size) bytes, over the message limit (100 bytes)",
            "[unmail] box ▸ message 2: an e-mail with no attachment that could hold an aggregate report (a failure report or an ordinary message?)",
        ])
    }

    @Test func kindsAreDetectedFromTheContent() {
        #expect(InputKind.detect(Data(Self.mbox.utf8)) == .mbox)
        #expect(InputKind.detect(Data("From: a@b\nSubject: x\n".utf8)) == .mail)
        #expect(InputKind.detect(ParsedmarcOutputWriter.csv([])) == .parsedmarcCSV)
        #expect(InputKind.detect(Data("xml_schema,org_name,report_id\n".utf8)) == .unknown)
        #expect(InputKind.detect(Data("\u{FEFF}xml_schema,org_name,org_email,report_id,begin_date,end_date,domain,source_ip_address,count,disposition,header_from\r\n".utf8)) == .parsedmarcCSV)
    }

    /// A saved message with its mbox `From ` line is an mbox of one message, numbered like any
    /// other: mail fetchers append to mboxes, and its report keeps its name when a second comes.
    @Test func aSingleMessageMboxNumbersItsMessage() throws {
        let xml = Fixture.report()
        let mail = "From a@b Thu Jan  1 00:00:00 2026\nFrom: a@b\nContent-Type: text/xml; name=\"r.xml\"\n\n\(xml)\n"
        let load = ReportLoader().load(Data(mail.utf8), as: "saved.eml")
        #expect(load.problems.isEmpty)
        #expect(load.reports.map(\.source.description) == ["saved.eml ▸ message 1 ▸ r.xml"])
    }

    /// The real report e-mails of the shared corpus, put into one mbox (mboxrd quoting), give
    /// the same reports as read one by one.
    @Test(.enabled(if: SharedCorpus.root != nil, "../shared/corpus is not present"))
    func corpusMailsInOneMboxGiveTheSameReports() throws {
        let root = try #require(SharedCorpus.root)
        let names = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".eml") }.sorted()
        var mbox = Data()
        var expected: [AggregateReport] = []
        var expectedTLS: [TLSReport] = []
        var withReports = 0
        for name in names {
            let bytes = try Data(contentsOf: root.appendingPathComponent(name))
            let single = ReportLoader().load(bytes, as: name)
            guard single.reportCount > 0, single.problems.isEmpty else { continue }
            withReports += 1
            expected += single.reports.map(\.report)
            expectedTLS += single.tlsReports.map(\.report)
            mbox.append(Data("From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n".utf8))
            var lines = [UInt8](bytes).split(separator: 0x0A, omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            // An mbox line begins a message only after an empty line; the header has none.
            if lines.first?.starts(with: Array("From ".utf8)) == true { lines.removeFirst() }
            for line in lines {
                if line.drop(while: { $0 == UInt8(ascii: ">") }).starts(with: Array("From ".utf8)) { mbox.append(UInt8(ascii: ">")) }
                mbox.append(contentsOf: line)
                mbox.append(0x0A)
            }
            mbox.append(0x0A)
        }
        #expect(withReports >= 10)
        let load = ReportLoader().load(mbox, as: "corpus.mbox")
        #expect(load.problems.isEmpty, "\(load.problems.prefix(3))")
        #expect(load.reports.map(\.report) == expected)
        #expect(load.tlsReports.map(\.report) == expectedTLS)
    }
}

@Suite("parsedmarc output")
struct ParsedmarcImportTests {
    /// Three days, 10:00 on the first to 06:00 on the third (UTC): parsedmarc splits its records.
    private static let multiDay: AggregateReport = {
        let begin: Int64 = 1_764_583_200  // 2025-12-01 10:00:00
        func record(_ ip: String, _ count: Int, disposition: Disposition = .none, comment: String? = nil) -> ReportRecord {
            ReportRecord(
                sourceIP: ip, count: count, disposition: disposition, dkimAligned: .pass, spfAligned: .fail,
                overrideReasons: comment.map { [OverrideReason(type: .localPolicy, comment: $0)] } ?? [],
                headerFrom: "example.com", envelopeFrom: "bounce.example.com", envelopeTo: "example.net",
                dkimResults: [
                    DKIMAuthResult(domain: "example.com", selector: "s1", result: .pass),
                    DKIMAuthResult(domain: "esp.example", selector: nil, result: .fail),
                ],
                spfResults: [SPFAuthResult(domain: "bounce.example.com", scope: "mfrom", result: .softfail)])
        }
        return AggregateReport(
            schema: .rfc7489, version: "1.0",
            metadata: ReportMetadata(
                orgName: "example.net", email: "dmarc@example.net", reportID: "multi-day-1",
                dateRange: DateRange(begin: begin, end: begin + 2 * 86_400 - 4 * 3_600), errors: ["a, b", "c"]),
            policy: PublishedPolicy(domain: "example.com", adkim: .relaxed, aspf: .strict, p: .reject, sp: .quarantine, pct: 100, fo: "1"),
            records: [
                record("192.0.2.1", 7), record("192.0.2.2", 1, disposition: .quarantine, comment: "forwarded, then \"kept\""),
                record("2001:db8::1", 40_001),
            ])
    }()

    @Test func aReportLongerThanADayIsSplitByParsedmarcAndJoinedBack() throws {
        let report = Self.multiDay
        let json = try ParsedmarcOutputWriter.json([report])
        let csv = ParsedmarcOutputWriter.csv([report])
        // parsedmarc's pieces: one per day with messages.
        #expect(String(decoding: csv, as: UTF8.self).split(separator: "\r\n").count == 1 + 3 + 1 + 3)
        for (name, data) in [("aggregate.json", json), ("aggregate.csv", csv)] {
            let load = ReportLoader().load(data, as: name)
            #expect(load.problems.isEmpty, "\(name): \(load.problems)")
            let imported = try #require(load.reports.first?.report)
            #expect(load.reports.count == 1)
            #expect(imported.origin == .parsedmarc)
            #expect(imported.records == report.records, "\(name)")
            #expect(imported.metadata.dateRange == report.metadata.dateRange)
            #expect(imported.identity == report.identity)
            #expect(imported.policy == report.policy)
        }
    }

    @Test func parsedmarcRewritesTheIdentityAndDedupStillMatchesIt() throws {
        let original = ReportIdentity(orgName: "Mail.Ru", reportID: "<1234567@mx.mail.ru>")
        #expect(original.parsedmarcForm == ReportIdentity(orgName: "mail.ru", reportID: "1234567"))
        #expect(ReportIdentity(orgName: "Enterprise Outlook", reportID: "AbC").parsedmarcForm
            == ReportIdentity(orgName: "enterprise outlook", reportID: "abc"))
        #expect(ReportIdentity(orgName: "dmarc.yandex.ru", reportID: "1").parsedmarcForm.orgName == "yandex.ru")

        let xml = Fixture.data(Fixture.report(org: "Mail.Ru", reportID: "&lt;1234567@mx.mail.ru&gt;"))
        let fromXML = try #require(ReportLoader().load(xml, as: "a.xml").reports.first)
        #expect(fromXML.report.metadata.reportID == "<1234567@mx.mail.ru>")
        let json = try ParsedmarcOutputWriter.json([fromXML.report])
        let fromJSON = try #require(ReportLoader().load(json, as: "b.json").reports.first)
        #expect(fromJSON.report.identity == ReportIdentity(orgName: "mail.ru", reportID: "1234567"))

        for order in [[fromXML, fromJSON], [fromJSON, fromXML]] {
            var deduplicator = ReportDeduplicator<LoadedReport>()
            order.forEach { deduplicator.add($0) }
            #expect(deduplicator.unique.map(\.source) == [order[0].source])
            #expect(deduplicator.duplicates.map(\.dropped) == [order[1].source])
        }
        // Two reporter copies whose ids differ only after the @ are different reports.
        var other = fromXML
        other.report.metadata.reportID = "<1234567@mx2.mail.ru>"
        other.source = ReportSource(file: "c.xml")
        var deduplicator = ReportDeduplicator<LoadedReport>()
        deduplicator.add(fromXML)
        deduplicator.add(other)
        #expect(deduplicator.unique.count == 2)
    }

    @Test func aBadReportInTheJSONIsAProblemForThatReportOnly() throws {
        var json = try #require(try JSONSerialization.jsonObject(with: ParsedmarcOutputWriter.json([Self.multiDay])) as? [Any])
        json.append(["report_metadata": ["org_name": "x"], "policy_published": ["domain": "example.com"], "records": [Any]()] as [String: Any])
        json.append(["report_metadata": [String: Any](), "records": [["count": 1]]] as [String: Any])
        let load = ReportLoader().load(try JSONSerialization.data(withJSONObject: json), as: "aggregate.json")
        #expect(load.reports.count == 1)
        #expect(load.problems.map(\.description) == [
            "[parse] aggregate.json ▸ report 2: no \"report_metadata.report_id\"",
            "[parse] aggregate.json ▸ report 3: no \"policy_published\" object",
        ])
    }

    @Test func aJSONFileCutShortKeepsItsCompleteReports() throws {
        var second = Self.multiDay
        second.metadata.reportID = "second"
        let json = try ParsedmarcOutputWriter.json([Self.multiDay, second, Self.multiDay])
        let cut = json.prefix(json.count * 5 / 6)
        let load = ReportLoader().load(Data(cut), as: "aggregate.json")
        #expect(load.reports.map(\.report.metadata.reportID) == ["multi-day-1", "second"])
        #expect(load.problems.map(\.description) == [
            "[parse] aggregate.json ▸ after report 2: the JSON ends before its array is closed (a file cut short?)",
        ])
        // Strings holding brackets, commas and escaped quotes do not confuse the split.
        var tricky = Self.multiDay
        tricky.metadata.reportID = "a\\\"],[{\"b"
        tricky.metadata.orgName = "Tricky, ]Org["
        let load2 = ReportLoader().load(try ParsedmarcOutputWriter.json([tricky, second]), as: "aggregate.json")
        #expect(load2.problems.isEmpty)
        #expect(load2.reports.map(\.report.metadata.reportID) == [tricky.metadata.reportID, "second"])
    }

    @Test func parsedmarcsSMTPTLSOutputIsNamedAndRefused() {
        let json = Data(#"[{"organization_name": "Google Inc.", "begin_date": "2024-01-01T00:00:00Z", "policies": []}]"#.utf8)
        let load = ReportLoader().load(json, as: "smtp_tls.json")
        #expect(load.reportCount == 0)
        #expect(load.problems.first?.reason.contains("parsedmarc's SMTP TLS output") == true)
    }

    /// Early parsedmarc versions wrote fewer columns and the evaluated words in
    /// `dkim_alignment`/`spf_alignment`, and the report's own dates on every row.
    @Test func anEarlyVersionCSVIsRead() throws {
        let csv = """
            xml_schema,org_name,org_email,org_extra_contact_info,report_id,begin_date,end_date,errors,domain,adkim,aspf,p,sp,pct,fo,source_ip_address,source_country,source_reverse_dns,source_base_domain,count,disposition,dkim_alignment,spf_alignment,policy_override_reasons,policy_override_comments,envelope_from,header_from,envelope_to,dkim_domains,dkim_selectors,dkim_results,spf_domains,spf_scopes,spf_results
            draft,acme.com,noreply@acme.com,,9391651994964116463,2012-04-27 20:00:00,2012-04-28 19:59:59,,example.com,r,r,none,none,100,0,72.150.241.94,US,,,2,none,fail,pass,,,example.com,example.com,,example.com,none,fail,example.com,mfrom,pass
            draft,acme.com,noreply@acme.com,,9391651994964116463,2012-04-27 20:00:00,2012-04-28 19:59:59,,example.com,r,r,none,none,100,0,72.150.241.95,US,,,3,quarantine,pass,fail,"local_policy,forwarded","a comment, with a comma|none",,example.com,,,,,,,

            """
        let load = ReportLoader().load(Data(csv.replacingOccurrences(of: "\n", with: "\r\n").utf8), as: "aggregate.csv")
        #expect(load.problems.isEmpty, "\(load.problems)")
        let report = try #require(load.reports.first)
        #expect(report.source.description == "aggregate.csv ▸ report 1 (lines 2–3)")
        #expect(report.report.version == nil)
        #expect(report.report.metadata.dateRange == DateRange(begin: 1_335_556_800, end: 1_335_643_199))
        #expect(report.report.messageCount == 5)
        let records = report.report.records
        #expect(records.map(\.dkimAligned) == [.fail, .pass])
        #expect(records.map(\.spfAligned) == [.pass, .fail])
        #expect(records[0].dkimResults == [DKIMAuthResult(domain: "example.com", selector: nil, result: .fail)])
        #expect(records[1].overrideReasons == [
            OverrideReason(type: .localPolicy, comment: "a comment, with a comma"), OverrideReason(type: .forwarded),
        ])
        #expect(records[1].envelopeFrom == nil && records[1].dkimResults.isEmpty && records[1].spfResults.isEmpty)
    }
}
