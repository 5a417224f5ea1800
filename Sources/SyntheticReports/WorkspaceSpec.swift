import ReportModel

/// What to generate: which domains, which months, which seed.
public struct SyntheticWorkspaceSpec: Sendable, Hashable {
    public var domains: [SyntheticDomain]
    /// The first month with reports (UTC).
    public var firstMonth: ReportMonth
    public var monthCount: Int
    public var seed: UInt64
    /// Share of reports written with a reader-hostile quirk (capitalised results, padded values,
    /// a BOM, gzip inside gzip), per quirk. Real mail has few; tests raise it to see every kind.
    public var quirkRate: Double
    /// Which reporters send reports, how often and packed how.
    public var reporting: SyntheticReporting
    /// Only the first `dayCount` days from the first day of `firstMonth` get reports; nil: every
    /// day of the `monthCount` months.
    public var dayCount: Int?

    public init(
        domains: [SyntheticDomain], firstMonth: ReportMonth, monthCount: Int, seed: UInt64,
        quirkRate: Double = 0.012, reporting: SyntheticReporting = .realistic, dayCount: Int? = nil
    ) {
        self.domains = domains
        self.firstMonth = firstMonth
        self.monthCount = monthCount
        self.seed = seed
        self.quirkRate = quirkRate
        self.reporting = reporting
        self.dayCount = dayCount
    }

    /// The days of `month` that get reports.
    func reportDays(in month: ReportMonth) -> [CalendarDay] {
        guard let dayCount else { return month.days }
        let first = CivilDate.daysSinceEpoch(year: firstMonth.year, month: firstMonth.month, day: 1)
        return month.days.filter { $0.daysSinceEpoch < first + dayCount }
    }

    /// The months covered, in order.
    public var months: [ReportMonth] {
        var result: [ReportMonth] = []
        var month = firstMonth
        for _ in 0..<max(0, monthCount) {
            result.append(month)
            month = month.next
        }
        return result
    }
}

/// Which reporters send reports about every domain, on which days, packed how.
public enum SyntheticReporting: Sendable, Hashable {
    /// Every reporter with its own habits: Google daily, the others on some days only, each
    /// with its own packing (zip, gzip, plain XML).
    case realistic
    /// Each listed reporter sends one report per domain every day, all packed as `packing`
    /// (for benchmarks: a file count that is exactly domains × days × reporters).
    case daily(reporters: [SyntheticReporter], packing: SyntheticFileKind)

    var reporters: [SyntheticReporter] {
        switch self {
        case .realistic: SyntheticReporter.allCases
        case .daily(let reporters, _): reporters
        }
    }

    func reportChance(_ reporter: SyntheticReporter, reach: Double) -> Double {
        switch self {
        case .realistic: reporter.reportChance(reach: reach)
        case .daily: 1
        }
    }

    /// The packing of the next report; in realistic mode drawn the reporter's way.
    func packing(_ reporter: SyntheticReporter, _ rng: inout SplitMix64) -> SyntheticFileKind {
        switch self {
        case .realistic: reporter.packaging(&rng)
        case .daily(_, let packing): packing
        }
    }
}

/// One sending domain: its mail volume, its DMARC record over time and who sends for it.
public struct SyntheticDomain: Sendable, Hashable {
    /// Lower-case domain name; it is the `policy_published` domain of its reports.
    public var name: String
    /// Messages the reports show on an average working day of the first month, before growth,
    /// seasons and noise. The domain sends more: not every receiver reports, nor every day.
    public var dailyVolume: Int
    public var policy: SyntheticPolicy
    /// Later DMARC records; each applies from its month on.
    public var policyChanges: [PolicyChange]
    /// Legitimate senders and their share of the legitimate mail.
    public var senders: [SenderSpec]
    /// Messages from spoofers as a share of all mail (bursts make some days much higher).
    public var spoofingShare: Double
    /// Shapes both the mail the domain sends and, when it asks for TLS reports, the mail it receives.
    public var traffic: TrafficShape
    /// SMTP TLS reporting for the mail the domain receives; nil: it asks for no TLS reports.
    public var tls: SyntheticTLS?

    public init(
        name: String, dailyVolume: Int, policy: SyntheticPolicy, policyChanges: [PolicyChange] = [],
        senders: [SenderSpec], spoofingShare: Double = 0.03, traffic: TrafficShape = .office,
        tls: SyntheticTLS? = nil
    ) {
        self.name = name
        self.dailyVolume = dailyVolume
        self.policy = policy
        self.policyChanges = policyChanges
        self.senders = senders
        self.spoofingShare = spoofingShare
        self.traffic = traffic
        self.tls = tls
    }

    /// The DMARC record published during `month`.
    public func policy(in month: ReportMonth) -> SyntheticPolicy {
        policyChanges
            .filter { $0.month <= month }
            .max { $0.month < $1.month }?
            .policy ?? policy
    }
}

/// The tags of a DMARC record that reports echo in `policy_published`.
public struct SyntheticPolicy: Sendable, Hashable {
    public var p: PolicyAction
    /// nil: the subdomain policy is `p`.
    public var sp: PolicyAction?
    /// RFC 9091 / RFC 9990 non-existent subdomain policy.
    public var np: PolicyAction?
    public var adkim: Alignment
    public var aspf: Alignment
    /// Percentage of failing mail the policy applies to (RFC 7489); the rest is `sampled_out`.
    public var pct: Int

    public init(
        p: PolicyAction, sp: PolicyAction? = nil, np: PolicyAction? = nil,
        adkim: Alignment = .relaxed, aspf: Alignment = .relaxed, pct: Int = 100
    ) {
        self.p = p
        self.sp = sp
        self.np = np
        self.adkim = adkim
        self.aspf = aspf
        self.pct = pct
    }
}

public struct PolicyChange: Sendable, Hashable {
    public var month: ReportMonth
    public var policy: SyntheticPolicy

    public init(month: ReportMonth, policy: SyntheticPolicy) {
        self.month = month
        self.policy = policy
    }
}

/// One service that sends legitimate mail for a domain.
public struct SenderSpec: Sendable, Hashable {
    public var kind: SenderKind
    /// Relative weight among the domain's legitimate senders.
    public var share: Double
    /// From this month the service signs with the domain's own DKIM key; before it, only with
    /// its own domain (so DKIM does not align). nil: signs with the domain from the start.
    public var domainSigningFrom: ReportMonth?
    /// The months the service is in use; nil bounds are open.
    public var activeFrom: ReportMonth?
    public var activeUntil: ReportMonth?

    public init(
        _ kind: SenderKind, share: Double, domainSigningFrom: ReportMonth? = nil,
        activeFrom: ReportMonth? = nil, activeUntil: ReportMonth? = nil
    ) {
        self.kind = kind
        self.share = share
        self.domainSigningFrom = domainSigningFrom
        self.activeFrom = activeFrom
        self.activeUntil = activeUntil
    }

    public func isActive(in month: ReportMonth) -> Bool {
        (activeFrom.map { $0 <= month } ?? true) && (activeUntil.map { month <= $0 } ?? true)
    }

    public func signsWithDomain(in month: ReportMonth) -> Bool {
        domainSigningFrom.map { $0 <= month } ?? true
    }
}

public enum SenderKind: String, Sendable, Hashable, CaseIterable {
    /// Google Workspace: 209.85.x.x, DKIM selector `google`, SPF on the domain.
    case googleWorkspace
    /// Microsoft 365 / Exchange Online: 40.107.x.x and 52.100.x.x, selectors `selector1`/`selector2`.
    case microsoft365
    /// SendGrid: DKIM `d=sendgrid.net`, SPF on the `emNNNN.<domain>` bounce domain.
    case sendGrid
    /// Mailchimp: SPF on mcsv.net / rsgsv.net, DKIM `k1` for the domain plus Mailchimp's own.
    case mailchimp
    /// Amazon SES: 54.240.x.x, SPF on amazonses.com, Easy DKIM for the domain plus amazonses.com.
    case amazonSES
    /// A help-desk service (Zendesk) signing with its own domain until the domain's key is set up.
    case helpdesk
    /// A university mail relay forwarding the domain's mail: SPF fails, DKIM usually survives.
    case forwarder
}

/// How the volume moves over weeks and months.
public struct TrafficShape: Sendable, Hashable {
    /// Saturday and Sunday volume relative to a working day.
    public var weekendFactor: Double
    /// Growth per month, e.g. 0.02 for 2 %.
    public var monthlyGrowth: Double
    /// Volume factor for each calendar month, January first (12 values).
    public var seasonality: [Double]
    /// Day-to-day spread, e.g. 0.2 for roughly ±20 %.
    public var dailyNoise: Double

    public init(weekendFactor: Double, monthlyGrowth: Double, seasonality: [Double], dailyNoise: Double = 0.2) {
        self.weekendFactor = weekendFactor
        self.monthlyGrowth = monthlyGrowth
        self.seasonality = seasonality
        self.dailyNoise = dailyNoise
    }

    /// An office: quiet weekends, a summer and a year-end dip.
    public static let office = TrafficShape(
        weekendFactor: 0.3, monthlyGrowth: 0.01,
        seasonality: [0.95, 1.0, 1.03, 1.0, 1.0, 0.97, 0.88, 0.82, 1.02, 1.05, 1.04, 0.9])

    /// A shop: busy weekends, a peak in November and December.
    public static let retail = TrafficShape(
        weekendFactor: 0.85, monthlyGrowth: 0.025,
        seasonality: [0.85, 0.8, 0.9, 0.92, 0.95, 0.95, 0.9, 0.92, 0.98, 1.05, 1.4, 1.5], dailyNoise: 0.3)

    /// A Japanese office: New Year and Obon holidays.
    public static let japaneseOffice = TrafficShape(
        weekendFactor: 0.2, monthlyGrowth: 0.008,
        seasonality: [0.8, 1.02, 1.08, 1.05, 0.92, 1.0, 1.0, 0.85, 1.0, 1.02, 1.0, 0.95])

    func seasonalFactor(month: Int) -> Double {
        guard seasonality.count == 12, (1...12).contains(month) else { return 1 }
        return seasonality[month - 1]
    }
}
