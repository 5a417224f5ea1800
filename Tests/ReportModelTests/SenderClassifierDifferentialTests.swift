import Foundation
@testable import ReportModel
import SyntheticReports
import Testing

/// `SenderClassifier` judges each distinct evidence once, reads records in place and folds small
/// suspects before it adds up their domains; `PublicSuffixList` walks a name's suffixes from
/// its last label. Compared here with plain implementations of the same rules
/// (`ReferenceSenderClassifier`, `ReferencePublicSuffixList`) on varied and awkward input.
@Suite("Sending sources: differential")
struct SenderClassifierDifferentialTests {
    let catalog: SenderCatalog

    init() throws {
        catalog = try SenderCatalog.shipped()
    }

    /// Records mixing catalog services, the client's own servers, unlisted third parties,
    /// forwards and spoofers' throwaway domains, with the quirks reporters send (case, trailing
    /// dots, white space, whole addresses as envelope_from, HELO results, override comments),
    /// some sharing their result lists as records read from the archive do.
    @Test(arguments: 1...24) func randomRecordsClassifyAsTheReferenceDoes(seed: UInt64) {
        var random = RandomRecords(seed: seed)
        let records = random.make(count: 150 + Int(seed % 5) * 120)
        for publicSuffixes in [PublicSuffixList.builtIn, .system] {
            let classifier = SenderClassifier(catalog: catalog, publicSuffixes: publicSuffixes)
            let reference = ReferenceSenderClassifier(catalog: catalog, publicSuffixes: publicSuffixes)
            for (domain, others) in [
                ("client.example", ["client-two.example"]), ("Client.Example.", []),
                ("bücher.example", ["client.example"]), ("mail.client.example", ["vendor.co.uk"]),
            ] {
                let expected = reference.classify(records, for: domain, otherClientDomains: others)
                #expect(classifier.classify(records, for: domain, otherClientDomains: others) == expected, "\(seed) \(domain)")
            }
        }
    }

    /// A generated month of every domain of a few clients: many spoofers, whose throwaway
    /// domains are folded into the unknown senders.
    @Test(arguments: [3, 20_261_130] as [UInt64]) func generatedMonthsClassifyAsTheReferenceDoes(seed: UInt64) throws {
        let shape = BenchmarkShape(clients: 2, domainsPerClient: 3, days: 12, reporters: 3, seed: seed)
        var owners: [String: String] = [:]
        for client in 1...shape.clients {
            for domain in 1...shape.domainsPerClient { owners[shape.domainName(client: client, domain: domain)] = shape.clientID(client) }
        }
        var aggregator = ReportAggregator(router: DomainRouter(owners: owners))
        for file in try SyntheticWorkspace(spec: shape.spec).generate().files { aggregator.add(file.report) }
        let classifier = SenderClassifier(catalog: catalog)
        let reference = ReferenceSenderClassifier(catalog: catalog, publicSuffixes: .system)
        var spoofedDomains = 0
        for (owner, months) in aggregator.owners {
            let domains = owners.filter { $0.value == owner }.map(\.key).sorted()
            for data in months.values {
                for domain in domains {
                    let records = data.records.filter { $0.domain == domain }.map(\.record)
                    let others = domains.filter { $0 != domain }
                    let expected = reference.classify(records, for: domain, otherClientDomains: others)
                    #expect(classifier.classify(records, for: domain, otherClientDomains: others) == expected, "\(domain)")
                    spoofedDomains += expected.first { $0.identity == .unknown }?.envelopeDomains.count ?? 0
                }
            }
        }
        #expect(spoofedDomains > 10)
    }

    // MARK: Public suffixes

    @Test func publicSuffixesOfTheTestListAreTheReferences() {
        let text = """
            com
            jp
            co.jp
            *.kawasaki.jp
            !city.kawasaki.jp
            uk
            co.uk
            *.ck
            !www.ck
            公司.cn
            blogspot.com
            """
        expectSameSuffixes(text, names: ["www.ck", "a.www.ck", "ck", "x.ck", "a.x.ck", "公司.cn", "a.公司.cn"])
    }

    @Test func publicSuffixesOfTheBuiltInListAreTheReferences() {
        expectSameSuffixes(PublicSuffixList.builtInListText)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: PublicSuffixList.debianListPath)))
    func publicSuffixesOfDebiansListAreTheReferences() throws {
        expectSameSuffixes(try String(contentsOfFile: PublicSuffixList.debianListPath, encoding: .utf8))
    }

    /// Names built on the list's own rules, and names that are not host names.
    private func expectSameSuffixes(_ text: String, names extra: [String] = []) {
        let list = PublicSuffixList(listText: text)
        let reference = ReferencePublicSuffixList(listText: text)
        let rules = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("//") }
        let bases = rules.enumerated().filter { $0.offset % max(1, rules.count / 2_000) == 0 }.map { rule in
            rule.element.hasPrefix("!") ? String(rule.element.dropFirst())
                : rule.element.hasPrefix("*.") ? String(rule.element.dropFirst(2)) : rule.element
        }
        var names = extra + [
            "", ".", "..", "a..b", ".com", "com.", "com", "example.com", "Mail.Example.COM.", " example.com ",
            "bücher.example", "mail.bücher.co.jp", "xn--bcher-kva.example", "a.b.c.d.e.f.example.co.uk",
            "host123.korimo.xyz", "sub.city.kawasaki.jp", "city.kawasaki.jp", "a.b.kawasaki.jp",
        ]
        for (index, base) in bases.enumerated() {
            names += [base, "x.\(base)", "www.x.\(base)", "a.b.c.\(base)"]
            if index % 7 == 0 { names += ["Mail.\(base.uppercased()).", "\(base)..x", "ü.\(base)"] }
        }
        var mismatches: [String] = []
        for name in names {
            if list.organisationalDomain(of: name) != reference.organisationalDomain(of: name)
                || list.publicSuffix(of: name) != reference.publicSuffix(of: name)
                || list.isPublicSuffix(name) != reference.isPublicSuffix(name) {
                mismatches.append(name)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
        #expect(names.count > 40)
    }
}

/// Deterministic records for the differential tests (SplitMix64).
private struct RandomRecords {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15
    }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    private mutating func chance(_ probability: Double) -> Bool { Double(next() % 10_000) < probability * 10_000 }
    private mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }

    private static let domains = [
        "client.example", "Client.Example.", "mail.client.example", "client-two.example", "bücher.example",
        "sendgrid.net", "SendGrid.NET", "em1234.sendgrid.net", "amazonses.com", "us-east-1.amazonses.com",
        "mailgun.org", "bounce.mailgun.org", "googlegroups.com", "google.com", "vendor.co.uk", "news.vendor.co.uk",
        "crm-tool.example.com", " padded.example ", "", "co.uk", "xn--bcher-kva.example",
    ]
    private static let selectors: [String?] = [nil, "google", "s1", "SELECTOR1", "", "k1", "smtpapi", "mail"]
    private static let scopes: [String?] = [nil, "mfrom", "helo", "HELO", " helo "]
    private static let overrides: [[OverrideReason]] = [
        [], [], [], [OverrideReason(type: .forwarded)], [OverrideReason(type: .localPolicy, comment: "arc=pass")],
        [OverrideReason(type: .localPolicy, comment: "quarantined")], [OverrideReason(type: .mailingList)],
        [OverrideReason(type: .trustedForwarder, comment: nil)], [OverrideReason(type: .sampledOut)],
    ]

    private mutating func domain() -> String {
        chance(0.35) ? "s\(below(400)).\(pick(["xyz", "top", "co.uk", "shop"]))" : pick(Self.domains)
    }

    private mutating func alignment() -> PolicyResult {
        chance(0.05) ? .unknown("Pass") : (chance(0.5) ? .pass : .fail)
    }

    mutating func make(count: Int) -> [ReportRecord] {
        var records: [ReportRecord] = []
        var dkimLists: [[DKIMAuthResult]] = []
        var spfLists: [[SPFAuthResult]] = []
        while records.count < count {
            let ip = chance(0.3) ? "203.0.113.\(below(250))" : (chance(0.2) ? "2001:db8::\(below(30))" : "192.0.2.\(below(40))")
            if let last = records.last, chance(0.2) {
                // Like the record before: another source, the same results.
                var like = last
                like.sourceIP = ip
                like.count = below(20)
                records.append(like)
                continue
            }
            let dkim: [DKIMAuthResult]
            if !dkimLists.isEmpty, chance(0.3) {
                dkim = pick(dkimLists)
            } else {
                dkim = (0..<pick([0, 1, 1, 1, 2])).map { _ in
                    DKIMAuthResult(
                        domain: domain(), selector: pick(Self.selectors),
                        result: chance(0.6) ? .pass : pick([.fail, .none, .unknown("PASS")]), humanResult: chance(0.1) ? "ok" : nil)
                }
                dkimLists.append(dkim)
            }
            let spf: [SPFAuthResult]
            if !spfLists.isEmpty, chance(0.3) {
                spf = pick(spfLists)
            } else {
                spf = (0..<pick([0, 1, 1, 2])).map { _ in
                    SPFAuthResult(domain: domain(), scope: pick(Self.scopes), result: chance(0.6) ? .pass : pick([.fail, .softfail, .none]))
                }
                spfLists.append(spf)
            }
            let envelopeFrom: String? = switch below(6) {
            case 0: nil
            case 1: "bounce@\(domain())"
            case 2: "a@b@\(domain())"
            case 3: pick(["", "@", "Bounce.Mailgun.org."])
            default: domain()
            }
            records.append(ReportRecord(
                sourceIP: ip, count: chance(0.05) ? 0 : 1 + below(40), disposition: pick([.none, .quarantine, .reject]),
                dkimAligned: alignment(), spfAligned: alignment(), overrideReasons: pick(Self.overrides),
                headerFrom: "client.example", envelopeFrom: envelopeFrom, dkimResults: dkim, spfResults: spf))
        }
        return records
    }
}
