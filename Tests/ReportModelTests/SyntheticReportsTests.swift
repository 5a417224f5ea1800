import Foundation
import ReportModel
import SyntheticReports
import Testing

@Suite("SyntheticReports")
struct SyntheticReportsTests {
    // MARK: Writer

    @Test func legacyReportRoundTripsThroughTheParser() throws {
        let report = SyntheticFixtures.legacyReport
        let xml = ReportXMLWriter().xml(for: report)
        #expect(xml.contains("<feedback>\n"))
        #expect(xml.contains("<version>1.0</version>"))
        #expect(!xml.contains("xmlns"))
        #expect(try AggregateReportParser().parse(Data(xml.utf8)) == report)
    }

    @Test func rfc9990ReportRoundTripsWithItsSchema() throws {
        let report = SyntheticFixtures.rfc9990Report
        let xml = ReportXMLWriter().xml(for: report)
        #expect(xml.contains("<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"))
        #expect(xml.contains("<generator>Example Reporter &lt;2.0&gt;</generator>"))
        #expect(xml.contains("<discovery_method>treewalk</discovery_method>"))
        let parsed = try AggregateReportParser().parse(Data(xml.utf8))
        #expect(parsed.schema == .rfc9990)
        #expect(parsed == report)
    }

    @Test func writerEscapesMarkupCharacters() throws {
        let xml = ReportXMLWriter().xml(for: SyntheticFixtures.legacyReport)
        #expect(xml.contains("<org_name>Tom &amp; Jerry&apos;s &quot;Mail&quot; &lt;Co&gt;</org_name>"))
        #expect(!xml.contains("Tom & Jerry"))
    }

    @Test(arguments: [
        ReportXMLWriter.Quirks.capitalisedResults, .paddedValues, [.capitalisedResults, .paddedValues],
    ])
    func quirksChangeTheTextButNotTheReport(quirks: ReportXMLWriter.Quirks) throws {
        let report = SyntheticFixtures.legacyReport
        let xml = ReportXMLWriter(quirks: quirks).xml(for: report)
        #expect(xml != ReportXMLWriter().xml(for: report))
        if quirks.contains(.capitalisedResults) { #expect(xml.contains(">Pass<") || xml.contains("Pass\n")) }
        #expect(try AggregateReportParser().parse(Data(xml.utf8)) == report)
    }

    // MARK: Generator

    @Test func splitMix64MatchesTheReferenceSequence() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws {
        var spec = SyntheticFixtures.spec
        spec.monthCount = 1
        let first = try SyntheticWorkspace(spec: spec).files()
        let again = try SyntheticWorkspace(spec: spec).files()
        #expect(first.map(\.relativePath) == again.map(\.relativePath))
        #expect(first.map(\.bytes) == again.map(\.bytes))

        spec.seed += 1
        let other = try SyntheticWorkspace(spec: spec).files()
        #expect(first.map(\.bytes) != other.map(\.bytes))
    }

    /// Other threads packing files at the same time must not leak into the bytes.
    @Test func concurrentGenerationsGiveTheSameBytes() async throws {
        var spec = SyntheticFixtures.spec
        spec.monthCount = 1
        spec.domains = [spec.domains[0]]
        let workspace = SyntheticWorkspace(spec: spec)
        let runs = try await withThrowingTaskGroup(of: [Data].self) { group in
            for _ in 0..<4 {
                group.addTask { try workspace.files().map(\.bytes) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(runs).count == 1)
    }

    @Test func everyFileKindIsProducedAndReadsBackAsItsReport() throws {
        let output = try SyntheticFixtures.output
        #expect(Set(output.files.map(\.kind)) == Set(SyntheticFileKind.allCases))
        #expect(Set(output.files.flatMap(\.quirks)) == Set(SyntheticQuirk.allCases))
        let loader = ReportLoader()
        for file in output.files {
            let load = loader.load(file.bytes, as: file.relativePath)
            #expect(load.problems.isEmpty, "\(file.relativePath): \(load.problems)")
            #expect(load.reports.count == 1)
            #expect(load.reports.first?.report == file.report, "\(file.relativePath)")
            #expect(InputKind.detect(file.bytes) == file.kind.detectedKind)
        }
    }

    @Test func summaryTotalsEqualThePipelineTotalsOfTheFilesReadBack() throws {
        let output = try SyntheticFixtures.output
        let domains = SyntheticFixtures.spec.domains.map(\.name)
        var aggregator = ReportAggregator(router: DomainRouter(owners: Dictionary(uniqueKeysWithValues: domains.map { ($0, $0) })))
        var deduplicator = ReportDeduplicator<LoadedReport>()
        var records = 0
        var messages = 0
        for file in output.files {
            for loaded in ReportLoader().load(file.bytes, as: file.relativePath).reports {
                deduplicator.add(loaded)
            }
        }
        #expect(deduplicator.duplicates.isEmpty)
        for loaded in deduplicator.unique {
            aggregator.add(loaded.report)
            records += loaded.report.records.count
            messages += loaded.report.messageCount
        }
        #expect(aggregator.unassigned.isEmpty)

        var recomputed: [DomainMonthKey: MessageTally] = [:]
        for (owner, months) in aggregator.owners {
            for (month, ownerMonth) in months {
                for (domain, domainMonth) in ownerMonth.domains {
                    #expect(domain == owner)
                    recomputed[DomainMonthKey(domain: domain, month: month)] = domainMonth.tally
                }
            }
        }
        let summary = output.summary
        #expect(summary.totals == recomputed)
        #expect(summary.files == output.files.count + output.tlsFiles.count)
        #expect(summary.reports == deduplicator.unique.count)
        #expect(summary.records == records)
        #expect(summary.messages == messages)
        #expect(summary.bytes == output.files.reduce(0) { $0 + $1.bytes.count })
        for key in recomputed.keys {
            let tally = summary.tally(domain: key.domain, month: key.month)
            #expect(tally.messages > 0 && tally.dmarcPass <= tally.messages)
            #expect(tally.spfAligned <= tally.messages && tally.dkimAligned <= tally.messages)
        }
    }

    @Test func rfc9990FilesParseWithTheRFC9990Schema() throws {
        let output = try SyntheticFixtures.output
        let gmx = output.files.filter { $0.reporter == .gmx }
        #expect(!gmx.isEmpty)
        for file in gmx {
            let report = try #require(ReportLoader().load(file.bytes, as: file.relativePath).reports.first?.report)
            #expect(report.schema == .rfc9990)
            #expect(report.version == "2.0")
            #expect(report.metadata.generator != nil)
            #expect(report.policy.discoveryMethod == "treewalk")
            #expect(report.policy.pct == nil)
        }
        let legacy = output.files.filter { $0.reporter != .gmx }
        #expect(legacy.allSatisfy { $0.report.schema == .rfc7489 && $0.report.version == "1.0" })
    }

    @Test func filesLookLikeTheRealReporters() throws {
        let output = try SyntheticFixtures.output
        for file in output.files {
            let report = file.report
            let range = report.metadata.dateRange
            #expect(range.begin % 86_400 == 0 && range.end == range.begin + 86_399)
            let month = ReportMonth(unixTime: range.begin)
            #expect(file.relativePath.hasPrefix("\(file.reporter.folderName)/\(month)/"))
            #expect(report.records.allSatisfy { $0.count > 0 })
            // Aggregated: no two records differ only in their count.
            let keys = report.records.map { record -> ReportRecord in
                var key = record
                key.count = 0
                return key
            }
            #expect(Set(keys).count == keys.count)
        }
        let google = output.files.filter { $0.reporter == .google }
        #expect(google.allSatisfy { $0.kind == .zip && $0.report.metadata.email == "noreply-dmarc-support@google.com" })
        let sample = try #require(google.first)
        let name = try #require(sample.relativePath.split(separator: "/").last)
        let range = sample.report.metadata.dateRange
        #expect(name == "google.com!\(sample.report.policy.domain)!\(range.begin)!\(range.end).zip")
        #expect(output.files.contains { $0.reporter == .enterpriseOutlook && $0.report.metadata.orgName == "Enterprise Outlook" })
        #expect(output.files.contains { $0.relativePath.hasSuffix(".xml.gz") && $0.reporter == .outlook })

        let records = output.files.flatMap(\.report.records)
        #expect(records.contains { $0.envelopeFrom == nil })
        #expect(records.contains { $0.dkimResults.count > 1 })
        #expect(records.contains { $0.sourceIP.contains(":") })
        #expect(records.contains { $0.overrideReasons.contains { $0.type == .sampledOut } })
        #expect(records.contains { $0.overrideReasons.contains { $0.type == .forwarded } })
        #expect(records.contains { $0.disposition == .quarantine })
        #expect(records.contains { $0.disposition == .reject })
        #expect(records.contains { $0.headerFrom.hasSuffix(".alpha.example") })
        #expect(records.contains { $0.dkimResults.contains { $0.humanResult != nil } || $0.spfResults.contains { $0.humanResult != nil } } )
    }

    @Test func policyChangesApplyFromTheirMonth() throws {
        let output = try SyntheticFixtures.output
        let beta = output.files.filter { $0.report.policy.domain == "beta.co.jp" }
        for file in beta {
            let month = ReportMonth(unixTime: file.report.metadata.dateRange.begin)
            #expect(file.report.policy.p == (month < SyntheticFixtures.secondMonth ? PolicyAction.none : .reject))
        }
    }

    @Test func zipEntriesCarryTheReportDateNotToday() throws {
        let output = try SyntheticFixtures.output
        let zip = try #require(output.files.first { $0.kind == .zip })
        let bytes = [UInt8](zip.bytes.prefix(14))
        let dosDate = Int(bytes[12]) | Int(bytes[13]) << 8
        let (year, month, day) = CivilDate.from(daysSinceEpoch: Int(zip.report.metadata.dateRange.end / 86_400) + 1)
        #expect(dosDate == day + month * 32 + (year - 1_980) * 512)
    }

    @Test func writeCreatesReporterAndMonthFolders() throws {
        var spec = SyntheticFixtures.spec
        spec.monthCount = 1
        spec.domains = [spec.domains[1]]
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("synthetic-reports-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try SyntheticWorkspace(spec: spec).write(to: folder)
        let files = try SyntheticWorkspace(spec: spec).files()
        #expect(summary.files == files.count)
        for file in files {
            let written = try Data(contentsOf: folder.appendingPathComponent(file.relativePath))
            #expect(written == file.bytes)
        }
        let googleMonth = folder.appendingPathComponent("google/2026-01", isDirectory: true)
        #expect(FileManager.default.fileExists(atPath: googleMonth.path))
    }

    @Test func invalidOrRepeatedDomainsAreRefused() {
        var spec = SyntheticFixtures.spec
        spec.domains.append(spec.domains[0])
        #expect(throws: SyntheticSpecError.self) { try SyntheticWorkspace(spec: spec).generate() }
        spec.domains = [spec.domains[0]]
        spec.domains[0].name = "not a domain"
        #expect(throws: SyntheticSpecError.self) { try SyntheticWorkspace(spec: spec).generate() }
    }

    @Test func demoPresetDescribesTheExampleWorkspace() {
        let demo = SyntheticWorkspaceSpec.demo()
        #expect(demo.domains.map(\.name) == [
            "contoso.example", "contoso.co.jp", "fabrikam.example", "fabrikam-shop.example",
            "northwind.example", "northwind.co.jp",
        ])
        #expect(demo.months.first == ReportMonth(year: 2025, month: 12))
        #expect(demo.months.last == ReportMonth(year: 2026, month: 11))
        #expect(demo.domains.map(\.dailyVolume).min() == 50)
        #expect(demo.domains.map(\.dailyVolume).max() == 3_000)
        let contoso = demo.domains[0]
        #expect(contoso.policy(in: ReportMonth(year: 2026, month: 2)).p == .none)
        #expect(contoso.policy(in: ReportMonth(year: 2026, month: 3)).p == .quarantine)
        #expect(contoso.policy(in: ReportMonth(year: 2026, month: 11)).p == .reject)
    }

    /// Opt-in measurement of the full demo: `SYNTHETIC_DEMO_STATS=1 swift test --filter demoStatistics`;
    /// with `SYNTHETIC_DEMO_OUTPUT=<folder>` the files are also written there.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SYNTHETIC_DEMO_STATS"] != nil))
    func demoStatistics() throws {
        let start = Date()
        let output = try SyntheticWorkspace(spec: .demo()).generate()
        let seconds = Date().timeIntervalSince(start)
        let summary = output.summary
        print("demo: \(summary.files) files, \(summary.bytes) bytes, \(summary.records) records,"
            + " \(summary.messages) messages in \(seconds) s")
        print("by kind: \(summary.filesByKind.sorted { $0.key < $1.key })")
        print("by reporter: \(summary.filesByReporter.sorted { $0.key < $1.key })")
        for (key, tally) in summary.totals.sorted(by: { $0.key < $1.key }) {
            print("\(key): messages \(tally.messages) pass \(tally.dmarcPass) spf \(tally.spfAligned)"
                + " dkim \(tally.dkimAligned) quarantine \(tally.disposition.quarantine) reject \(tally.disposition.reject)")
        }
        let tlsBytes = output.tlsFiles.reduce(0) { $0 + $1.bytes.count }
        print("TLS: \(summary.tlsReports) files, \(tlsBytes) bytes, by reporter \(summary.tlsFilesByReporter.sorted { $0.key < $1.key })")
        for (key, totals) in summary.tlsTotals.sorted(by: { $0.key < $1.key }) {
            print("\(key): TLS reports \(totals.reports) successful \(totals.successfulSessions) failed \(totals.failedSessions)")
        }
        if let folder = ProcessInfo.processInfo.environment["SYNTHETIC_DEMO_OUTPUT"] {
            let written = try SyntheticWorkspace(spec: .demo()).write(to: URL(fileURLWithPath: folder, isDirectory: true))
            #expect(written == summary)
        }
        #expect(summary.files < 6_200)  // DMARC under 5,000, SMTP TLS under 1,200
        #expect(summary.bytes < 7_500_000)
    }
}

private enum SyntheticFixtures {
    static let secondMonth = ReportMonth(year: 2026, month: 2)

    /// Two domains over two months, with quirks far more common than in real mail so that
    /// every file kind and quirk shows up.
    static let spec = SyntheticWorkspaceSpec(
        domains: [
            SyntheticDomain(
                name: "alpha.example", dailyVolume: 800,
                policy: SyntheticPolicy(p: .reject, sp: .quarantine, pct: 50),
                senders: [
                    SenderSpec(.googleWorkspace, share: 0.6),
                    SenderSpec(.sendGrid, share: 0.3, domainSigningFrom: secondMonth),
                    SenderSpec(.forwarder, share: 0.1),
                ],
                spoofingShare: 0.08),
            SyntheticDomain(
                name: "beta.co.jp", dailyVolume: 500, policy: SyntheticPolicy(p: .none),
                policyChanges: [PolicyChange(month: secondMonth, policy: SyntheticPolicy(p: .reject))],
                senders: [SenderSpec(.microsoft365, share: 0.7), SenderSpec(.amazonSES, share: 0.3)],
                traffic: .japaneseOffice),
        ],
        firstMonth: ReportMonth(year: 2026, month: 1), monthCount: 2, seed: 42, quirkRate: 0.2)

    /// Generated once and shared by the tests.
    static let cached = Result { try SyntheticWorkspace(spec: spec).generate() }

    static var output: SyntheticOutput {
        get throws { try cached.get() }
    }

    static let legacyReport = AggregateReport(
        schema: .rfc7489, version: "1.0",
        metadata: ReportMetadata(
            orgName: "Tom & Jerry's \"Mail\" <Co>", email: "dmarc@tj.example",
            extraContactInfo: "https://tj.example/dmarc?a=1&b=2", reportID: "r-1<2>",
            dateRange: DateRange(begin: 1_767_225_600, end: 1_767_311_999), errors: ["late & partial"]),
        policy: PublishedPolicy(
            domain: "alpha.example", adkim: .relaxed, aspf: .strict, p: .quarantine, sp: PolicyAction.none,
            pct: 50, fo: "1"),
        records: [
            ReportRecord(
                sourceIP: "209.85.220.41", count: 12, disposition: .none, dkimAligned: .pass, spfAligned: .pass,
                headerFrom: "alpha.example", envelopeFrom: "alpha.example", envelopeTo: "beta.example",
                dkimResults: [
                    DKIMAuthResult(domain: "alpha.example", selector: "google", result: .pass),
                    DKIMAuthResult(domain: "sendgrid.net", selector: "smtpapi", result: .pass, humanResult: "ok"),
                ],
                spfResults: [SPFAuthResult(domain: "alpha.example", scope: "mfrom", result: .pass)]),
            ReportRecord(
                sourceIP: "2001:db8::5", count: 3, disposition: .quarantine, dkimAligned: .fail, spfAligned: .fail,
                overrideReasons: [
                    OverrideReason(type: .sampledOut),
                    OverrideReason(type: .localPolicy, comment: "arc=pass & \"trusted\""),
                ],
                headerFrom: "mail.alpha.example",
                dkimResults: [DKIMAuthResult(domain: "alpha.example", result: .fail, humanResult: "body <hash> failed")],
                spfResults: [SPFAuthResult(domain: "spam.example", result: .softfail)]),
        ])

    static let rfc9990Report = AggregateReport(
        schema: .rfc9990, version: "2.0",
        metadata: ReportMetadata(
            orgName: "GMX", email: "dmarc_agg@gmx.net", reportID: "ABC123",
            dateRange: DateRange(begin: 1_767_225_600, end: 1_767_311_999),
            generator: "Example Reporter <2.0>"),
        policy: PublishedPolicy(
            domain: "beta.co.jp", adkim: .strict, aspf: .relaxed, p: .reject, sp: .quarantine, np: .reject,
            testing: "n", discoveryMethod: "treewalk"),
        records: [
            ReportRecord(
                sourceIP: "40.107.1.2", count: 7, disposition: .pass, dkimAligned: .pass, spfAligned: .pass,
                headerFrom: "beta.co.jp", envelopeFrom: "beta.co.jp",
                dkimResults: [DKIMAuthResult(domain: "beta.co.jp", selector: "selector1", result: .pass)],
                spfResults: [SPFAuthResult(domain: "beta.co.jp", scope: "mfrom", result: .pass)]),
        ])
}

extension SyntheticFileKind {
    fileprivate var detectedKind: InputKind {
        switch self {
        case .xml: .xml
        case .gzip, .gzipInGzip: .gzip
        case .zip: .zip
        }
    }
}
