import ReportModel
import Templating
import Testing
@testable import SiteBuild

@Suite("Findings")
struct FindingsTests {
    let analyzer = FindingsAnalyzer(
        client: ClientConfig(id: "c", name: "C", domains: ["a.example", "b.example"], locale: "en"),
        format: LocaleFormatter(locale: "en"))

    func month(_ domains: [String: (messages: Int, pass: Int, policy: PublishedPolicy?)], tlsFailed: [String: Int] = [:]) -> OwnerMonth {
        var month = OwnerMonth(month: ReportMonth(year: 2026, month: 10))
        for (domain, values) in domains {
            var stats = DomainMonth(domain: domain)
            stats.tally.messages = values.messages
            stats.tally.dmarcPass = values.pass
            if let policy = values.policy { stats.publishedPolicies[policy] = 3 }
            month.domains[domain] = stats
        }
        for (domain, failed) in tlsFailed {
            var tls = TLSDomainMonth(domain: domain)
            tls.sessions.failed = failed
            month.tls[domain] = tls
        }
        return month
    }

    /// Ties between policies seen by as many reports are broken by the policy's text, which is
    /// worked out only for them.
    @Test func policiesAreRankedByReportsThenByText() {
        let none = PublishedPolicy(domain: "a.example", p: PolicyAction.none)
        let quarantine = PublishedPolicy(domain: "a.example", p: .quarantine, pct: 25)
        let reject = PublishedPolicy(domain: "a.example", p: .reject)
        let tied = [none, reject].sorted { "\($0)" < "\($1)" }
        let ranked = FindingsAnalyzer.ranked([none: 2, quarantine: 5, reject: 2])
        #expect(ranked.map(\.policy) == [quarantine] + tied)
        #expect(ranked.map(\.reports) == [5, 2, 2])

        var stats = DomainMonth(domain: "a.example")
        stats.publishedPolicies = [none: 2, reject: 2]
        #expect(FindingsAnalyzer.dominantPolicy(stats) == tied[0])
        stats.publishedPolicies = [none: 1, reject: 2, quarantine: 1]
        #expect(FindingsAnalyzer.dominantPolicy(stats) == reject)
        stats.publishedPolicies = [quarantine: 1]
        #expect(FindingsAnalyzer.dominantPolicy(stats) == quarantine)
        #expect(FindingsAnalyzer.dominantPolicy(DomainMonth(domain: "a.example")) == nil)
    }

    @Test func passRateDropAndWeakenedPolicyAndSilenceAreFound() {
        let reject = PublishedPolicy(domain: "a.example", p: .reject)
        let quarantine = PublishedPolicy(domain: "a.example", p: .quarantine, pct: 50)
        let before = month(["a.example": (1_000, 990, reject), "b.example": (500, 500, nil)], tlsFailed: ["a.example": 2])
        let now = month(["a.example": (1_000, 850, quarantine)], tlsFailed: ["a.example": 9])
        let findings = analyzer.findings(current: now, previous: before)
        #expect(findings.map(\.kind) == [.passRateDrop, .policyWeakened, .tlsFailuresRising, .reportsStopped])
        #expect(findings.map(\.severity) == [.critical, .critical, .warning, .warning])
        #expect(findings[0].values == ["from": "99.0%", "to": "85.0%"])
        #expect(findings[1].values == ["from": "p=reject", "to": "p=quarantine pct=50"])
        let words = LocaleStrings(locale: "en", values: ["finding.policy_weakened": "policy weakened from {from} to {to} on {domain}"])
        #expect(findings[1].row(words).text == "policy weakened from p=reject to p=quarantine pct=50 on a.example")
    }

    @Test func smallVolumesAndSteadyMonthsGiveNothing() {
        let steady = month(["a.example": (1_000, 990, nil), "b.example": (50, 10, nil)])
        #expect(analyzer.findings(current: steady, previous: steady).isEmpty)
        #expect(analyzer.findings(current: steady, previous: nil).isEmpty)
    }
}
