import ReportModel

/// The size of a benchmark workspace: clients × domains per client × days × reporters, one
/// plain XML DMARC report per domain, day and reporter.
public struct BenchmarkShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public var clients: Int
    public var domainsPerClient: Int
    public var days: Int
    public var reporters: Int
    public var seed: UInt64

    /// The reporters in the order `reporters` takes them: the largest first.
    public static let reporterOrder: [SyntheticReporter] = [
        .google, .enterpriseOutlook, .yahoo, .outlook, .comcast, .gmx, .fastmail, .mailRu,
    ]

    /// The first day with reports: 2026-11-01 (November has 30 days, so the default is one month).
    public static let firstMonth = ReportMonth(year: 2026, month: 11)

    public init(clients: Int = 1_000, domainsPerClient: Int = 3, days: Int = 30, reporters: Int = 3, seed: UInt64 = 20_261_101) {
        self.clients = clients
        self.domainsPerClient = domainsPerClient
        self.days = days
        self.reporters = reporters
        self.seed = seed
    }

    /// The number of report files the shape asks for (a few fewer are written when a small
    /// domain's day has no message for a reporter).
    public var expectedFiles: Int { clients * domainsPerClient * days * reporters }

    public var description: String {
        "\(clients) clients × \(domainsPerClient) domains × \(days) days × \(reporters) reporters"
    }

    /// Problems with the numbers, as sentences; empty when the shape can be generated.
    public var problems: [String] {
        var problems: [String] = []
        if !(1...99_999).contains(clients) { problems.append("clients must be from 1 to 99999") }
        if !(1...99).contains(domainsPerClient) { problems.append("domains must be from 1 to 99") }
        if !(1...366).contains(days) { problems.append("days must be from 1 to 366") }
        if !(1...Self.reporterOrder.count).contains(reporters) {
            problems.append("reporters must be from 1 to \(Self.reporterOrder.count)")
        }
        return problems
    }

    /// `client-00001`: fixed width, so folder order is client order.
    public func clientID(_ client: Int) -> String {
        "client-" + String(repeating: "0", count: max(0, 5 - String(client).count)) + String(client)
    }

    /// `client-00001-d1.example`.
    public func domainName(client: Int, domain: Int) -> String {
        "\(clientID(client))-d\(domain).example"
    }

    /// The domains of every client, client by client.
    public var domainNames: [String] {
        (1...max(1, clients)).flatMap { client in (1...max(1, domainsPerClient)).map { domainName(client: client, domain: $0) } }
    }

    /// The months the days span.
    public var monthCount: Int {
        var month = Self.firstMonth
        var remaining = days
        var count = 0
        while remaining > 0 {
            remaining -= month.dayCount
            month = month.next
            count += 1
        }
        return max(1, count)
    }

    /// The generator spec: every domain gets a report from each reporter every day, no quirks,
    /// plain XML. Domains cycle through a few sender mixes, policies and volumes so pages
    /// show the usual variety (aligned, misaligned, forwarded and spoofed mail).
    public var spec: SyntheticWorkspaceSpec {
        var domains: [SyntheticDomain] = []
        var index = 0
        for client in 1...max(1, clients) {
            for domain in 1...max(1, domainsPerClient) {
                domains.append(Self.domain(named: domainName(client: client, domain: domain), index: index))
                index += 1
            }
        }
        return SyntheticWorkspaceSpec(
            domains: domains, firstMonth: Self.firstMonth, monthCount: monthCount, seed: seed, quirkRate: 0,
            reporting: .daily(reporters: Array(Self.reporterOrder.prefix(reporters)), packing: .xml), dayCount: days)
    }

    private static func domain(named name: String, index: Int) -> SyntheticDomain {
        let senderMixes: [[SenderSpec]] = [
            [SenderSpec(.googleWorkspace, share: 0.7), SenderSpec(.sendGrid, share: 0.22), SenderSpec(.forwarder, share: 0.08)],
            [SenderSpec(.microsoft365, share: 0.8), SenderSpec(.mailchimp, share: 0.15), SenderSpec(.forwarder, share: 0.05)],
            [SenderSpec(.amazonSES, share: 0.5), SenderSpec(.googleWorkspace, share: 0.38),
             SenderSpec(.helpdesk, share: 0.12, domainSigningFrom: ReportMonth(year: 2099, month: 1))],
        ]
        let policies = [SyntheticPolicy(p: .none), SyntheticPolicy(p: .quarantine, pct: 50), SyntheticPolicy(p: .reject)]
        let traffic: [TrafficShape] = [.office, .retail, .japaneseOffice]
        // Volumes from 600 to about 3,500 messages a day, spread without a pattern.
        let volume = 600 + (index &* 7_919) % 2_900
        return SyntheticDomain(
            name: name, dailyVolume: volume, policy: policies[index % policies.count],
            senders: senderMixes[(index / 3) % senderMixes.count],
            spoofingShare: 0.02 + Double(index % 5) * 0.01, traffic: traffic[(index / 9) % traffic.count])
    }
}
