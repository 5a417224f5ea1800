import Foundation
import ReportModel
import SyntheticReports
import Testing

@Suite("Sending sources")
struct SenderClassifierTests {
    let classifier: SenderClassifier

    init() throws {
        classifier = SenderClassifier(catalog: try SenderCatalog.shipped(), publicSuffixes: .builtIn)
    }

    // MARK: Recognising senders

    @Test func recognisesAKnownSenderByItsDKIMSigningDomain() throws {
        let senders = classifier.classify([
            record("149.72.1.1", dkimAligned: .fail, spfAligned: .pass,
                   dkim: [pass("sendgrid.net", "smtpapi")], spf: [spfPass("em1234.client.example")]),
        ], for: client)
        let sendGrid = try #require(senders.only)
        #expect(sendGrid.name == "SendGrid")
        #expect(sendGrid.category == .esp)
        #expect(sendGrid.recognisedBy == .dkimDomain("sendgrid.net"))
        #expect(sendGrid.verdict == .authorisedMisaligned(fix: [.dkimNotAligned(signingDomains: ["sendgrid.net"])]))
        #expect(sendGrid.signingDomains == ["sendgrid.net"])
        #expect(sendGrid.envelopeDomains == ["em1234.client.example"])
    }

    @Test func recognisesAKnownSenderByTheDomainSPFPassedFor() throws {
        let senders = classifier.classify([
            record("54.240.1.1", dkimAligned: .pass, spfAligned: .fail,
                   dkim: [pass("client.example", "easy")], spf: [spfPass("us-east-1.amazonses.com")]),
        ], for: client)
        let ses = try #require(senders.only)
        #expect(ses.name == "Amazon SES")
        #expect(ses.recognisedBy == .spfDomain("us-east-1.amazonses.com"))
        #expect(ses.verdict == .authorisedAligned)
    }

    @Test func recognisesAKnownSenderByEnvelopeFromWhenSPFPassed() throws {
        let vouched = record(
            "198.61.1.1", dkimAligned: .fail, spfAligned: .fail, envelopeFrom: "Bounce.Mailgun.org",
            spf: [SPFAuthResult(domain: "smtp-out.relay-host.example", scope: "helo", result: .pass)])
        let mailgun = try #require(classifier.classify([vouched], for: client).only)
        #expect(mailgun.name == "Mailgun")
        #expect(mailgun.recognisedBy == .envelopeFrom("bounce.mailgun.org"))

        // Without a passing SPF check the envelope_from is only a claim.
        let claimed = record("203.0.113.9", dkimAligned: .fail, spfAligned: .fail, envelopeFrom: "bounce.mailgun.org",
                             spf: [SPFAuthResult(domain: "bounce.mailgun.org", result: .fail)])
        #expect(classifier.classify([claimed], for: client).only?.identity == .unknown)
    }

    @Test func catalogDomainsMatchOnLabelBoundaries() {
        let senders = classifier.classify([
            record("192.0.2.1", dkimAligned: .fail, spfAligned: .fail, dkim: [pass("mail.sendgrid.net")]),
            record("192.0.2.2", count: 5, dkimAligned: .fail, spfAligned: .fail, dkim: [pass("notsendgrid.net")]),
        ], for: client)
        #expect(senders.map(\.name) == ["SendGrid", "notsendgrid.net"])
        #expect(senders.last?.identity == .unlisted(organisationalDomain: "notsendgrid.net"))
    }

    @Test func recognisesAServiceByTheSelectorOfTheClientsOwnSignature() {
        let senders = classifier.classify([
            record("209.85.128.1", dkimAligned: .pass, spfAligned: .pass,
                   dkim: [pass("client.example", "google")], spf: [spfPass("client.example")]),
            // A copied selector on a signature that does not verify proves nothing.
            record("203.0.113.7", count: 3, dkimAligned: .fail, spfAligned: .fail,
                   dkim: [DKIMAuthResult(domain: "client.example", selector: "google", result: .fail)]),
            // Nor does the selector of someone else's domain.
            record("203.0.113.8", count: 2, dkimAligned: .fail, spfAligned: .fail, dkim: [pass("other.example", "google")]),
        ], for: client)
        #expect(senders.map(\.name) == ["Google Workspace", "Unknown senders", "other.example"])
        #expect(senders.first?.recognisedBy == .dkimSelector(selector: "google", domain: "client.example"))
        #expect(senders.first?.verdict == .authorisedAligned)
    }

    @Test func ignoresIdentifiersThatDidNotPass() {
        let senders = classifier.classify([
            record("203.0.113.1", dkimAligned: .fail, spfAligned: .fail,
                   dkim: [DKIMAuthResult(domain: "sendgrid.net", result: .fail)],
                   spf: [SPFAuthResult(domain: "client.example", result: .softfail)]),
        ], for: client)
        #expect(senders.only?.identity == .unknown)
        #expect(senders.only?.verdict == .unknownSuspicious)
    }

    @Test func unlistedThirdPartyIsNamedByItsOrganisationalDomain() throws {
        let vendor = record("198.51.100.20", count: 40, dkimAligned: .fail, spfAligned: .fail,
                            dkim: [pass("crm-vendor.example")], spf: [spfPass("bounce.crm-vendor.example")])
        let unlisted = try #require(classifier.classify([vendor], for: client).only)
        #expect(unlisted.identity == .unlisted(organisationalDomain: "crm-vendor.example"))
        #expect(unlisted.recognisedBy == .spfDomain("bounce.crm-vendor.example"))
        // Nothing of the client's vouches for it.
        #expect(unlisted.verdict == .unknownSuspicious)

        // Once the workspace lists it, it is authorised, and what to fix is plain.
        let workspace = try SenderCatalog(json: Data("""
            {"schema_version": 1, "senders": [{"name": "Contoso CRM", "category": "crm", "domains": ["crm-vendor.example"]}]}
            """.utf8), file: "known-senders.json")
        let extended = SenderClassifier(catalog: classifier.catalog.extended(by: workspace), publicSuffixes: .builtIn)
        let listed = try #require(extended.classify([vendor], for: client).only)
        #expect(listed.name == "Contoso CRM")
        #expect(listed.category == .crm)
        #expect(listed.verdict == .authorisedMisaligned(fix: [
            .dkimNotAligned(signingDomains: ["crm-vendor.example"]),
            .spfNotAligned(envelopeDomains: ["bounce.crm-vendor.example"]),
        ]))
    }

    @Test func smallThirdPartiesNothingVouchesForJoinTheUnknownSenders() throws {
        let senders = classifier.classify([
            record("209.85.128.1", count: 1_000, dkimAligned: .pass, spfAligned: .pass,
                   dkim: [pass("client.example", "google")], spf: [spfPass("client.example")]),
            record("203.0.113.1", count: 5, dkimAligned: .fail, spfAligned: .fail, spf: [spfPass("bimu.info")]),
            record("203.0.113.2", count: 3, dkimAligned: .fail, spfAligned: .fail, dkim: [pass("doguva.biz")]),
            // One domain from two hosts stays a sender of its own.
            record("203.0.113.3", count: 2, dkimAligned: .fail, spfAligned: .fail, spf: [spfPass("mail.jawewe.top")]),
            record("203.0.113.4", count: 2, dkimAligned: .fail, spfAligned: .fail, spf: [spfPass("mail.jawewe.top")]),
        ], for: client)
        #expect(senders.map(\.name) == ["Google Workspace", "Unknown senders", "jawewe.top"])
        let unknown = try #require(senders.first { $0.identity == .unknown })
        #expect(unknown.verdict == .unknownSuspicious)
        #expect(unknown.messages == 8)
        #expect(unknown.sources.map(\.ip) == ["203.0.113.1", "203.0.113.2"])
        #expect(unknown.envelopeDomains == ["bimu.info"])
        #expect(unknown.signingDomains == ["doguva.biz"])
        #expect(unknown.recognisedBy == nil)
        #expect(senders.last?.verdict == .unknownSuspicious)
    }

    @Test func unlistedThirdPartySigningAsTheClientIsAuthorised() {
        let senders = classifier.classify([
            record("198.51.100.30", dkimAligned: .pass, spfAligned: .fail,
                   dkim: [pass("client.example"), pass("newsletter-tool.example")],
                   spf: [spfPass("bounces.newsletter-tool.example")]),
        ], for: client)
        #expect(senders.only?.identity == .unlisted(organisationalDomain: "newsletter-tool.example"))
        #expect(senders.only?.verdict == .authorisedAligned)
    }

    @Test func clientsOwnServersWithoutDKIMNeedDKIM() {
        let senders = classifier.classify([
            record("192.0.2.10", count: 50, dkimAligned: .pass, spfAligned: .pass,
                   dkim: [pass("client.example", "mail")], spf: [spfPass("client.example")]),
            record("192.0.2.11", count: 50, dkimAligned: .fail, spfAligned: .pass, spf: [spfPass("client.example")]),
        ], for: client)
        #expect(senders.only?.identity == .ownInfrastructure)
        #expect(senders.only?.name == "client.example")
        #expect(senders.only?.verdict == .authorisedMisaligned(fix: [.dkimMissing]))
        #expect(senders.only?.sources.map(\.ip) == ["192.0.2.10", "192.0.2.11"])
    }

    @Test func otherDomainsOfTheClientCountAsItsOwn() {
        let signedByTheSisterDomain = record(
            "192.0.2.12", dkimAligned: .fail, spfAligned: .pass,
            dkim: [pass("contoso.co.jp")], spf: [spfPass("client.example")])
        let alone = classifier.classify([signedByTheSisterDomain], for: client)
        #expect(alone.only?.identity == .unlisted(organisationalDomain: "contoso.co.jp"))
        let together = classifier.classify([signedByTheSisterDomain], for: client, otherClientDomains: ["contoso.co.jp"])
        #expect(together.only?.identity == .ownInfrastructure)
        #expect(together.only?.verdict == .authorisedMisaligned(fix: [.dkimNotAligned(signingDomains: ["contoso.co.jp"])]))
    }

    // MARK: Forwarders

    @Test func relayKeepingTheClientsSignatureIsAForwarderWithAllItsRecords() throws {
        let senders = classifier.classify([
            record("198.51.100.1", count: 7, dkimAligned: .pass, spfAligned: .fail,
                   dkim: [pass("client.example", "google")], spf: [SPFAuthResult(domain: "client.example", result: .fail)]),
            // The same relay broke the signature of a few copies.
            record("198.51.100.1", count: 3, dkimAligned: .fail, spfAligned: .fail,
                   dkim: [DKIMAuthResult(domain: "client.example", selector: "google", result: .fail)],
                   spf: [SPFAuthResult(domain: "client.example", result: .fail)]),
        ], for: client)
        let forwarded = try #require(senders.only)
        #expect(forwarded.identity == .forwarded)
        #expect(forwarded.verdict == .forwarder)
        #expect(forwarded.messages == 10)
        #expect(forwarded.dkimAligned == 7)
        #expect(forwarded.sources.map(\.ip) == ["198.51.100.1"])
    }

    @Test func receiverOverridesMarkForwardsButPlainLocalPolicyDoesNot() {
        func failing(_ ip: String, _ reason: OverrideReason) -> ReportRecord {
            record(ip, disposition: .none, dkimAligned: .fail, spfAligned: .fail, overrideReasons: [reason],
                   spf: [SPFAuthResult(domain: "client.example", result: .fail)])
        }
        let senders = classifier.classify([
            failing("192.0.2.30", OverrideReason(type: .mailingList)),
            failing("192.0.2.31", OverrideReason(type: .trustedForwarder)),
            failing("192.0.2.32", OverrideReason(type: .localPolicy, comment: "arc=pass")),
            // A receiver that quarantines instead of rejecting says local_policy too.
            failing("192.0.2.33", OverrideReason(type: .localPolicy)),
        ], for: client)
        #expect(senders.map(\.identity) == [.forwarded, .unknown])
        #expect(senders.first?.sources.map(\.ip) == ["192.0.2.30", "192.0.2.31", "192.0.2.32"])
        #expect(senders.map(\.verdict) == [.forwarder, .unknownSuspicious])
    }

    /// A record is judged like the one before it only when all of its results agree, alignment
    /// included; one like an earlier record is judged like that one.
    @Test func recordsWithTheSameIdentifiersButOtherAlignmentAreJudgedApart() {
        let signed = [pass("client.example")]
        let senders = classifier.classify([
            // The client's signature survived where SPF did not: a forward.
            record("192.0.2.40", dkimAligned: .pass, spfAligned: .fail, dkim: signed),
            record("192.0.2.41", dkimAligned: .pass, spfAligned: .pass, dkim: signed),
            record("192.0.2.42", dkimAligned: .pass, spfAligned: .fail, dkim: signed),
        ], for: client)
        #expect(senders.map(\.identity) == [.forwarded, .ownInfrastructure])
        #expect(senders.first?.sources.map(\.ip) == ["192.0.2.40", "192.0.2.42"])
        #expect(senders.last?.sources.map(\.ip) == ["192.0.2.41"])
    }

    @Test func knownForwardingServiceIsAForwarder() {
        let senders = classifier.classify([
            record("209.85.220.1", dkimAligned: .pass, spfAligned: .fail,
                   dkim: [pass("client.example"), pass("googlegroups.com")],
                   spf: [spfPass("googlegroups.com")]),
        ], for: client)
        #expect(senders.only?.name == "Google Groups")
        #expect(senders.only?.verdict == .forwarder)
    }

    // MARK: Verdict thresholds

    @Test func alignedMeansAtLeastTheAlignedShareWithAnAlignedSignature() {
        func google(alignedMessages: Int, spfOnly: Int) -> SenderVerdict? {
            classifier.classify([
                record("209.85.128.1", count: alignedMessages, dkimAligned: .pass, spfAligned: .pass,
                       dkim: [pass("client.example", "google")], spf: [spfPass("client.example")]),
                record("209.85.128.2", count: spfOnly, dkimAligned: .fail, spfAligned: .pass,
                       dkim: [pass("client-example.20230601.gappssmtp.com")], spf: [spfPass("client.example")]),
            ], for: client).only?.verdict
        }
        #expect(SenderClassifier.alignedShare == 0.95)
        #expect(google(alignedMessages: 95, spfOnly: 5) == .authorisedAligned)
        #expect(google(alignedMessages: 94, spfOnly: 6)
            == .authorisedMisaligned(fix: [.dkimNotAligned(signingDomains: ["client-example.20230601.gappssmtp.com"])]))
    }

    @Test func fixesConcerningFewMessagesAreLeftOut() {
        let senders = classifier.classify([
            record("167.89.0.1", count: 97, dkimAligned: .fail, spfAligned: .pass,
                   dkim: [pass("sendgrid.net")], spf: [spfPass("em1.client.example")]),
            record("167.89.0.2", count: 3, dkimAligned: .fail, spfAligned: .fail,
                   dkim: [pass("sendgrid.net")], spf: [spfPass("sendgrid.net")]),
        ], for: client)
        #expect(SenderClassifier.fixShare == 0.05)
        #expect(senders.only?.verdict == .authorisedMisaligned(fix: [.dkimNotAligned(signingDomains: ["sendgrid.net"])]))
    }

    // MARK: Grouping and order

    @Test func eachIPGoesToTheSenderMostOfItsRecognisedMailCameFrom() {
        let senders = classifier.classify([
            record("149.72.9.9", count: 3, dkimAligned: .fail, spfAligned: .pass,
                   dkim: [pass("sendgrid.net")], spf: [spfPass("em1.client.example")]),
            record("149.72.9.9", count: 10, dkimAligned: .fail, spfAligned: .fail),
        ], for: client)
        #expect(senders.only?.name == "SendGrid")
        #expect(senders.only?.messages == 13)
        #expect(senders.only?.sources == [SenderSource(ip: "149.72.9.9", tally: tally(
            record("149.72.9.9", count: 3, dkimAligned: .fail, spfAligned: .pass),
            record("149.72.9.9", count: 10, dkimAligned: .fail, spfAligned: .fail)))])
    }

    @Test func orderIsByMessagesThenNameWhateverTheInputOrder() {
        let records = [
            record("149.72.0.1", count: 10, dkimAligned: .pass, spfAligned: .pass,
                   dkim: [pass("client.example"), pass("sendgrid.net")], spf: [spfPass("em1.client.example")]),
            record("54.240.0.1", count: 10, dkimAligned: .pass, spfAligned: .fail,
                   dkim: [pass("client.example")], spf: [spfPass("amazonses.com")]),
            record("203.0.113.1", count: 1, dkimAligned: .fail, spfAligned: .fail),
            record("203.0.113.2", count: 4, dkimAligned: .fail, spfAligned: .fail),
            record("203.0.113.10", count: 4, dkimAligned: .fail, spfAligned: .fail),
            record("209.85.128.1", count: 30, dkimAligned: .pass, spfAligned: .pass,
                   dkim: [pass("client.example", "google")], spf: [spfPass("client.example")]),
            record("203.0.113.1", count: 0, dkimAligned: .fail, spfAligned: .fail, dkim: [pass("sendgrid.net")]),
        ]
        let expected = classifier.classify(records, for: client)
        #expect(expected.map(\.name) == ["Google Workspace", "Amazon SES", "SendGrid", "Unknown senders"])
        #expect(expected.last?.sources.map(\.ip) == ["203.0.113.10", "203.0.113.2", "203.0.113.1"])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            #expect(classifier.classify(records.shuffled(using: &generator), for: client) == expected)
        }
    }

    @Test func aggregatedRecordsOfOtherDomainsAreLeftOut() {
        let identity = ReportIdentity(orgName: "google.com", reportID: "1")
        let range = DateRange(begin: 0, end: 86_399)
        let records = [
            AggregatedRecord(domain: "client.example", report: identity, dateRange: range,
                             record: record("192.0.2.1", dkimAligned: .fail, spfAligned: .fail)),
            AggregatedRecord(domain: "other.example", report: identity, dateRange: range,
                             record: record("192.0.2.2", headerFrom: "other.example", dkimAligned: .fail, spfAligned: .fail)),
        ]
        #expect(classifier.classify(records, for: "Client.Example").only?.sources.map(\.ip) == ["192.0.2.1"])
    }

    // MARK: The demo workspace

    @Test func demoWorkspaceSendersOfContoso() throws {
        var spec = SyntheticWorkspaceSpec.demo()
        spec.domains = spec.domains.filter { $0.name == "contoso.example" }
        spec.firstMonth = ReportMonth(year: 2026, month: 5)
        spec.monthCount = 2
        var aggregator = ReportAggregator(router: DomainRouter(owners: ["contoso.example": "contoso"]))
        for file in try SyntheticWorkspace(spec: spec).generate().files { aggregator.add(file.report) }
        let classifier = SenderClassifier(catalog: classifier.catalog)

        func senders(in month: ReportMonth) throws -> [SenderSummary] {
            let records = try #require(aggregator.owners["contoso"]?[month]?.records)
            return classifier.classify(records, for: "contoso.example")
        }
        for (month, sendGridVerdict) in [
            (ReportMonth(year: 2026, month: 5), SenderVerdict.authorisedMisaligned(fix: [.dkimNotAligned(signingDomains: ["sendgrid.net"])])),
            (ReportMonth(year: 2026, month: 6), .authorisedAligned),
        ] {
            let senders = try senders(in: month)
            func named(_ name: String) -> SenderSummary? { senders.first { $0.name == name } }
            #expect(named("Google Workspace")?.verdict == .authorisedAligned, "\(month)")
            #expect(named("Amazon SES")?.verdict == .authorisedAligned, "\(month)")
            #expect(named("SendGrid")?.verdict == sendGridVerdict, "\(month)")
            #expect(named("Forwarded mail")?.verdict == .forwarder, "\(month)")
            #expect(senders.prefix(3).map(\.name) == ["Google Workspace", "SendGrid", "Amazon SES"], "\(month)")
            // Whatever the spoofers authenticated as, nothing vouches for them.
            let spoofers = senders.filter {
                switch $0.identity {
                case .unknown, .unlisted: true
                default: false
                }
            }
            #expect(spoofers.contains { $0.identity == .unknown }, "\(month)")
            #expect(spoofers.allSatisfy { $0.verdict == .unknownSuspicious && $0.dmarcPass == 0 }, "\(month)")
            // Every message is in exactly one sender, every IP in one sender.
            let total = try #require(aggregator.owners["contoso"]?[month]?.total)
            #expect(senders.reduce(0) { $0 + $1.messages } == total.messages)
            let ips = senders.flatMap { $0.sources.map(\.ip) }
            #expect(Set(ips).count == ips.count)
        }
    }

    // MARK: Helpers

    private let client = "client.example"

    private func record(
        _ ip: String, count: Int = 10, disposition: Disposition = .none, headerFrom: String = "client.example",
        dkimAligned: PolicyResult, spfAligned: PolicyResult, overrideReasons: [OverrideReason] = [],
        envelopeFrom: String? = nil, dkim: [DKIMAuthResult] = [], spf: [SPFAuthResult] = []
    ) -> ReportRecord {
        ReportRecord(
            sourceIP: ip, count: count, disposition: disposition, dkimAligned: dkimAligned, spfAligned: spfAligned,
            overrideReasons: overrideReasons, headerFrom: headerFrom, envelopeFrom: envelopeFrom,
            dkimResults: dkim, spfResults: spf)
    }

    private func pass(_ domain: String, _ selector: String? = nil) -> DKIMAuthResult {
        DKIMAuthResult(domain: domain, selector: selector, result: .pass)
    }

    private func spfPass(_ domain: String) -> SPFAuthResult {
        SPFAuthResult(domain: domain, scope: "mfrom", result: .pass)
    }

    private func tally(_ records: ReportRecord...) -> MessageTally {
        records.reduce(into: MessageTally()) { $0.add($1) }
    }
}

extension SenderClassifierTests {
    @Suite("Public suffix list")
    struct PublicSuffixListTests {
        let list = PublicSuffixList(listText: """
            // ===BEGIN ICANN DOMAINS===
            com
            jp
            co.jp
            // Wildcards and their exceptions.
            *.kawasaki.jp
            !city.kawasaki.jp
            cn
            公司.cn

            uk
            co.uk
            """)

        @Test func organisationalDomainIsOneLabelBelowTheLongestRule() {
            #expect(list.organisationalDomain(of: "mail.example.com") == "example.com")
            #expect(list.organisationalDomain(of: "a.b.example.co.jp") == "example.co.jp")
            #expect(list.organisationalDomain(of: "Mail.Example.CO.UK.") == "example.co.uk")
            #expect(list.publicSuffix(of: "a.b.example.co.jp") == "co.jp")
        }

        @Test func wildcardRulesMakeEveryLabelBelowThemASuffix() {
            #expect(list.publicSuffix(of: "foo.bar.kawasaki.jp") == "bar.kawasaki.jp")
            #expect(list.organisationalDomain(of: "www.foo.bar.kawasaki.jp") == "foo.bar.kawasaki.jp")
            #expect(list.isPublicSuffix("bar.kawasaki.jp"))
        }

        @Test func exceptionRulesPrevailOverWildcards() {
            #expect(list.publicSuffix(of: "www.city.kawasaki.jp") == "kawasaki.jp")
            #expect(list.organisationalDomain(of: "www.city.kawasaki.jp") == "city.kawasaki.jp")
            #expect(!list.isPublicSuffix("city.kawasaki.jp"))
        }

        @Test func unlistedTopLevelDomainsFallUnderTheDefaultRule() {
            #expect(list.organisationalDomain(of: "a.b.example") == "b.example")
            #expect(list.publicSuffix(of: "example") == "example")
        }

        @Test func publicSuffixesAndBrokenNamesHaveNoOrganisationalDomain() {
            #expect(list.organisationalDomain(of: "co.jp") == nil)
            #expect(list.isPublicSuffix("co.jp"))
            #expect(list.organisationalDomain(of: "a..example.com") == nil)
            #expect(list.organisationalDomain(of: "") == nil)
        }

        @Test func unicodeRulesMatchNamesInTheirXNForm() {
            #expect(list.publicSuffix(of: "shop.xn--55qx5d.cn") == "xn--55qx5d.cn")
            #expect(list.organisationalDomain(of: "www.shop.公司.cn") == "shop.xn--55qx5d.cn")
        }

        @Test func builtInFallbackKnowsTheCommonMultiLabelSuffixes() {
            let builtIn = PublicSuffixList.builtIn
            #expect(builtIn.organisationalDomain(of: "mail.contoso.co.jp") == "contoso.co.jp")
            #expect(builtIn.organisationalDomain(of: "smtp.shop.com.au") == "shop.com.au")
            #expect(builtIn.organisationalDomain(of: "news.example.co.uk") == "example.co.uk")
            #expect(builtIn.organisationalDomain(of: "em1234.contoso.example") == "contoso.example")
        }

        @Test(.enabled(if: FileManager.default.fileExists(atPath: PublicSuffixList.debianListPath)))
        func systemListIsDebiansListWhenInstalled() {
            let system = PublicSuffixList.system
            #expect(system.ruleCount > 5_000)
            #expect(system.organisationalDomain(of: "www.city.kawasaki.jp") == "city.kawasaki.jp")
            #expect(system.organisationalDomain(of: "mail.contoso.co.jp") == "contoso.co.jp")
            // A private-section rule.
            #expect(system.organisationalDomain(of: "a.myapp.herokuapp.com") == "myapp.herokuapp.com")
        }
    }
}

extension SenderClassifierTests {
    @Suite("Known senders catalog")
    struct CatalogTests {
        @Test func shippedCatalogListsTheWellKnownSenders() throws {
            let catalog = try SenderCatalog.shipped()
            #expect(catalog.senders.count >= 30)
            #expect(Set(catalog.senders.map { $0.name.lowercased() }).count == catalog.senders.count)
            for name in ["Google Workspace", "Microsoft 365", "Amazon SES", "SendGrid", "Mailchimp", "Salesforce"] {
                #expect(catalog.senders.contains { $0.name == name }, "\(name)")
            }
            #expect(catalog.sender(forDomain: "mandrillapp.com")?.name == "Mailchimp")
            #expect(catalog.sender(forDomain: "mail.protection.outlook.com")?.name == "Microsoft 365")
            #expect(catalog.sender(forDomain: "googlegroups.com")?.category == .forwarder)
            #expect(catalog.sender(forSelector: "google")?.name == "Google Workspace")
        }

        @Test func domainsMatchOnLabelBoundariesOnly() throws {
            let catalog = try SenderCatalog.shipped()
            #expect(catalog.sender(forDomain: "mail.sendgrid.net")?.name == "SendGrid")
            #expect(catalog.sender(forDomain: "SendGrid.NET.")?.name == "SendGrid")
            #expect(catalog.sender(forDomain: "notsendgrid.net") == nil)
            #expect(catalog.sender(forDomain: "sendgrid.net.attacker.example") == nil)
        }

        @Test func workspaceEntriesReplaceShippedOnesByNameAndWinTheirDomains() throws {
            let file = try TemporaryFile(json: """
                {"schema_version": 1, "senders": [
                  {"name": "sendgrid", "category": "esp", "domains": ["sendgrid.net", "sg-relay.example"]},
                  {"name": "Contoso CRM", "category": "crm", "domains": ["crm-vendor.example"]},
                  {"name": "Our SES relay", "category": "other", "domains": ["amazonses.com"]}
                ]}
                """)
            defer { file.remove() }
            let shipped = try SenderCatalog.shipped()
            let catalog = try SenderCatalog.load(extending: file.url)
            #expect(catalog.senders.count == shipped.senders.count + 2)
            #expect(catalog.senders.filter { $0.name.lowercased() == "sendgrid" }.map(\.name) == ["sendgrid"])
            #expect(catalog.sender(forDomain: "bounce.sg-relay.example")?.name == "sendgrid")
            #expect(catalog.sender(forDomain: "bounce.crm-vendor.example")?.category == .crm)
            #expect(catalog.sender(forDomain: "amazonses.com")?.name == "Our SES relay")
            #expect(catalog.sender(forDomain: "mcsv.net")?.name == "Mailchimp")
            #expect(try SenderCatalog.load(extending: nil).senders == shipped.senders)
        }

        @Test(arguments: [
            ("{\"schema_version\": 1, \"senders\": [", "is not valid JSON"),
            ("[]", "must hold a JSON object"),
            ("{\"schema_version\": 2, \"senders\": []}", "schema_version: 2 is not supported"),
            ("{\"senders\": []}", "schema_version: must be the number 1"),
            ("{\"schema_version\": 1, \"senders\": [], \"extra\": 1}", "extra: unknown key"),
            ("{\"schema_version\": 1, \"senders\": [{\"name\": \"X\", \"category\": \"esp\", \"domain\": [\"x.example\"]}]}",
             "senders[0].domain: unknown key"),
            ("{\"schema_version\": 1, \"senders\": [{\"name\": \"X\", \"category\": \"bank\", \"domains\": [\"x.example\"]}]}",
             "senders[0].category: \"bank\" is not one of"),
            ("{\"schema_version\": 1, \"senders\": [{\"name\": \"X\", \"category\": \"esp\", \"domains\": []}]}",
             "senders[0].domains: must list at least one entry"),
            ("{\"schema_version\": 1, \"senders\": [{\"name\": \"X\", \"category\": \"esp\", \"domains\": [\"co.jp\"]}]}",
             "senders[0].domains[0]: co.jp is a public suffix"),
            ("{\"schema_version\": 1, \"senders\": [{\"name\": \"X\", \"category\": \"esp\", \"domains\": [\"a b.example\"]}]}",
             "senders[0].domains[0]: \"a b.example\" is not a host name"),
            ("{\"schema_version\": 1, \"senders\": [{\"name\": \"X\", \"category\": \"esp\", \"domains\": [\"x.example\"]},"
                + "{\"name\": \"x\", \"category\": \"esp\", \"domains\": [\"y.example\"]}]}",
             "senders[1].name: \"x\" is already the name of senders[0]"),
            ("{\"schema_version\": 1, \"senders\": [{\"name\": \"X\", \"category\": \"esp\", \"domains\": [\"x.example\"]},"
                + "{\"name\": \"Y\", \"category\": \"esp\", \"domains\": [\"X.example\"]}]}",
             "senders[1].domains[0]: x.example is already listed by senders[0]"),
        ])
        func brokenMappingFilesAreErrorsThatSayWhere(json: String, message: String) {
            #expect {
                _ = try SenderCatalog(json: Data(json.utf8), file: "ws/known-senders.json")
            } throws: { error in
                let description = (error as? SenderCatalogError)?.description ?? ""
                return description.hasPrefix("ws/known-senders.json: ") && description.contains(message)
            }
        }

        @Test func missingWorkspaceFileIsAnError() {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).json")
            #expect(throws: SenderCatalogError.self) { try SenderCatalog.load(extending: url) }
        }
    }
}

/// A JSON file in the temporary folder, removed by the test.
private struct TemporaryFile {
    let url: URL

    init(json: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("known-senders-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

extension Array {
    /// The single element, nil when there are none or several.
    fileprivate var only: Element? { count == 1 ? first : nil }
}
