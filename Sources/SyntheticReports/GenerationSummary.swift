import ReportModel

/// Counts of what was generated, taken from the generated reports (not from re-reading files),
/// so the pipeline's numbers can be checked against them.
public struct GenerationSummary: Sendable, Hashable {
    /// All files, DMARC and SMTP TLS reports.
    public var files = 0
    /// DMARC aggregate reports (one per file), their records and messages.
    public var reports = 0
    public var records = 0
    public var messages = 0
    /// Total size of all files.
    public var bytes = 0
    /// DMARC report files by packing.
    public var filesByKind: [SyntheticFileKind: Int] = [:]
    /// DMARC report files, keyed by `SyntheticReporter.folderName`.
    public var filesByReporter: [String: Int] = [:]
    /// Message totals per configured domain and month (the month the report's range begins in),
    /// with records routed to the domain or its nearest configured parent like the pipeline does.
    public var totals: [DomainMonthKey: MessageTally] = [:]
    /// SMTP TLS reports (one per file).
    public var tlsReports = 0
    /// SMTP TLS report files, keyed by `SyntheticTLSReporter.folderName`.
    public var tlsFilesByReporter: [String: Int] = [:]
    /// SMTP TLS totals per configured domain and month (the month the report's range begins
    /// in), with policy results routed by their policy domain like the pipeline does.
    public var tlsTotals: [DomainMonthKey: TLSTotals] = [:]

    public init() {}

    init(files generated: [GeneratedReportFile], tlsFiles: [GeneratedTLSReportFile], domains: [String]) {
        let names = domains.map(DomainName.normalized)
        let router = DomainRouter(owners: Dictionary(names.map { ($0, $0) }, uniquingKeysWith: { first, _ in first }))
        for file in tlsFiles {
            files += 1
            tlsReports += 1
            bytes += file.bytes.count
            tlsFilesByReporter[file.reporter.folderName, default: 0] += 1
            let month = ReportMonth(unixTime: file.report.dateRange.begin)
            var counted: Set<String> = []
            for policy in file.report.policies {
                let domain = router.route(policy.policyDomain)?.domain ?? policy.policyDomain
                let key = DomainMonthKey(domain: domain, month: month)
                tlsTotals[key, default: TLSTotals()].successfulSessions += policy.totalSuccessfulSessions
                tlsTotals[key, default: TLSTotals()].failedSessions += policy.totalFailureSessions
                if counted.insert(domain).inserted { tlsTotals[key, default: TLSTotals()].reports += 1 }
            }
        }
        for file in generated {
            files += 1
            reports += 1
            bytes += file.bytes.count
            filesByKind[file.kind, default: 0] += 1
            filesByReporter[file.reporter.folderName, default: 0] += 1
            let month = ReportMonth(unixTime: file.report.metadata.dateRange.begin)
            for record in file.report.records {
                records += 1
                messages += record.count
                let domain = router.route(record.headerFrom)?.domain ?? file.report.policy.domain
                totals[DomainMonthKey(domain: domain, month: month), default: MessageTally()].add(record)
            }
        }
    }

    /// The totals of one domain in one month (zero when nothing was generated).
    public func tally(domain: String, month: ReportMonth) -> MessageTally {
        totals[DomainMonthKey(domain: domain, month: month)] ?? MessageTally()
    }

    /// The totals of one domain over all months.
    public func tally(domain: String) -> MessageTally {
        var sum = MessageTally()
        for (key, tally) in totals where key.domain == domain { sum.add(tally) }
        return sum
    }

    /// The SMTP TLS totals of one domain in one month (zero when nothing was generated).
    public func tlsTotals(domain: String, month: ReportMonth) -> TLSTotals {
        tlsTotals[DomainMonthKey(domain: domain, month: month)] ?? TLSTotals()
    }

    /// The SMTP TLS totals of one domain over all months.
    public func tlsTotals(domain: String) -> TLSTotals {
        var sum = TLSTotals()
        for (key, totals) in tlsTotals where key.domain == domain { sum.add(totals) }
        return sum
    }
}

/// SMTP TLS sessions and the reports that counted them.
public struct TLSTotals: Sendable, Hashable {
    public var successfulSessions = 0
    public var failedSessions = 0
    /// Reports with at least one policy result for the domain.
    public var reports = 0

    public init(successfulSessions: Int = 0, failedSessions: Int = 0, reports: Int = 0) {
        self.successfulSessions = successfulSessions
        self.failedSessions = failedSessions
        self.reports = reports
    }

    public mutating func add(_ other: TLSTotals) {
        successfulSessions += other.successfulSessions
        failedSessions += other.failedSessions
        reports += other.reports
    }
}

public struct DomainMonthKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var domain: String
    public var month: ReportMonth

    public init(domain: String, month: ReportMonth) {
        self.domain = domain
        self.month = month
    }

    public var description: String { "\(domain) \(month)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.domain != rhs.domain ? lhs.domain < rhs.domain : lhs.month < rhs.month
    }
}
