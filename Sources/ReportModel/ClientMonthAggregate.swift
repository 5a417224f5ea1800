/// Everything known about one configured domain in one month.
public struct DomainMonth: Sendable, Hashable {
    public var domain: String
    public var tally = MessageTally()
    public var reports: Set<ReportIdentity> = []
    /// By source IP.
    public var sources: [String: MessageTally] = [:]
    /// By reporter org_name.
    public var reporters: [String: ReporterTally] = [:]
    /// By exact header_from domain (the domain itself or a subdomain).
    public var headerFromDomains: [String: MessageTally] = [:]
    /// Each policy the reporters saw published, with the number of reports that saw it.
    public var publishedPolicies: [PublishedPolicy: Int] = [:]

    public init(domain: String) {
        self.domain = domain
    }
}

public struct ReporterTally: Sendable, Hashable {
    public var reports: Set<String> = []
    public var tally = MessageTally()

    public init() {}
}

/// One record as it went into a total, kept for the downloadable CSV.
public struct AggregatedRecord: Sendable, Hashable {
    public var domain: String
    public var report: ReportIdentity
    public var dateRange: DateRange
    public var record: ReportRecord

    public init(domain: String, report: ReportIdentity, dateRange: DateRange, record: ReportRecord) {
        self.domain = domain
        self.report = report
        self.dateRange = dateRange
        self.record = record
    }
}

/// The data of one owner (client) in one month.
public struct OwnerMonth: Sendable, Hashable {
    public var month: ReportMonth
    public var domains: [String: DomainMonth] = [:]
    public var records: [AggregatedRecord] = []

    public init(month: ReportMonth) {
        self.month = month
    }
}

/// Records whose header_from no configured domain covers.
public struct UnassignedDomain: Sendable, Hashable {
    public var headerFrom: String
    public var records = 0
    public var messages = 0
    public var reports: Set<ReportIdentity> = []

    public init(headerFrom: String) {
        self.headerFrom = headerFrom
    }
}

/// Routes the records of unique reports to owners and sums them per owner, domain and month.
///
/// A report belongs to the month in which its date range begins (UTC). Feed each report once:
/// duplicates must be removed before, see `ReportDeduplicator`.
public struct ReportAggregator<Owner: Hashable & Sendable>: Sendable {
    public let router: DomainRouter<Owner>
    public private(set) var owners: [Owner: [ReportMonth: OwnerMonth]] = [:]
    public private(set) var unassigned: [String: UnassignedDomain] = [:]

    public init(router: DomainRouter<Owner>) {
        self.router = router
    }

    public mutating func add(_ report: AggregateReport) {
        let month = ReportMonth(unixTime: report.metadata.dateRange.begin)
        let identity = report.identity
        var policyCounted: Set<String> = []
        for record in report.records {
            guard let (domain, owner) = router.route(record.headerFrom) else {
                unassigned[record.headerFrom, default: UnassignedDomain(headerFrom: record.headerFrom)]
                    .add(record, of: identity)
                continue
            }
            let countPolicy = policyCounted.insert(domain).inserted
            // Mutated in place through the defaulting subscripts: no copy of the record list.
            owners[owner, default: [:]][month, default: OwnerMonth(month: month)].add(
                record, domain: domain, of: report, countingPolicy: countPolicy)
        }
    }
}

extension OwnerMonth {
    fileprivate mutating func add(
        _ record: ReportRecord, domain: String, of report: AggregateReport, countingPolicy: Bool
    ) {
        let identity = report.identity
        domains[domain, default: DomainMonth(domain: domain)].add(
            record, of: identity, policy: countingPolicy ? report.policy : nil)
        records.append(AggregatedRecord(
            domain: domain, report: identity, dateRange: report.metadata.dateRange, record: record))
    }
}

extension DomainMonth {
    fileprivate mutating func add(_ record: ReportRecord, of identity: ReportIdentity, policy: PublishedPolicy?) {
        tally.add(record)
        reports.insert(identity)
        sources[record.sourceIP, default: MessageTally()].add(record)
        reporters[identity.orgName, default: ReporterTally()].add(record, reportID: identity.reportID)
        headerFromDomains[record.headerFrom, default: MessageTally()].add(record)
        if let policy { publishedPolicies[policy, default: 0] += 1 }
    }
}

extension ReporterTally {
    fileprivate mutating func add(_ record: ReportRecord, reportID: String) {
        reports.insert(reportID)
        tally.add(record)
    }
}

extension UnassignedDomain {
    fileprivate mutating func add(_ record: ReportRecord, of report: ReportIdentity) {
        records += 1
        messages += record.count
        reports.insert(report)
    }
}

/// Keeps the first copy of each report (by reporter org_name and report_id) and lists the rest.
public struct ReportDeduplicator: Sendable {
    public struct Duplicate: Sendable, Hashable {
        public var identity: ReportIdentity
        public var kept: ReportSource
        public var dropped: ReportSource
    }

    public private(set) var unique: [LoadedReport] = []
    public private(set) var duplicates: [Duplicate] = []
    private var seen: [ReportIdentity: ReportSource] = [:]

    public init() {}

    /// Reports must arrive in a stable order (sorted by source) for the result to be stable.
    public mutating func add(_ loaded: LoadedReport) {
        if let kept = seen[loaded.report.identity] {
            duplicates.append(Duplicate(identity: loaded.report.identity, kept: kept, dropped: loaded.source))
        } else {
            seen[loaded.report.identity] = loaded.source
            unique.append(loaded)
        }
    }
}

extension OwnerMonth {
    /// All domains together.
    public var total: MessageTally {
        domains.values.reduce(into: MessageTally()) { $0.add($1.tally) }
    }

    /// Distinct reports with records for any of the domains.
    public var reportCount: Int {
        domains.values.reduce(into: Set<ReportIdentity>()) { $0.formUnion($1.reports) }.count
    }

    /// Per reporter org_name, across the domains.
    public var reporters: [String: ReporterTally] {
        var merged: [String: ReporterTally] = [:]
        for domain in domains.values {
            for (name, tally) in domain.reporters {
                merged[name, default: ReporterTally()].reports.formUnion(tally.reports)
                merged[name, default: ReporterTally()].tally.add(tally.tally)
            }
        }
        return merged
    }

    /// Per source IP, across the domains.
    public var sources: [String: MessageTally] {
        var merged: [String: MessageTally] = [:]
        for domain in domains.values {
            for (ip, tally) in domain.sources { merged[ip, default: MessageTally()].add(tally) }
        }
        return merged
    }
}
