import ReportModel
import Templating
import Testing
@testable import SiteBuild

@Suite("Readiness and the provider checklist")
struct DomainAnalysisTests {
    static func record(ip: String, count: Int, own: Bool) -> ReportRecord {
        ReportRecord(
            sourceIP: ip, count: count, disposition: .none, dkimAligned: own ? .pass : .fail, spfAligned: own ? .pass : .fail,
            headerFrom: "contoso.example",
            dkimResults: own ? [DKIMAuthResult(domain: "contoso.example", selector: "s1", result: .pass)] : [],
            spfResults: [SPFAuthResult(domain: own ? "contoso.example" : "spoof.example", scope: "mfrom", result: own ? .pass : .fail)])
    }

    static func analysis(policy: PublishedPolicy, ownMessages: Int, spoofMessages: Int) throws -> DomainAnalysis {
        let records = [record(ip: "192.0.2.1", count: ownMessages, own: true), record(ip: "198.51.100.9", count: spoofMessages, own: false)]
        var stats = DomainMonth(domain: "contoso.example")
        for record in records { stats.tally.add(record) }
        stats.publishedPolicies[policy] = 30
        stats.reporters["google.com"] = ReporterTally()
        stats.reporters["google.com"]?.reports = Set((1...30).map { "r\($0)" })
        stats.reporters["google.com"]?.tally = stats.tally
        return DomainAnalysis(domain: "contoso.example", records: records, stats: stats,
                              classifier: SenderClassifier(catalog: try SenderCatalog.shipped()), otherDomains: [])
    }

    @Test func spoofingDoesNotHoldBackAnAlignedDomain() throws {
        let policy = PublishedPolicy(domain: "contoso.example", adkim: .relaxed, aspf: .relaxed, p: PolicyAction.none, sp: PolicyAction.none)
        let analysis = try Self.analysis(policy: policy, ownMessages: 9_000, spoofMessages: 1_000)
        let readiness = analysis.readiness
        #expect(readiness.level == .ready)
        #expect(readiness.next == "p=quarantine; pct=25")
        #expect(analysis.recordText(next: "p=quarantine; pct=25", current: policy)
                == "_dmarc.contoso.example. IN TXT \"v=DMARC1; p=quarantine; pct=25; sp=none; adkim=r; aspf=r; rua=mailto:…\"")
        let checks = analysis.checklist(format: LocaleFormatter(locale: "en"))
        #expect(checks.map(\.key) == ["dmarc_record", "policy", "spf_or_dkim", "aligned", "spf_and_dkim", "microsoft"])
        #expect(checks.map(\.status) == [.pass, .pass, .pass, .pass, .pass, .unknown])
        #expect(checks[3].values["not_bulk"] == "1", "about 333 messages a day is not bulk")
    }

    @Test func rejectIsTheLastStepAndMisalignedMailIsNotReady() throws {
        let reject = PublishedPolicy(domain: "contoso.example", p: .reject)
        #expect(try Self.analysis(policy: reject, ownMessages: 100, spoofMessages: 0).readiness.level == .atStrongest)
        #expect(DomainAnalysis.nextStep(after: PublishedPolicy(domain: "x", p: .quarantine, pct: 50)) == "p=quarantine")
        #expect(DomainAnalysis.nextStep(after: PublishedPolicy(domain: "x", p: .quarantine)) == "p=reject")
    }

    @Test func bulkVolumeMakesTheBulkRulesCount() throws {
        let policy = PublishedPolicy(domain: "contoso.example", p: PolicyAction.none)
        let analysis = try Self.analysis(policy: policy, ownMessages: 300_000, spoofMessages: 0)
        let checks = analysis.checklist(format: LocaleFormatter(locale: "en"))
        #expect(checks[3].values["not_bulk"] == nil, "10,000 a day to Google is bulk")
        #expect(checks[3].status == .pass)
    }
}
