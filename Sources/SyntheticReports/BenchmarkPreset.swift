import ReportModel

/// How much mail the benchmark's domains send, which sets how large their reports are.
public enum BenchmarkVolume: String, Sendable, Hashable, Codable, CaseIterable {
    /// 600 to about 3,500 messages a day: reports of about 16 KB, 20 to 25 records.
    case standard
    /// 10 to 70 messages a day: reports of about 3 KB, 1 to 6 records, near the size of the
    /// typical real report (most of the reports in public test corpora are 1 to 3 KB).
    case small

    /// The messages a domain sends on a working day, spread over the domains without a pattern.
    func dailyVolume(domainIndex index: Int) -> Int {
        switch self {
        case .standard: 600 + (index &* 7_919) % 2_900
        case .small: 10 + (index &* 7_919) % 60
        }
    }
}

/// The size of a benchmark workspace: clients × domains per client × days × reporters, one
/// plain XML DMARC report per domain, day and reporter.
public struct BenchmarkShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public var clients: Int
    public var domainsPerClient: Int
    public var days: Int
    public var reporters: Int
    public var volume: BenchmarkVolume
    public var seed: UInt64

    /// The reporters in the order `reporters` takes them: the largest first.
    public static let reporterOrder: [SyntheticReporter] = [
        .google, .enterpriseOutlook, .yahoo, .outlook, .comcast, .gmx, .fastmail, .mailRu,
    ]

    /// The first day with reports: 2026-11-01 (November has 30 days, so the default is one month).
    public static let firstMonth = ReportMonth(year: 2026, month: 11)

    public init(
        clients: Int = 1_000, domainsPerClient: Int = 3, days: Int = 30, reporters: Int = 3,
        volume: BenchmarkVolume = .standard, seed: UInt64 = 20_261_101
    ) {
        self.clients = clients
        self.domainsPerClient = domainsPerClient
        self.days = days
        self.reporters = reporters
        self.volume = volume
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey { case clients, domainsPerClient, days, reporters, volume, seed }

    // A shape file written before `volume` existed describes a standard workspace.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            clients: try values.decode(Int.self, forKey: .clients),
            domainsPerClient: try values.decode(Int.self, forKey: .domainsPerClient),
            days: try values.decode(Int.self, forKey: .days), reporters: try values.decode(Int.self, forKey: .reporters),
            volume: try values.decodeIfPresent(BenchmarkVolume.self, forKey: .volume) ?? .standard,
            seed: try values.decode(UInt64.self, forKey: .seed))
    }

    /// The number of report files the shape asks for (a few fewer are written when a small
    /// domain's day has no message for a reporter).
    public var expectedFiles: Int { clients * domainsPerClient * days * reporters }

    public var description: String {
        let size = "\(clients) clients × \(domainsPerClient) domains × \(days) days × \(reporters) reporters"
        return volume == .standard ? size : size + ", \(volume.rawValue) domains"
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
                domains.append(Self.domain(named: domainName(client: client, domain: domain), index: index, volume: volume))
                index += 1
            }
        }
        return SyntheticWorkspaceSpec(
            domains: domains, firstMonth: Self.firstMonth, monthCount: monthCount, seed: seed, quirkRate: 0,
            reporting: .daily(reporters: Array(Self.reporterOrder.prefix(reporters)), packing: .xml), dayCount: days)
    }

    private static func domain(named name: String, index: Int, volume: BenchmarkVolume) -> SyntheticDomain {
        let senderMixes: [[SenderSpec]] = [
            [SenderSpec(.googleWorkspace, share: 0.7), SenderSpec(.sendGrid, share: 0.22), SenderSpec(.forwarder, share: 0.08)],
            [SenderSpec(.microsoft365, share: 0.8), SenderSpec(.mailchimp, share: 0.15), SenderSpec(.forwarder, share: 0.05)],
            [SenderSpec(.amazonSES, share: 0.5), SenderSpec(.googleWorkspace, share: 0.38),
             SenderSpec(.helpdesk, share: 0.12, domainSigningFrom: ReportMonth(year: 2099, month: 1))],
        ]
        let policies = [SyntheticPolicy(p: .none), SyntheticPolicy(p: .quarantine, pct: 50), SyntheticPolicy(p: .reject)]
        let traffic: [TrafficShape] = [.office, .retail, .japaneseOffice]
        return SyntheticDomain(
            name: name, dailyVolume: volume.dailyVolume(domainIndex: index), policy: policies[index % policies.count],
            senders: senderMixes[(index / 3) % senderMixes.count],
            spoofingShare: 0.02 + Double(index % 5) * 0.01, traffic: traffic[(index / 9) % traffic.count])
    }
}
