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
    /// By day of the month (1–31, UTC) on which the report's date range begins.
    public var daily: [Int: MessageTally] = [:]
    /// Messages for which receivers named a policy override reason, by reason type.
    public var overrideReasons: [String: Int] = [:]

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
    /// SMTP TLS results by configured domain.
    public var tls: [String: TLSDomainMonth] = [:]
    /// Every TLS policy result and failure detail, kept for the downloadable CSV.
    public var tlsRows: [TLSRow] = []

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
    /// TLS policy domains no client owns; `records` counts policy results, `messages` sessions.
    public private(set) var unassignedTLS: [String: UnassignedDomain] = [:]

    /// While reports are added together: the records of each month's reports, the room an
    /// owner-month's record list is made with.
    private var expectedRecords: [ReportMonth: Int] = [:]
    /// The route of each header_from met so far: reports repeat a few header_from domains
    /// (most of them subdomains, each a walk up its parents) record after record.
    private var routes: [String: (domain: String, owner: Owner)?] = [:]

    public init(router: DomainRouter<Owner>) {
        self.router = router
    }

    /// Adds reports together, the same as one by one, except that each owner-month's record
    /// list is made with room for all its records at once rather than grown as they come.
    public mutating func add(_ reports: some Collection<AggregateReport>) {
        for report in reports { expectedRecords[ReportMonth(unixTime: report.metadata.dateRange.begin), default: 0] += report.records.count }
        for report in reports { add(report) }
        expectedRecords = [:]
    }

    public mutating func add(_ report: AggregateReport) {
        let month = ReportMonth(unixTime: report.metadata.dateRange.begin)
        let identity = report.identity
        let records = report.records
        // Domains whose published policy this report counted already: one or two.
        var policyCounted: [String] = []
        // A report's records nearly always share one header_from: route it once, and add each
        // run of records with one route together, so that what is counted once per report
        // (its reporter, its day, its policy) is looked up once. Records are stepped over
        // stretch by stretch of one header_from: only where it changes is anything routed.
        var run: (start: Int, domain: String, owner: Owner)?
        func addRun(ending end: Int) {
            guard let (start, domain, owner) = run else { return }
            let countPolicy = !policyCounted.contains(domain)
            if countPolicy { policyCounted.append(domain) }
            // Mutated in place through the defaulting subscripts: no copy of the record list.
            owners[owner, default: [:]][month, default: OwnerMonth(month: month, recordCapacity: expectedRecords[month] ?? 0)].add(
                records[start..<end], domain: domain, of: report, identity: identity, countingPolicy: countPolicy)
            run = nil
        }
        var start = records.startIndex
        while start < records.endIndex {
            let end = Self.endOfHeaderFrom(in: records, from: start)
            let headerFrom = records[start].headerFrom
            guard let route = route(headerFrom) else {
                addRun(ending: start)
                for index in start..<end {
                    unassigned[headerFrom, default: UnassignedDomain(headerFrom: headerFrom)].add(records[index], of: identity)
                }
                start = end
                continue
            }
            if let current = run, current.domain == route.domain, current.owner == route.owner {
                start = end
                continue
            }
            addRun(ending: start)
            run = (start, route.domain, route.owner)
            start = end
        }
        addRun(ending: records.endIndex)
    }

    /// The end of the stretch of records from `start` on that share its header_from.
    private static func endOfHeaderFrom(in records: [ReportRecord], from start: Int) -> Int {
        var end = start + 1
        while end < records.endIndex, records[end].headerFrom == records[start].headerFrom { end += 1 }
        return end
    }

    private mutating func route(_ headerFrom: String) -> (domain: String, owner: Owner)? {
        if let known = routes[headerFrom] { return known }
        let route = router.route(headerFrom)
        routes[headerFrom] = route
        return route
    }
}

extension ReportAggregator {
    /// Routes each policy result of a TLS report by its policy domain; the report belongs to the
    /// month (UTC) in which its date range begins.
    public mutating func add(_ report: TLSReport) {
        let month = ReportMonth(unixTime: report.dateRange.begin)
        for policy in report.policies {
            guard let (domain, owner) = router.route(policy.policyDomain) else {
                unassignedTLS[policy.policyDomain, default: UnassignedDomain(headerFrom: policy.policyDomain)]
                    .add(policy, of: report.identity)
                continue
            }
            owners[owner, default: [:]][month, default: OwnerMonth(month: month)].add(policy, domain: domain, of: report)
        }
    }
}

extension UnassignedDomain {
    fileprivate mutating func add(_ policy: TLSPolicyResult, of report: ReportIdentity) {
        records += 1
        messages += policy.totalSuccessfulSessions + policy.totalFailureSessions
        reports.insert(report)
    }
}

extension OwnerMonth {
    fileprivate init(month: ReportMonth, recordCapacity: Int) {
        self.init(month: month)
        records.reserveCapacity(recordCapacity)
    }

    fileprivate mutating func add(_ policy: TLSPolicyResult, domain: String, of report: TLSReport) {
        tls[domain, default: TLSDomainMonth(domain: domain)].add(policy, reporter: report.organizationName, report: report.identity)
        tlsRows.append(TLSRow(domain: domain, report: report.identity, dateRange: report.dateRange, policy: policy))
    }

    /// Records of one report that all count toward `domain`.
    fileprivate mutating func add(
        _ run: ArraySlice<ReportRecord>, domain: String, of report: AggregateReport, identity: ReportIdentity, countingPolicy: Bool
    ) {
        domains[domain, default: DomainMonth(domain: domain)].add(
            run, of: identity, day: report.metadata.dateRange.beginDay, policy: countingPolicy ? report.policy : nil)
        for record in run {
            records.append(AggregatedRecord(domain: domain, report: identity, dateRange: report.metadata.dateRange, record: record))
        }
    }
}

extension DomainMonth {
    /// Records of one report: what is counted per record (sources, header_from domains,
    /// override reasons) record by record, what is counted per report once with their total.
    fileprivate mutating func add(_ run: ArraySlice<ReportRecord>, of identity: ReportIdentity, day: Int, policy: PublishedPolicy?) {
        var runTally = MessageTally()
        var headerFrom: (domain: String, tally: MessageTally)?
        for index in run.indices {
            // Each record's counts are read once, then added to each total they go to.
            let counts = MessageTally(run[index])
            runTally.add(counts)
            switch run[index].overrideReasons.count {
            case 0: break
            // Counted once per record and reason type: a set only when there may be repeats.
            case 1: overrideReasons[run[index].overrideReasons[0].type.description, default: 0] += counts.messages
            default:
                for reason in Set(run[index].overrideReasons.map(\.type.description)) {
                    overrideReasons[reason, default: 0] += counts.messages
                }
            }
            sources[run[index].sourceIP, default: MessageTally()].add(counts)
            if let current = headerFrom, current.domain == run[index].headerFrom {
                headerFrom?.tally.add(counts)
            } else {
                if let current = headerFrom { headerFromDomains[current.domain, default: MessageTally()].add(current.tally) }
                headerFrom = (run[index].headerFrom, counts)
            }
        }
        if let current = headerFrom { headerFromDomains[current.domain, default: MessageTally()].add(current.tally) }
        tally.add(runTally)
        daily[day, default: MessageTally()].add(runTally)
        reports.insert(identity)
        reporters[identity.orgName, default: ReporterTally()].add(runTally, reportID: identity.reportID)
        if let policy { publishedPolicies[policy, default: 0] += 1 }
    }
}

extension ReporterTally {
    fileprivate mutating func add(_ run: MessageTally, reportID: String) {
        reports.insert(reportID)
        tally.add(run)
    }
}

extension UnassignedDomain {
    fileprivate mutating func add(_ record: ReportRecord, of report: ReportIdentity) {
        records += 1
        messages += record.count
        reports.insert(report)
    }
}

/// A report that can arrive more than once: the same reporter and report id.
public protocol IdentifiedReport: Sendable {
    var identity: ReportIdentity { get }
    var source: ReportSource { get }
    /// The identity in the form a transcribing tool writes it (parsedmarc rewrites org names
    /// and report ids), to match a transcribed copy with the original; nil when not needed.
    var transcriptionIdentity: ReportIdentity? { get }
    /// True when this copy was read from a transcribing tool's output.
    var isTranscribed: Bool { get }
}

extension IdentifiedReport {
    public var transcriptionIdentity: ReportIdentity? { nil }
    public var isTranscribed: Bool { false }
}

extension LoadedReport: IdentifiedReport {
    public var identity: ReportIdentity { report.identity }
    public var transcriptionIdentity: ReportIdentity? { report.identity.parsedmarcForm }
    public var isTranscribed: Bool { report.origin == .parsedmarc }
}

extension LoadedTLSReport: IdentifiedReport {
    public var identity: ReportIdentity { report.identity }
}

/// A copy of a report already read: `dropped` repeats what `kept` held.
public struct DuplicateReport: Sendable, Hashable {
    public var identity: ReportIdentity
    public var kept: ReportSource
    public var dropped: ReportSource

    public init(identity: ReportIdentity, kept: ReportSource, dropped: ReportSource) {
        self.identity = identity
        self.kept = kept
        self.dropped = dropped
    }
}

/// Keeps the first copy of each report (by reporter org name and report id) and lists the rest.
///
/// A copy read from parsedmarc's output carries the identity parsedmarc rewrote, so it is
/// matched with the other copies in that rewritten form; two reporter copies are still matched
/// exactly.
public struct ReportDeduplicator<Report: IdentifiedReport>: Sendable {
    public private(set) var unique: [Report] = []
    public private(set) var duplicates: [DuplicateReport] = []
    private var seen: [ReportIdentity: ReportSource] = [:]
    /// Every kept report by its transcription identity.
    private var seenTranscribable: [ReportIdentity: ReportSource] = [:]
    /// Kept transcribed copies by their transcription identity.
    private var seenTranscribed: [ReportIdentity: ReportSource] = [:]

    public init() {}

    /// Whether a report with this identity was added already.
    public func contains(_ identity: ReportIdentity) -> Bool {
        seen[identity] != nil
    }

    /// Reports must arrive in a stable order (sorted by source) for the result to be stable.
    public mutating func add(_ report: Report) {
        let transcription = report.transcriptionIdentity
        let kept = seen[report.identity] ?? transcription.flatMap {
            report.isTranscribed ? seenTranscribable[$0] : seenTranscribed[$0]
        }
        if let kept {
            duplicates.append(DuplicateReport(identity: report.identity, kept: kept, dropped: report.source))
            return
        }
        seen[report.identity] = report.source
        if let transcription {
            if seenTranscribable[transcription] == nil { seenTranscribable[transcription] = report.source }
            if report.isTranscribed { seenTranscribed[transcription] = report.source }
        }
        unique.append(report)
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

    /// Per day of the month, across the domains.
    public var daily: [Int: MessageTally] {
        var merged: [Int: MessageTally] = [:]
        for domain in domains.values {
            for (day, tally) in domain.daily { merged[day, default: MessageTally()].add(tally) }
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
