import Foundation
import ReportModel
import SyntheticReports
import Testing

@Suite("SyntheticReports: SMTP TLS")
struct SyntheticTLSTests {
    // MARK: Writer

    @Test(arguments: [TLSReportJSONWriter.Style(), .omitsZeroCounts, .indented, [.omitsZeroCounts, .indented]])
    func handWrittenReportRoundTripsThroughTheParser(style: TLSReportJSONWriter.Style) throws {
        let report = SyntheticTLSFixtures.handWritten
        let json = TLSReportJSONWriter(style: style).json(for: report)
        #expect(try TLSReportParser().parse(Data(json.utf8)) == report)
    }

    @Test func writerKeepsTheRFCOrderAndEscapesText() throws {
        let json = TLSReportJSONWriter().json(for: SyntheticTLSFixtures.handWritten)
        #expect(json.hasPrefix(#"{"organization-name":"Tom \"T\" & Co\\Mail","date-range":{"start-datetime":"2026-10-01T00:00:00Z","end-datetime":"2026-10-01T23:59:59Z"},"contact-info":"#))
        #expect(json.contains(#""reason\nline\t\u0001 ü""#))
        #expect(json.contains(#""policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx1.alpha.example","max_age: 604800"],"policy-domain":"alpha.example","mx-host":["mx1.alpha.example"]},"summary":{"total-successful-session-count":90,"total-failure-session-count":12}"#))
        #expect(!json.contains("\n"))

        let indented = TLSReportJSONWriter(style: .indented).json(for: SyntheticTLSFixtures.handWritten)
        #expect(indented.hasPrefix("{\n  \"organization-name\": "))
        #expect(indented.hasSuffix("}\n"))
    }

    @Test func zeroCountsAreLeftOutOnlyWhenAsked() throws {
        let report = SyntheticTLSFixtures.handWritten
        let google = TLSReportJSONWriter(style: .omitsZeroCounts).json(for: report)
        #expect(!google.contains(#""total-failure-session-count":0"#))
        #expect(TLSReportJSONWriter().json(for: report).contains(#""total-failure-session-count":0"#))
    }

    // MARK: Generator

    @Test func sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws {
        var spec = SyntheticTLSFixtures.spec
        let first = try SyntheticWorkspace(spec: spec).generate().tlsFiles
        let again = try SyntheticWorkspace(spec: spec).generate().tlsFiles
        #expect(!first.isEmpty)
        #expect(first.map(\.relativePath) == again.map(\.relativePath))
        #expect(first.map(\.bytes) == again.map(\.bytes))

        spec.seed += 1
        let other = try SyntheticWorkspace(spec: spec).generate().tlsFiles
        #expect(first.map(\.bytes) != other.map(\.bytes))
    }

    @Test func everyFileReadsBackThroughTheLoaderAsItsReport() throws {
        let output = try SyntheticTLSFixtures.output
        #expect(output.files.isEmpty)
        #expect(Set(output.tlsFiles.map(\.kind)) == Set(SyntheticTLSFileKind.allCases))
        #expect(Set(output.tlsFiles.map(\.reporter)) == Set(SyntheticTLSReporter.allCases))
        let loader = ReportLoader()
        for file in output.tlsFiles {
            let load = loader.load(file.bytes, as: file.relativePath)
            #expect(load.problems.isEmpty, "\(file.relativePath): \(load.problems)")
            #expect(load.reports.isEmpty)
            #expect(load.tlsReports.count == 1)
            #expect(load.tlsReports.first?.report == file.report, "\(file.relativePath)")
            #expect(InputKind.detect(file.bytes) == (file.kind == .gzip ? .gzip : .json))
            for policy in file.report.policies {
                #expect(policy.failures.reduce(0) { $0 + $1.failedSessionCount } == policy.totalFailureSessions)
                #expect(policy.totalSuccessfulSessions >= 0 && policy.totalFailureSessions >= 0)
                #expect(policy.totalSuccessfulSessions + policy.totalFailureSessions > 0)
                #expect(policy.failures.allSatisfy { $0.failedSessionCount > 0 })
            }
        }
        #expect(Set(output.tlsFiles.map(\.report.identity)).count == output.tlsFiles.count)
    }

    @Test func summaryTotalsEqualThePipelineTotalsOfTheFilesReadBack() throws {
        let output = try SyntheticTLSFixtures.output
        let domains = SyntheticTLSFixtures.spec.domains.map(\.name)
        var aggregator = ReportAggregator(router: DomainRouter(owners: Dictionary(uniqueKeysWithValues: domains.map { ($0, $0) })))
        var deduplicator = ReportDeduplicator<LoadedTLSReport>()
        for file in output.tlsFiles {
            for loaded in ReportLoader().load(file.bytes, as: file.relativePath).tlsReports {
                deduplicator.add(loaded)
            }
        }
        #expect(deduplicator.duplicates.isEmpty)
        for loaded in deduplicator.unique { aggregator.add(loaded.report) }
        #expect(aggregator.unassignedTLS.isEmpty)

        var recomputed: [DomainMonthKey: TLSTotals] = [:]
        for (owner, months) in aggregator.owners {
            for (month, ownerMonth) in months {
                for (domain, tls) in ownerMonth.tls {
                    #expect(domain == owner)
                    recomputed[DomainMonthKey(domain: domain, month: month)] = TLSTotals(
                        successfulSessions: tls.sessions.successful, failedSessions: tls.sessions.failed,
                        reports: tls.reports.count)
                }
            }
        }
        let summary = output.summary
        #expect(summary.tlsTotals == recomputed)
        #expect(summary.tlsTotals.count == domains.count * SyntheticTLSFixtures.spec.monthCount)
        #expect(summary.tlsReports == deduplicator.unique.count)
        #expect(summary.files == output.tlsFiles.count)
        #expect(summary.bytes == output.tlsFiles.reduce(0) { $0 + $1.bytes.count })
        #expect(summary.tlsFilesByReporter.values.reduce(0, +) == output.tlsFiles.count)
        let alpha = summary.tlsTotals(domain: "alpha.example")
        #expect(alpha.failedSessions > 0 && alpha.successfulSessions > alpha.failedSessions)
    }

    @Test func failureEpisodesShowOnTheirDaysAndHostsOnly() throws {
        let alpha = try SyntheticTLSFixtures.output.tlsFiles.filter { $0.report.policies.first?.policyDomain == "alpha.example" }
        func days(with result: TLSResultType, reporters: Set<SyntheticTLSReporter> = [.google, .microsoft]) -> Set<String> {
            Set(alpha.filter { reporters.contains($0.reporter) }.filter { file in
                file.report.policies.contains { $0.failures.contains { $0.resultType == result } }
            }.map { UTCDay.of($0.report.dateRange.begin) })
        }
        #expect(days(with: .certificateExpired) == ["2026-02-10", "2026-02-11", "2026-02-12"])
        #expect(days(with: .stsPolicyFetchError) == ["2026-02-20", "2026-02-21"])
        #expect(days(with: .validationFailure) == ["2026-01-15"])

        let details = alpha.flatMap { $0.report.policies.flatMap(\.failures) }
        for detail in details where detail.resultType == .certificateExpired {
            #expect(detail.receivingMXHostname == "mx2.alpha.example")
            #expect(["192.0.2.12", "2001:db8::12"].contains(detail.receivingIP ?? ""))
            #expect(detail.sendingMTAIP != nil)
        }
        for detail in details where detail.resultType == .stsPolicyFetchError {
            #expect(detail.receivingMXHostname == nil && detail.receivingIP == nil)
        }
        for detail in details where detail.resultType == .validationFailure {
            #expect(detail.receivingMXHostname == "mx1.alpha.example")
            #expect(detail.failureReasonCode == "sslv3 alert handshake failure")
        }
        // An expired certificate fails every session to mx2 under MTA-STS; mx1 still takes mail.
        for file in alpha where UTCDay.of(file.report.dateRange.begin) == "2026-02-11" && file.reporter == .google {
            let policy = try #require(file.report.policies.first)
            #expect(policy.totalFailureSessions > 0 && policy.totalSuccessfulSessions > 0)
        }
    }

    @Test func policiesFollowTheSpecAndWhatEachReporterChecks() throws {
        let files = try SyntheticTLSFixtures.output.tlsFiles
        let january = ReportMonth(year: 2026, month: 1)
        for file in files {
            let policy = try #require(file.report.policies.first)
            let month = ReportMonth(unixTime: file.report.dateRange.begin)
            switch (policy.policyDomain, file.reporter) {
            case ("alpha.example", _) where month == january:
                #expect(policy.policyType == .noPolicyFound)
                #expect(policy.policyStrings.isEmpty && policy.mxHosts.isEmpty)
                #expect(policy.failures.allSatisfy { $0.resultType == .validationFailure })
            case ("alpha.example", let reporter):
                #expect(policy.policyType == .sts)
                #expect(policy.policyStrings == ["version: STSv1", "mode: enforce", "mx: mx1.alpha.example", "mx: mx2.alpha.example", "max_age: 604800"])
                #expect(policy.mxHosts == (reporter == .microsoft ? [] : ["mx1.alpha.example", "mx2.alpha.example"]))
            case ("beta.co.jp", .microsoft):
                #expect(policy.policyType == .tlsa)
                #expect(policy.policyStrings.count == 1)
                #expect(policy.policyStrings.first?.hasPrefix(#"["3 1 1 "#) == true)
            case ("beta.co.jp", .comcast):
                #expect(policy.policyType == .tlsa)
                #expect(policy.policyStrings.count == 2 && policy.policyStrings.allSatisfy { $0.hasPrefix("3 1 1 ") })
            case ("beta.co.jp", _):
                #expect(policy.policyType == .noPolicyFound)
                #expect(policy.failures.isEmpty)
            default:
                Issue.record("unexpected policy domain \(policy.policyDomain)")
            }
            if policy.policyType == .tlsa {
                #expect(policy.failures.allSatisfy { $0.resultType == .starttlsNotSupported && $0.receivingMXHostname == "mx-backup.beta.co.jp" })
            }
        }
        let backupFailures = files.filter { $0.reporter == .microsoft && $0.report.policies.first?.policyDomain == "beta.co.jp" }
            .flatMap { $0.report.policies.flatMap(\.failures) }
        #expect(!backupFailures.isEmpty)
    }

    @Test func filesLookLikeTheRealReporters() throws {
        let files = try SyntheticTLSFixtures.output.tlsFiles
        for file in files {
            let report = file.report
            let range = report.dateRange
            #expect(range.begin % 86_400 == 0 && range.end == range.begin + 86_399)
            let month = ReportMonth(unixTime: range.begin)
            #expect(file.relativePath.hasPrefix("\(file.reporter.folderName)/\(month)/tls/"))
            let name = try #require(file.relativePath.split(separator: "/").last.map(String.init))
            let domain = try #require(report.policies.first?.policyDomain)
            let stem = "!\(domain)!\(range.begin)!\(range.end)"
            switch file.reporter {
            case .google:
                #expect(name == "google.com\(stem)!001.json.gz")
                #expect(report.organizationName == "Google Inc.")
                #expect(report.contactInfo == "smtp-tls-reporting@google.com")
                #expect(report.reportID == "\(UTCDay.of(range.begin))T00:00:00Z_\(domain)")
            case .microsoft:
                let fileTime = try #require(report.reportID.split(separator: "+").first.map(String.init))
                #expect(fileTime.count == 18 && fileTime.allSatisfy(\.isNumber))
                #expect(report.reportID == "\(fileTime)+\(domain)")
                #expect(name == "microsoft.com\(stem)!\(fileTime).json.gz")
                #expect(report.organizationName == "Microsoft Corporation")
            case .comcast:
                #expect(name == "comcast.net\(stem).json")
                #expect(file.kind == .json)
            case .mailRu:
                #expect(name == "mail.ru\(stem).json.gz")
            }
        }
        let comcast = try #require(files.first { $0.reporter == .comcast })
        let text = String(decoding: comcast.bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"organization-name\": \"Comcast\",\n  \"date-range\": {\n    \"start-datetime\": \""))
        #expect(text.contains("T23:59:59Z\""))
    }

    @Test func addingTLSLeavesTheDMARCFilesUnchanged() throws {
        var spec = SyntheticTLSFixtures.spec
        spec.monthCount = 1
        spec.domains = [spec.domains[0]]
        spec.domains[0].dailyVolume = 200
        let withTLS = try SyntheticWorkspace(spec: spec).generate()
        spec.domains[0].tls = nil
        let without = try SyntheticWorkspace(spec: spec).generate()
        #expect(!withTLS.files.isEmpty && !withTLS.tlsFiles.isEmpty && without.tlsFiles.isEmpty)
        #expect(withTLS.files == without.files)
        #expect(withTLS.summary.totals == without.summary.totals)
        #expect(withTLS.summary.files == without.summary.files + withTLS.tlsFiles.count)
    }

    @Test func writeCreatesTLSFolders() throws {
        var spec = SyntheticTLSFixtures.spec
        spec.monthCount = 1
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("synthetic-tls-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try SyntheticWorkspace(spec: spec).write(to: folder)
        let files = try SyntheticWorkspace(spec: spec).files()
        #expect(summary.files == files.count && summary.tlsReports == files.count)
        for file in files {
            #expect(try Data(contentsOf: folder.appendingPathComponent(file.relativePath)) == file.bytes)
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("google/2026-01/tls").path))
    }

    @Test func invalidMXHostsAreRefused() {
        var spec = SyntheticTLSFixtures.spec
        spec.domains[0].tls?.mxHosts[0].host = "not a host"
        #expect(throws: SyntheticSpecError.self) { try SyntheticWorkspace(spec: spec).generate() }
    }

    // MARK: Demo

    @Test func demoPresetTellsTheTLSStory() throws {
        let demo = SyntheticWorkspaceSpec.demo()
        let tls = Dictionary(uniqueKeysWithValues: demo.domains.compactMap { domain in domain.tls.map { (domain.name, $0) } })
        #expect(Set(tls.keys) == ["contoso.example", "contoso.co.jp", "fabrikam.example", "northwind.co.jp"])
        let contoso = try #require(tls["contoso.example"])
        #expect(contoso.policy(in: ReportMonth(year: 2026, month: 3)) == .noPolicy)
        #expect(contoso.policy(in: ReportMonth(year: 2026, month: 4)) == .mtaSTS(MTASTSPolicy(
            mode: .enforce, mx: ["mx1.contoso.example", "mx2.contoso.example"])))
        guard case .mtaSTS(let fabrikam)? = tls["fabrikam.example"]?.policy else {
            Issue.record("fabrikam.example has no MTA-STS policy")
            return
        }
        #expect(fabrikam.mode == .testing)
        #expect(demo.months.allSatisfy { tls["northwind.co.jp"]?.policy(in: $0) == .noPolicy })
        #expect(tls["contoso.co.jp"]?.policy == .dane)
    }

    /// The TLS half of the demo alone (no DMARC volume), which is quick to generate.
    @Test func demoTLSReportsStayModestAndShowTheEpisodes() throws {
        var demo = SyntheticWorkspaceSpec.demo()
        for index in demo.domains.indices { demo.domains[index].dailyVolume = 0 }
        let output = try SyntheticWorkspace(spec: demo).generate()
        let files = output.tlsFiles
        #expect(output.files.isEmpty)
        #expect(files.count <= 1_200)
        #expect(output.summary.bytes <= 1_500_000)

        func failures(_ domain: String, _ result: TLSResultType) -> Set<ReportMonth> {
            Set(files.filter { file in
                file.report.policies.contains { $0.policyDomain == domain && $0.failures.contains { $0.resultType == result } }
            }.map { ReportMonth(unixTime: $0.report.dateRange.begin) })
        }
        func month(_ number: Int) -> ReportMonth { ReportMonth(year: 2026, month: number) }
        #expect(failures("contoso.example", .stsPolicyFetchError) == [month(6)])
        #expect(failures("contoso.example", .validationFailure) == [month(7)])
        #expect(failures("contoso.example", .certificateExpired) == [month(10)])
        #expect(failures("fabrikam.example", .starttlsNotSupported) == Set((9...11).map(month)))
        let expired = files.flatMap { $0.report.policies.flatMap(\.failures) }.filter { $0.resultType == .certificateExpired }
        #expect(expired.allSatisfy { $0.receivingMXHostname == "mx2.contoso.example" })

        let northwind = files.compactMap { $0.report.policies.first { $0.policyDomain == "northwind.co.jp" } }
        #expect(northwind.allSatisfy { $0.policyType == .noPolicyFound && $0.failures.isEmpty })
        let northwindMonths = Set(demo.months.filter { output.summary.tlsTotals(domain: "northwind.co.jp", month: $0).reports > 0 })
        #expect(northwindMonths == Set(demo.months))
        #expect(output.summary.tlsTotals(domain: "contoso.example", month: month(2)) == TLSTotals())
    }
}

/// `YYYY-MM-DD` of a Unix time, UTC.
private enum UTCDay {
    static func of(_ unixTime: Int64) -> String {
        let (year, month, day) = CivilDate.from(daysSinceEpoch: Int(unixTime / 86_400))
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}

private enum SyntheticTLSFixtures {
    static let february = ReportMonth(year: 2026, month: 2)

    static func day(_ month: Int, _ day: Int) -> CalendarDay { CalendarDay(year: 2026, month: month, day: day) }

    /// Two domains over January and February 2026 with TLS reports only (no DMARC volume):
    /// alpha moves from no policy to MTA-STS and has three episodes, beta uses DANE and has a
    /// backup MX without STARTTLS. Other reporters report more often than in the demo so each
    /// shows up.
    static let spec = SyntheticWorkspaceSpec(
        domains: [
            SyntheticDomain(
                name: "alpha.example", dailyVolume: 0, policy: SyntheticPolicy(p: .none),
                senders: [SenderSpec(.googleWorkspace, share: 1)],
                tls: SyntheticTLS(
                    mxHosts: [
                        SyntheticMX("mx1.alpha.example", addresses: ["192.0.2.11", "2001:db8::11"]),
                        SyntheticMX("MX2.Alpha.Example.", addresses: ["192.0.2.12", "2001:db8::12"]),
                    ],
                    policy: .noPolicy,
                    policyChanges: [TLSPolicyChange(month: february, policy: .mtaSTS(MTASTSPolicy(
                        mode: .enforce, mx: ["mx1.alpha.example", "mx2.alpha.example"])))],
                    dailySessions: 400,
                    episodes: [
                        TLSFailureEpisode(
                            .validationFailure, mxHost: "mx1.alpha.example", from: day(1, 15), through: day(1, 15),
                            failureRate: 0.2, reasonCode: "sslv3 alert handshake failure"),
                        TLSFailureEpisode(.certificateExpired, mxHost: "mx2.alpha.example", from: day(2, 10), through: day(2, 12)),
                        TLSFailureEpisode(.stsPolicyFetchError, from: day(2, 20), through: day(2, 21), failureRate: 0.3),
                        // Not noticed: without a policy nobody checks certificates.
                        TLSFailureEpisode(.certificateExpired, mxHost: "mx1.alpha.example", from: day(1, 3), through: day(1, 4)),
                    ])),
            SyntheticDomain(
                name: "beta.co.jp", dailyVolume: 0, policy: SyntheticPolicy(p: .none),
                senders: [SenderSpec(.microsoft365, share: 1)], traffic: .japaneseOffice,
                tls: SyntheticTLS(
                    mxHosts: [
                        SyntheticMX("beta-co-jp.a-v1.mx.microsoft", addresses: ["52.101.8.1"], share: 0.9),
                        SyntheticMX("mx-backup.beta.co.jp", addresses: ["203.0.113.9"], share: 0.1),
                    ],
                    policy: .dane, dailySessions: 300,
                    episodes: [TLSFailureEpisode(.starttlsNotSupported, mxHost: "mx-backup.beta.co.jp")])),
        ],
        firstMonth: ReportMonth(year: 2026, month: 1), monthCount: 2, seed: 7)

    static let cached = Result { try SyntheticWorkspace(spec: spec).generate() }

    static var output: SyntheticOutput {
        get throws { try cached.get() }
    }

    static let handWritten = TLSReport(
        organizationName: #"Tom "T" & Co\Mail"#,
        dateRange: DateRange(begin: 1_790_812_800, end: 1_790_899_199),
        contactInfo: "tls@tom.example", reportID: "2026-10-01T00:00:00Z_alpha.example",
        policies: [
            TLSPolicyResult(
                policyType: .sts,
                policyStrings: ["version: STSv1", "mode: enforce", "mx: mx1.alpha.example", "max_age: 604800"],
                policyDomain: "alpha.example", mxHosts: ["mx1.alpha.example"],
                totalSuccessfulSessions: 90, totalFailureSessions: 12,
                failures: [
                    TLSFailureDetail(
                        resultType: .certificateExpired, sendingMTAIP: "209.85.220.41",
                        receivingMXHostname: "mx1.alpha.example", receivingMXHelo: "mx1.alpha.example",
                        receivingIP: "192.0.2.11", failedSessionCount: 10,
                        additionalInformation: "https://tom.example/info?a=1&b=2",
                        failureReasonCode: "reason\nline\t\u{01} ü"),
                    TLSFailureDetail(resultType: .stsPolicyFetchError, failedSessionCount: 2),
                ]),
            TLSPolicyResult(
                policyType: .tlsa, policyStrings: [#"["3 1 1 ABCDEF","3 1 1 012345"]"#], policyDomain: "alpha.example",
                totalSuccessfulSessions: 5, totalFailureSessions: 0),
            TLSPolicyResult(policyType: .noPolicyFound, policyDomain: "", totalSuccessfulSessions: 0, totalFailureSessions: 0),
        ])
}
