import Testing
@testable import ReportModel

@Suite("Routing, dedup and aggregation")
struct AggregationTests {
    @Test func routesToTheNearestConfiguredParent() {
        let router = DomainRouter(owners: ["example.com": "a", "shop.example.com": "b", "example.co.jp": "c"])
        #expect(router.route("example.com")?.owner == "a")
        #expect(router.route("mail.example.com")?.domain == "example.com")
        #expect(router.route("eu.shop.example.com")?.owner == "b")
        #expect(router.route("news.example.co.jp")?.owner == "c")
        #expect(router.route("co.jp") == nil)
        #expect(router.route("notexample.com") == nil)
    }

    @Test func monthIsTheUTCMonthOfTheBeginning() {
        #expect(ReportMonth(unixTime: 1_764_547_199).description == "2025-11")  // 2025-11-30 23:59:59Z
        #expect(ReportMonth(unixTime: 1_764_547_200).description == "2025-12")
        #expect(ReportMonth(unixTime: 0).description == "1970-01")
        #expect(ReportMonth("2026-02")?.previous.description == "2026-01")
        #expect(ReportMonth("2026-13") == nil)
    }

    @Test func countsEveryDefinitionOnce() throws {
        let parser = AggregateReportParser()
        let report = try parser.parse(Fixture.data(Fixture.report(records: [
            Fixture.record(count: "10", disposition: "none", dkim: "pass", spf: "pass"),
            Fixture.record(ip: "192.0.2.2", count: "5", disposition: "quarantine", dkim: "fail", spf: "pass", headerFrom: "news.example.com"),
            Fixture.record(ip: "192.0.2.3", count: "2", disposition: "reject", dkim: "PASS", spf: "fail"),
            Fixture.record(ip: "192.0.2.4", count: "7", disposition: "reject", dkim: "fail", spf: "softfail"),
            Fixture.record(ip: "192.0.2.5", count: "4", headerFrom: "other.example"),
        ])))
        var aggregator = ReportAggregator(router: DomainRouter(owners: ["example.com": "client"]))
        aggregator.add(report)
        let month = try #require(aggregator.owners["client"]?[ReportMonth(year: 2025, month: 12)])
        let stats = try #require(month.domains["example.com"])
        #expect(stats.tally.messages == 24)
        #expect(stats.tally.dmarcPass == 17)
        #expect(stats.tally.spfAligned == 15)
        #expect(stats.tally.dkimAligned == 12)
        #expect(stats.tally.disposition.none == 10)
        #expect(stats.tally.disposition.quarantine == 5)
        #expect(stats.tally.disposition.reject == 9)
        #expect(stats.reports.count == 1)
        #expect(stats.sources.count == 4)
        #expect(stats.headerFromDomains["news.example.com"]?.messages == 5)
        #expect(month.records.count == 4)
        #expect(aggregator.unassigned["other.example"]?.messages == 4)
        #expect(aggregator.unassigned["other.example"]?.records == 1)
    }

    /// Records are routed stretch by stretch of one header_from, and routes are remembered
    /// from report to report: header_froms that alternate between owners, subdomains and
    /// unassigned domains, in two reports, still count each record for its own owner and each
    /// domain's policy once per report.
    @Test func alternatingHeaderFromsAcrossReportsCountForTheirOwnOwners() throws {
        let parser = AggregateReportParser()
        let records = [
            Fixture.record(ip: "192.0.2.1", count: "1", headerFrom: "mail.example.com"),
            Fixture.record(ip: "192.0.2.2", count: "2", headerFrom: "example.com"),
            Fixture.record(ip: "192.0.2.3", count: "4", headerFrom: "other.example"),
            Fixture.record(ip: "192.0.2.4", count: "8", headerFrom: "other.example"),
            Fixture.record(ip: "192.0.2.5", count: "16", headerFrom: "shop.example.net"),
            Fixture.record(ip: "192.0.2.6", count: "32", headerFrom: "mail.example.com"),
            Fixture.record(ip: "192.0.2.7", count: "64", headerFrom: "example.net"),
        ]
        let first = try parser.parse(Fixture.data(Fixture.report(records: records)))
        let second = try parser.parse(Fixture.data(Fixture.report(reportID: "r-2", records: records.reversed())))
        var together = ReportAggregator(router: DomainRouter(owners: ["example.com": "a", "example.net": "b"]))
        together.add([first, second])
        let month = ReportMonth(year: 2025, month: 12)
        let a = try #require(together.owners["a"]?[month]?.domains["example.com"])
        #expect(a.tally.messages == 2 * 35)
        #expect(a.reports.count == 2)
        #expect(a.publishedPolicies.values.reduce(0, +) == 2)
        #expect(a.headerFromDomains["mail.example.com"]?.messages == 2 * 33)
        #expect(a.sources.count == 3)
        let b = try #require(together.owners["b"]?[month]?.domains["example.net"])
        #expect(b.tally.messages == 2 * 80)
        #expect(b.publishedPolicies.values.reduce(0, +) == 2)
        #expect(together.owners["a"]?[month]?.records.map(\.record.count) == [1, 2, 32, 32, 2, 1])
        #expect(together.owners["b"]?[month]?.records.map(\.record.count) == [16, 64, 64, 16])
        #expect(together.unassigned["other.example"]?.records == 4)
        #expect(together.unassigned["other.example"]?.messages == 2 * 12)
        #expect(together.unassigned["other.example"]?.reports.count == 2)

        // Added one report at a time (no room made ahead), the same.
        var alone = ReportAggregator(router: DomainRouter(owners: ["example.com": "a", "example.net": "b"]))
        alone.add(first)
        alone.add(second)
        #expect(alone.owners == together.owners)
        #expect(alone.unassigned == together.unassigned)
    }

    @Test func keepsTheFirstCopyOfADuplicateReport() throws {
        let parser = AggregateReportParser()
        let first = try parser.parse(Fixture.data(Fixture.report()))
        let again = try parser.parse(Fixture.data(Fixture.report(records: [Fixture.record(count: "99")])))
        let other = try parser.parse(Fixture.data(Fixture.report(org: "Yahoo", reportID: "r-1")))
        var dedup = ReportDeduplicator<LoadedReport>()
        dedup.add(LoadedReport(source: ReportSource(file: "a.xml"), report: first))
        dedup.add(LoadedReport(source: ReportSource(file: "b.xml.gz"), report: again))
        dedup.add(LoadedReport(source: ReportSource(file: "c.xml"), report: other))
        #expect(dedup.unique.map(\.source.file) == ["a.xml", "c.xml"])
        #expect(dedup.duplicates.map(\.dropped.file) == ["b.xml.gz"])
        #expect(dedup.duplicates.first?.kept.file == "a.xml")
    }

    @Test func validatesHostNames() {
        #expect(DomainName.isValidHostName("example.co.jp"))
        #expect(DomainName.isValidHostName("xn--bcher-kva.example"))
        #expect(!DomainName.isValidHostName("localhost"))
        #expect(!DomainName.isValidHostName("../etc"))
        #expect(!DomainName.isValidHostName("a..b"))
        #expect(!DomainName.isValidHostName("<script>.example"))
        #expect(!DomainName.isValidHostName("-bad.example"))
    }
}
