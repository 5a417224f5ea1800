import ReportModel

/// SMTP TLS reporting (RFC 8460) for the mail a domain receives: its MX hosts, the policy
/// senders find for it, how many sessions the reports show, and when delivery went wrong.
public struct SyntheticTLS: Sendable, Hashable {
    /// The month the domain published its `_smtp._tls` record; nil: from the first month.
    public var reportingFrom: ReportMonth?
    public var mxHosts: [SyntheticMX]
    public var policy: SyntheticTLSPolicy
    /// Later policies; each applies from its month on.
    public var policyChanges: [TLSPolicyChange]
    /// Sessions the reports show on an average working day of the first month, before growth,
    /// seasons and noise, which follow the domain's `traffic`.
    public var dailySessions: Int
    public var episodes: [TLSFailureEpisode]

    public init(
        reportingFrom: ReportMonth? = nil, mxHosts: [SyntheticMX], policy: SyntheticTLSPolicy,
        policyChanges: [TLSPolicyChange] = [], dailySessions: Int, episodes: [TLSFailureEpisode] = []
    ) {
        self.reportingFrom = reportingFrom
        self.mxHosts = mxHosts
        self.policy = policy
        self.policyChanges = policyChanges
        self.dailySessions = dailySessions
        self.episodes = episodes
    }

    public func isReported(in month: ReportMonth) -> Bool {
        reportingFrom.map { $0 <= month } ?? true
    }

    /// The policy senders find during `month`.
    public func policy(in month: ReportMonth) -> SyntheticTLSPolicy {
        policyChanges
            .filter { $0.month <= month }
            .max { $0.month < $1.month }?
            .policy ?? policy
    }
}

/// One MX host of a domain.
public struct SyntheticMX: Sendable, Hashable {
    /// Lower-case host name, as `receiving-mx-hostname` shows it.
    public var host: String
    /// The addresses senders connect to (`receiving-ip`).
    public var addresses: [String]
    /// Relative weight among the domain's MX hosts: equal for hosts of the same preference,
    /// small for a backup that only gets mail when senders cannot reach the others.
    public var share: Double

    public init(_ host: String, addresses: [String], share: Double = 1) {
        self.host = host
        self.addresses = addresses
        self.share = share
    }
}

/// The transport security policy senders find for a domain.
public enum SyntheticTLSPolicy: Sendable, Hashable {
    /// Neither MTA-STS nor DANE: senders use TLS when offered and check no certificate.
    case noPolicy
    case mtaSTS(MTASTSPolicy)
    /// DNSSEC-signed TLSA records for every MX host. Only senders that validate DANE apply it;
    /// the others report `no-policy-found`.
    case dane
}

/// An MTA-STS policy file (RFC 8461).
public struct MTASTSPolicy: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        case testing, enforce, none
    }

    public var mode: Mode
    /// `mx` patterns, e.g. `mx1.example.com` or `*.mail.protection.outlook.com`.
    public var mx: [String]
    /// Seconds senders may cache the policy.
    public var maxAge: Int

    public init(mode: Mode, mx: [String], maxAge: Int = 604_800) {
        self.mode = mode
        self.mx = mx
        self.maxAge = maxAge
    }

    /// The lines of the policy file, as reports echo them in `policy-string`.
    public var lines: [String] {
        ["version: STSv1", "mode: \(mode.rawValue)"] + mx.map { "mx: \($0)" } + ["max_age: \(maxAge)"]
    }
}

public struct TLSPolicyChange: Sendable, Hashable {
    public var month: ReportMonth
    public var policy: SyntheticTLSPolicy

    public init(month: ReportMonth, policy: SyntheticTLSPolicy) {
        self.month = month
        self.policy = policy
    }
}

/// A stretch of days on which some sessions to the domain failed one way, e.g. an expired
/// certificate on one MX host or an MTA-STS policy that could not be fetched.
///
/// Senders only notice what their policy checks: certificate failures need MTA-STS, TLSA
/// failures need DANE, a missing STARTTLS needs either; see `TLSResultType.isNoticed(under:)`.
public struct TLSFailureEpisode: Sendable, Hashable {
    public var result: TLSResultType
    /// The MX host whose sessions fail; nil: every MX host (a policy fetch error concerns none).
    public var mxHost: String?
    /// The first and last day (UTC); nil bounds are open.
    public var firstDay: CalendarDay?
    public var lastDay: CalendarDay?
    /// Share of the affected sessions that fail, 0 to 1.
    public var failureRate: Double
    /// The `failure-reason-code` reporters add.
    public var reasonCode: String?

    public init(
        _ result: TLSResultType, mxHost: String? = nil, from firstDay: CalendarDay? = nil,
        through lastDay: CalendarDay? = nil, failureRate: Double = 1, reasonCode: String? = nil
    ) {
        self.result = result
        self.mxHost = mxHost
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.failureRate = failureRate
        self.reasonCode = reasonCode
    }

    public func isActive(on day: CalendarDay) -> Bool {
        (firstDay.map { $0 <= day } ?? true) && (lastDay.map { day <= $0 } ?? true)
    }

    func affects(_ mx: SyntheticMX) -> Bool {
        mxHost.map { DomainName.normalized($0) == mx.host } ?? true
    }
}

extension TLSResultType {
    /// Whether a sender applying a policy of `type` notices the failure. Without a policy TLS is
    /// opportunistic: certificates go unchecked and mail without STARTTLS goes out in clear.
    func isNoticed(under type: TLSPolicyType) -> Bool {
        switch self {
        case .certificateExpired, .certificateHostMismatch, .certificateNotTrusted,
             .stsPolicyFetchError, .stsPolicyInvalid, .stsWebPKIInvalid:
            type == .sts
        case .tlsaInvalid, .dnssecInvalid, .daneRequired:
            type == .tlsa
        case .starttlsNotSupported:
            type == .sts || type == .tlsa
        case .validationFailure, .unknown:
            true
        }
    }

    /// A policy that cannot be fetched or read fails before any MX host is contacted.
    var concernsMXHost: Bool {
        switch self {
        case .stsPolicyFetchError, .stsPolicyInvalid, .stsWebPKIInvalid: false
        default: true
        }
    }
}
