import ReportModel

/// Counts of what was generated, taken from the generated reports (not from re-reading files),
/// so the pipeline's numbers can be checked against them.
public struct GenerationSummary: Sendable, Hashable {
    public var files = 0
    public var reports = 0
    public var records = 0
    public var messages = 0
    /// Total size of all files.
    public var bytes = 0
    public var filesByKind: [SyntheticFileKind: Int] = [:]
    /// Keyed by `SyntheticReporter.folderName`.
    public var filesByReporter: [String: Int] = [:]
    /// Message totals per configured domain and month (the month the report's range begins in),
    /// with records routed to the domain or its nearest configured parent like the pipeline does.
    public var totals: [DomainMonthKey: MessageTally] = [:]

    public init() {}

    init(files generated: [GeneratedReportFile], domains: [String]) {
        let names = domains.map(DomainName.normalized)
        let router = DomainRouter(owners: Dictionary(names.map { ($0, $0) }, uniquingKeysWith: { first, _ in first }))
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
