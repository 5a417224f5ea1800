import Foundation
@testable import ReportArchive
@testable import ReportModel
import SyntheticReports
import Testing
import ZIPFoundation

/// A plain XML report read straight into its stored form (`StoredAggregate`) against the
/// ingest path it replaces: `ReportLoader` (the parser), then `PreparedFile` and
/// `ReportCodec.encode`. The stored bytes and every prepared field must be the same, or the
/// direct reader must decline the document (the loader then reads it as before).
@Suite("Stored form read straight from XML: the same as parse and encode")
struct StoredAggregateTests {
    /// What was compared, for the suite's expectations on coverage.
    struct Tally {
        var direct = 0
        /// Of `direct`, read by the plain reader (the rest by the general one).
        var plain = 0
        var refusedByBoth = 0
        /// Accepted by the parser only after its retry past junk before `<feedback>`.
        var junkRetried = 0
    }

    static let path = "client/reporter/report.xml"
    static let stamp = FileStamp(size: 1_234, modified: 1_700_000_000_000_000_000)

    /// Compares the two paths on one document; returns how it went.
    @discardableResult
    static func compare(_ xml: Data, _ name: String, limits: InputLimits = .standard) -> Tally {
        var tally = Tally()
        let load = ReportLoader(limits: limits).load(xml, as: path)
        guard let stored = StoredAggregate(xml: xml, limits: limits) else {
            if load.reports.isEmpty {
                #expect(load.problems.count == 1, "\(name)")
                tally.refusedByBoth += 1
            } else {
                // The parser's second try starts at `<feedback`: read straight from there, it
                // must give the same report.
                if let start = Self.feedbackStart(xml), let retried = StoredAggregate(xml: xml.subdata(in: start..<xml.count), limits: limits) {
                    expectSame(retried, load, name)
                    tally.junkRetried += 1
                } else {
                    Issue.record("\(name): declined a report the parser reads")
                }
            }
            return tally
        }
        expectSame(stored, load, name)
        tally.direct += 1
        if StoredAggregate(xml: xml, limits: limits, readers: .plainOnly) != nil { tally.plain += 1 }
        return tally
    }

    static func expectSame(_ stored: StoredAggregate, _ load: FileLoad, _ name: String) {
        guard let loaded = load.reports.first, load.reports.count == 1, load.tlsReports.isEmpty, load.problems.isEmpty else {
            Issue.record("\(name): read straight, but the loader gave \(load.reportCount) reports and \(load.problems)")
            return
        }
        #expect(stored.body == ReportCodec.encode(loaded.report), "\(name)")
        #expect(stored.recordCount == loaded.report.records.count, "\(name)")

        var file = IngestedFile(path: path, stamp: stamp, contentHash: "hash", outcome: .loaded(load))
        file.inode = 42
        let expected = PreparedFile(file)
        let actual = PreparedFile(path: path, stamp: stamp, contentHash: "hash", inode: 42, stored: stored)
        #expect(actual.path == expected.path && actual.stamp == expected.stamp && actual.contentHash == expected.contentHash, "\(name)")
        #expect(actual.reportCount == expected.reportCount && actual.knownContent == expected.knownContent, "\(name)")
        #expect(actual.problems == expected.problems && actual.inode == expected.inode && actual.settled == expected.settled, "\(name)")
        #expect(actual.reports.count == 1 && expected.reports.count == 1, "\(name)")
        guard let mine = actual.reports.first, let theirs = expected.reports.first else { return }
        #expect(mine.kind == theirs.kind, "\(name)")
        #expect(mine.identity == theirs.identity, "\(name)")
        #expect(mine.range == theirs.range, "\(name)")
        #expect(mine.counted == theirs.counted, "\(name)")
        #expect(mine.transcription?.key == theirs.transcription?.key, "\(name)")
        #expect(mine.transcription?.transcribed == theirs.transcription?.transcribed, "\(name)")
        #expect(mine.source == theirs.source, "\(name)")
        #expect(mine.body == theirs.body, "\(name)")
        #expect(mine.domainKeys == theirs.domainKeys, "\(name)")
    }

    static func feedbackStart(_ xml: Data) -> Int? {
        xml.firstRange(of: Data("<feedback".utf8)).map { $0.lowerBound - xml.startIndex }
    }

    // MARK: Real and generated reports

    @Test(.enabled(if: ArchiveCorpus.root != nil, "../shared/corpus is not present"))
    func everyAggregateXMLOfTheRealCorpus() throws {
        let root = try #require(ArchiveCorpus.root)
        var tally = Tally()
        for path in try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted() {
            let url = root.appendingPathComponent(path)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            for (index, xml) in XMLDocuments.of(try Data(contentsOf: url)).enumerated() {
                tally.add(Self.compare(xml, "\(path) #\(index + 1)"))
            }
        }
        #expect(tally.direct > 120)
        #expect(tally.refusedByBoth > 5)
        // 127 of 132 when written: Google's and Microsoft's reports (CR LF line ends) among them.
        #expect(tally.plain > 120)
    }

    /// Generated reports of several seeds, both schemas (GMX writes RFC 9990), written plain,
    /// with padded values and with capitalised results; and the generated files themselves.
    @Test func generatedReportsOfSeveralSeeds() throws {
        var tally = Tally()
        for seed: UInt64 in [1, 7, 2_026] {
            var spec = SyntheticWorkspaceSpec.demo(seed: seed)
            spec.monthCount = 1
            let output = try SyntheticWorkspace(spec: spec).generate()
            for (index, file) in output.files.prefix(120).enumerated() {
                let quirks: ReportXMLWriter.Quirks = [[], [.paddedValues], [.capitalisedResults], [.paddedValues, .capitalisedResults]][index % 4]
                tally.add(Self.compare(ReportXMLWriter(quirks: quirks).data(for: file.report), "seed \(seed) \(file.relativePath) \(quirks)"))
                for xml in XMLDocuments.of(file.bytes) {
                    tally.add(Self.compare(xml, "seed \(seed) \(file.relativePath)"))
                }
            }
            #expect(output.files.contains { $0.report.schema == .rfc9990 })
            #expect(output.files.contains { $0.report.schema == .rfc7489 })
        }
        #expect(tally.direct > 600)
        #expect(tally.refusedByBoth == 0)
    }

    /// The plain reader takes generated reports (in the form nearly every report has) and
    /// stores what the general reader stores.
    @Test func plainReaderStoresWhatTheGeneralReaderStores() throws {
        var spec = SyntheticWorkspaceSpec.demo(seed: 5)
        spec.monthCount = 1
        for (index, file) in try SyntheticWorkspace(spec: spec).generate().files.prefix(200).enumerated() {
            let quirks: ReportXMLWriter.Quirks = [[], [.paddedValues], [.capitalisedResults]][index % 3]
            let xml = ReportXMLWriter(quirks: quirks).data(for: file.report)
            let plain = StoredAggregate(xml: xml, limits: .standard, readers: .plainOnly)
            let general = try #require(StoredAggregate(xml: xml, limits: .standard, readers: .generalOnly))
            #expect(plain?.body == general.body, "\(file.relativePath)")
            #expect(plain?.identity == general.identity && plain?.range == general.range, "\(file.relativePath)")
            #expect(plain?.counted == general.counted && plain?.recordCount == general.recordCount, "\(file.relativePath)")
            #expect(plain?.domains == general.domains, "\(file.relativePath)")
        }
        // What the plain form leaves out is read by the general reader alone.
        let entity = Self.report(metadata: "<org_name>A &amp; B</org_name><report_id>r</report_id><date_range><begin>1</begin><end>2</end></date_range>")
        #expect(StoredAggregate(xml: entity, limits: .standard, readers: .plainOnly) == nil)
        #expect(StoredAggregate(xml: entity, limits: .standard) != nil)
    }

    /// Generated reports with bytes dropped, replaced or repeated at seeded places: the direct
    /// reader refuses what the parser refuses and reads the rest the same.
    @Test func damagedReports() throws {
        var spec = SyntheticWorkspaceSpec.demo(seed: 11)
        spec.monthCount = 1
        let reports = try SyntheticWorkspace(spec: spec).generate().files.prefix(300).map(\.report)
        var random = SplitMix64(seed: 5)
        let insertions = Array("<>&;/!?-[]=\"' \r\n\tx#:.0".utf8) + [0x00, 0x80, 0xC3, 0xEF, 0xFF]
        var tally = Tally()
        for (index, report) in reports.enumerated() {
            var bytes = Array(ReportXMLWriter(quirks: index % 2 == 0 ? [] : [.paddedValues]).data(for: report))
            for _ in 0..<(1 + random.below(3)) {
                let at = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes[at] = insertions[random.below(insertions.count)]
                default: bytes.insert(insertions[random.below(insertions.count)], at: at)
                }
            }
            tally.add(Self.compare(Data(bytes), String(decoding: bytes, as: UTF8.self)))
        }
        #expect(tally.refusedByBoth > 50)
        #expect(tally.direct > 50)
    }

    // MARK: Edge cases

    /// A report with the given parts; `records` defaults to one plain record.
    static func report(
        head: String = #"<?xml version="1.0" encoding="UTF-8"?>"#, root: String = "<feedback>", rootEnd: String = "</feedback>",
        metadata: String = "<org_name>Example Mail</org_name><email>dmarc@example.net</email><report_id>r-1</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>",
        policy: String = "<domain>contoso.example</domain><adkim>r</adkim><aspf>s</aspf><p>none</p><sp>quarantine</sp><pct>100</pct>",
        records: [String] = [record()]
    ) -> Data {
        Data("\(head)\n\(root)<report_metadata>\(metadata)</report_metadata><policy_published>\(policy)</policy_published>\(records.joined())\(rootEnd)".utf8)
    }

    static func record(
        row: String = "<source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated>",
        identifiers: String = "<header_from>contoso.example</header_from><envelope_from>bounce.contoso.example</envelope_from>",
        auth: String = "<dkim><domain>contoso.example</domain><selector>s1</selector><result>pass</result></dkim><spf><domain>bounce.contoso.example</domain><scope>mfrom</scope><result>softfail</result></spf>"
    ) -> String {
        "<record><row>\(row)</row><identifiers>\(identifiers)</identifiers><auth_results>\(auth)</auth_results></record>"
    }

    /// A UTF-8 document in another encoding (empty, and so refused, if it cannot be).
    static func encoded(_ utf8: Data, as encoding: String.Encoding) -> Data {
        String(decoding: utf8, as: UTF8.self).data(using: encoding) ?? Data()
    }

    /// Documents the direct reader must read, each as the parser does.
    static let readDirectly: [(String, Data)] = [
        ("plain", report()),
        ("entities and character references", report(
            metadata: "<org_name>Smith &amp; Sons &#x41;&#66; &lt;mail&gt;</org_name><email>a&apos;b@example.net</email><report_id>&quot;r-2&quot;</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>")),
        ("CDATA and comments in values", report(
            metadata: "<org_name><![CDATA[A <b> & C]]></org_name><email>x@<!-- a comment -->example.net</email><report_id> <![CDATA[ id-3 ]]> </report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>")),
        ("comments and processing instructions between elements", report(
            head: "<?xml version=\"1.0\"?><!-- before --><?pi data?>", records: ["<!-- c --><?x y?>" + record() + "<!-- d -->"])),
        ("padded values and CRLF line ends", report(
            metadata: "<org_name>\r\n  Example\r\n  Mail  </org_name><email>\t e@example.net \t</email><report_id>\r\n r-4\r\n</report_id><date_range><begin> 1700000000 </begin><end>\n1700086399\n</end></date_range>",
            records: [record(row: "<source_ip>\n 192.0.2.7 \n</source_ip><count>\n 12 \n</count><policy_evaluated><disposition> quarantine </disposition><dkim>\r\nfail\r\n</dkim><spf> pass </spf></policy_evaluated>")])),
        ("missing optional fields", report(
            metadata: "<report_id>r-5</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range>",
            policy: "<domain>contoso.example</domain>",
            records: ["<record><row><count>1</count></row></record>", "<record><row><source_ip>192.0.2.9</source_ip><count>0</count></row><identifiers/></record>"])),
        ("empty elements", report(
            policy: "<domain>contoso.example</domain><adkim/><aspf></aspf><p> </p><sp/><np/><pct/><fo></fo>",
            records: [record(identifiers: "<header_from/><envelope_from></envelope_from><envelope_to/>", auth: "<dkim><domain/><selector/><result/><human_result/></dkim><spf/>")])),
        ("vocabulary in capitals, padded, unknown and renamed", report(
            policy: "<domain>contoso.example</domain><adkim>R</adkim><aspf> strict </aspf><p>Reject</p><sp>QUARANTINE</sp><np>weird</np>",
            records: [
                record(row: "<count>2</count><policy_evaluated><disposition>Reject</disposition><dkim>PASS</dkim><spf>neutral</spf><reason><type>Forwarded</type><comment>via list</comment></reason><reason><type>sampled_out</type><comment/></reason><reason><type>made_up</type></reason></policy_evaluated>",
                       auth: "<dkim><domain>d.example</domain><result>TempError</result><human_result>later</human_result></dkim><spf><domain>s.example</domain><result>hardfail</result></spf><spf><domain>t.example</domain><result>error</result></spf><spf><domain>u.example</domain><result>unknown</result></spf><spf><domain>v.example</domain><result> Softfail </result></spf>"),
                record(row: "<count>1</count><policy_evaluated><disposition>pass</disposition><dkim>policy</dkim><spf>permerror</spf></policy_evaluated>"),
            ])),
        ("header_from missing, empty, in capitals, with a trailing dot", report(records: [
            record(identifiers: ""),
            record(identifiers: "<header_from> </header_from>"),
            record(identifiers: "<header_from>News.Contoso.EXAMPLE.</header_from>"),
            record(identifiers: "<header_from>news.contoso.example..</header_from>"),
            record(identifiers: "<header_from>other.example</header_from>"),
            record(identifiers: "<header_from>news.contoso.example</header_from>"),
        ])),
        ("policy domain in capitals, after the records", Data("""
            <feedback><report_metadata><org_name>o</org_name><email>e</email><report_id>r-8</report_id><date_range><begin>1</begin><end>2</end></date_range></report_metadata>\
            \(record(identifiers: ""))<policy_published><domain>Contoso.Example.</domain></policy_published>\(record(identifiers: ""))\
            <policy_published><domain>second.example</domain></policy_published></feedback>
            """.utf8)),
        ("repeated fields: the last one wins", report(
            metadata: "<org_name>first</org_name><org_name>second</org_name><email>e</email><report_id>a</report_id><report_id>b</report_id><date_range><begin>5</begin><end>9</end><begin>6</begin></date_range><error>one</error><error></error><error> two </error>",
            records: [record(row: "<count>1</count><count>4</count><source_ip>a</source_ip><source_ip>b</source_ip>")])),
        ("non-ASCII values, a combining mark after a space, a BOM in a value", report(
            metadata: "<org_name> \u{301}Mäil</org_name><email>é@example.net\u{FEFF}</email><report_id>r-✓</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range><extra_contact_info>\u{FEFF} info</extra_contact_info>",
            records: [record(identifiers: "<header_from>BÜCHER.example</header_from>"), record(identifiers: "<header_from>bücher.example</header_from>")])),
        ("fractional and odd times, signed counts", report(
            metadata: "<org_name>o</org_name><email>e</email><report_id>r-9</report_id><date_range><begin>1700000000.75</begin><end>.5</end></date_range>",
            records: [record(row: "<count>+5</count>"), record(row: "<count>-0</count>"), record(row: "<count>1000000000000</count>"),
                      record(row: "<count>0000000000000000000000007</count>")])),
        ("pct that is not a number", report(policy: "<domain>contoso.example</domain><pct>fifty</pct><fo>1</fo><testing>n</testing><discovery_method>psl</discovery_method>")),
        ("RFC 9990 namespace with version and generator", report(
            root: "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\"><version>2.0</version>",
            metadata: "<org_name>o</org_name><email>e</email><report_id>r-10</report_id><date_range><begin>1</begin><end>2</end></date_range><generator>gen 1.0</generator>",
            policy: "<domain>contoso.example</domain><p>reject</p><np>reject</np><testing>y</testing><discovery_method>treewalk</discovery_method>")),
        ("a namespace prefix", report(
            root: "<d:feedback xmlns:d=\"urn:ietf:params:xml:ns:dmarc-2.0\">", rootEnd: "</d:feedback>",
            metadata: "<d:org_name>o</d:org_name><email>e</email><report_id>r-11</report_id><date_range><begin>1</begin><end>2</end></date_range>")),
        ("an older draft namespace", report(root: "<feedback xmlns=\"http://dmarc.org/dmarc-xml/0.1\">")),
        ("unknown and nested elements", report(records: [
            "<record><extra><row><count>99</count></row></extra>" + record().dropFirst("<record>".count),
            "<record><row><count>2</count><policy_evaluated><reason><type>other</type><reason><type>forwarded</type></reason></reason></policy_evaluated></row><auth_results><dkim><domain>a</domain><x><domain>b</domain></x></dkim></auth_results></record>",
        ])),
        ("attributes on elements", report(root: "<feedback a=\"1\" b='2'>", records: ["<record id=\"x\">" + record().dropFirst("<record>".count)])),
        ("windows-1252", encoded(report(
            head: #"<?xml version="1.0" encoding="windows-1252"?>"#,
            metadata: "<org_name>Café €</org_name><email>e</email><report_id>r-12</report_id><date_range><begin>1</begin><end>2</end></date_range>"),
            as: .windowsCP1252)),
        ("UTF-16", Data([0xFF, 0xFE]) + encoded(report(head: #"<?xml version="1.0" encoding="UTF-16"?>"#), as: .utf16LittleEndian)),
        ("a BOM and white space before the declaration", Data([0xEF, 0xBB, 0xBF]) + Data(" \n".utf8) + report()),
    ]

    @Test(arguments: readDirectly.indices)
    func readsDirectlyWhatTheParserReads(_ index: Int) throws {
        let (name, xml) = Self.readDirectly[index]
        let tally = Self.compare(xml, name)
        #expect(tally.direct == 1, "\(name): \(String(decoding: xml, as: UTF8.self))")
    }

    /// Documents the parser refuses: the direct reader declines them.
    static let refused: [(String, Data)] = [
        ("a count that is not a number", report(records: [record(row: "<count>12a</count>")])),
        ("a negative count", report(records: [record(row: "<count>-1</count>")])),
        ("a count over the limit", report(records: [record(row: "<count>1000000000001</count>")])),
        ("a count of 20 digits", report(records: [record(row: "<count>12345678901234567890</count>")])),
        ("a time past the year 3000", report(metadata: "<report_id>r</report_id><date_range><begin>32503680000</begin><end>32503680001</end></date_range>")),
        ("no count", report(records: [record(), record(row: "<source_ip>192.0.2.1</source_ip>")])),
        ("no records", report(records: [])),
        ("a record in a nested feedback element", report(records: [record(), "<feedback><record><row><count>7</count></row></record></feedback>"])),
        ("no report_id", report(metadata: "<org_name>o</org_name><date_range><begin>1</begin><end>2</end></date_range>")),
        ("an empty report_id", report(metadata: "<report_id> </report_id><date_range><begin>1</begin><end>2</end></date_range>")),
        ("no report_metadata", Data("<feedback>\(record())</feedback>".utf8)),
        ("a time that is not a number", report(metadata: "<report_id>r</report_id><date_range><begin>yesterday</begin><end>2</end></date_range>")),
        ("no end", report(metadata: "<report_id>r</report_id><date_range><begin>1</begin></date_range>")),
        ("another root element", Data("<report><record/></report>".utf8)),
        ("not well-formed", report(records: [record() + "<record>"])),
        ("an undeclared entity", report(metadata: "<org_name>&nbsp;</org_name><report_id>r</report_id><date_range><begin>1</begin><end>2</end></date_range>")),
        ("a DOCTYPE", Data("<!DOCTYPE feedback>".utf8) + report(head: "")),
        ("empty", Data()),
        ("white space only", Data(" \n ".utf8)),
    ]

    @Test(arguments: refused.indices)
    func declinesWhatTheParserRefuses(_ index: Int) throws {
        let (name, xml) = Self.refused[index]
        let tally = Self.compare(xml, name)
        #expect(tally.refusedByBoth == 1, "\(name)")
    }

    @Test func elementsNestedDeeperThanTheLimitAreDeclined() {
        let deep = String(repeating: "<x>", count: 40) + String(repeating: "</x>", count: 40)
        let xml = Self.report(records: [Self.record(), "<record><row><count>1</count></row>\(deep)</record>"])
        #expect(Self.compare(xml, "deep").refusedByBoth == 1)
        var limits = InputLimits.standard
        limits.maxElementDepth = 64
        #expect(Self.compare(xml, "deep, higher limit", limits: limits).direct == 1)
    }

    /// IKEA's reports start with an unclosed element: the parser reads them on its second
    /// try, which the direct reader leaves to it.
    @Test func junkBeforeFeedbackIsLeftToTheParser() {
        let xml = Data("<?xml version=\"1.0\"?><junk>".utf8) + Self.report(head: "")
        #expect(StoredAggregate(xml: xml, limits: .standard) == nil)
        #expect(Self.compare(xml, "junk").junkRetried == 1)
    }
}

extension StoredAggregateTests.Tally {
    mutating func add(_ other: Self) {
        direct += other.direct
        plain += other.plain
        refusedByBoth += other.refusedByBoth
        junkRetried += other.junkRetried
    }
}

/// The XML documents inside a file: itself, or what gzip, zlib, zip and e-mail hold.
enum XMLDocuments {
    static func of(_ data: Data, depth: Int = 0) -> [Data] {
        guard depth <= 4 else { return [] }
        switch InputKind.detect(data) {
        case .xml:
            return [data]
        case .gzip, .zlib:
            return (try? Inflater.inflate(data, limit: 64 << 20)).map { of($0, depth: depth + 1) } ?? []
        case .zip:
            guard let archive = try? Archive(data: data, accessMode: .read, pathEncoding: nil) else { return [] }
            return archive.filter { $0.type == .file }.flatMap { entry -> [Data] in
                var contents = Data()
                guard (try? archive.extract(entry, skipCRC32: false, consumer: { contents.append($0) })) != nil else { return [] }
                return of(contents, depth: depth + 1)
            }
        case .mail:
            let parts = (try? MailMessage.attachments(of: data, limits: .standard)) ?? []
            return parts.flatMap { of($0.data, depth: depth + 1) }
        case .json, .mbox, .parsedmarcCSV, .empty, .unknown:
            return []
        }
    }
}
