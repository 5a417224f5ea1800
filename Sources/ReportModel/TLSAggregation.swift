/// Successful and failed TLS sessions.
public struct TLSSessionTally: Sendable, Hashable {
    public var successful = 0
    public var failed = 0

    public init() {}

    public var total: Int { successful + failed }

    public mutating func add(_ other: TLSSessionTally) {
        successful += other.successful
        failed += other.failed
    }
}

extension OwnerMonth {
    /// TLS sessions of all domains together.
    public var tlsTotal: TLSSessionTally {
        tls.values.reduce(into: TLSSessionTally()) { $0.add($1.sessions) }
    }

    /// Distinct TLS reports with results for any of the domains.
    public var tlsReportCount: Int {
        tls.values.reduce(into: Set<ReportIdentity>()) { $0.formUnion($1.reports) }.count
    }
}

/// SMTP TLS results for one configured domain in one month.
public struct TLSDomainMonth: Sendable, Hashable {
    public var domain: String
    public var sessions = TLSSessionTally()
    /// By policy type as reported (`sts`, `tlsa`, `no-policy-found`, or an unknown word).
    public var byPolicyType: [String: TLSSessionTally] = [:]
    /// Failed sessions by result type (`certificate-expired` …).
    public var failureTypes: [String: Int] = [:]
    /// Failed sessions by receiving MX host (from the failure details), and every MX host a
    /// policy named, with zero failures when it had none.
    public var receivingMX: [String: Int] = [:]
    /// By reporter organisation.
    public var reporters: [String: TLSSessionTally] = [:]
    public var reports: Set<ReportIdentity> = []

    public init(domain: String) {
        self.domain = domain
    }

    mutating func add(_ policy: TLSPolicyResult, reporter: String, report: ReportIdentity) {
        sessions.successful += policy.totalSuccessfulSessions
        sessions.failed += policy.totalFailureSessions
        byPolicyType[policy.policyType.description, default: TLSSessionTally()].successful += policy.totalSuccessfulSessions
        byPolicyType[policy.policyType.description, default: TLSSessionTally()].failed += policy.totalFailureSessions
        reporters[reporter, default: TLSSessionTally()].successful += policy.totalSuccessfulSessions
        reporters[reporter, default: TLSSessionTally()].failed += policy.totalFailureSessions
        reports.insert(report)
        for host in policy.mxHosts where receivingMX[host] == nil {
            receivingMX[host] = 0
        }
        for failure in policy.failures {
            failureTypes[failure.resultType.description, default: 0] += failure.failedSessionCount
            if let host = failure.receivingMXHostname, !host.isEmpty {
                receivingMX[host, default: 0] += failure.failedSessionCount
            }
        }
    }
}

/// One TLS policy result as it went into a total, kept for the downloadable CSV.
public struct TLSRow: Sendable, Hashable {
    public var domain: String
    public var report: ReportIdentity
    public var dateRange: DateRange
    public var policy: TLSPolicyResult

    public init(domain: String, report: ReportIdentity, dateRange: DateRange, policy: TLSPolicyResult) {
        self.domain = domain
        self.report = report
        self.dateRange = dateRange
        self.policy = policy
    }
}
