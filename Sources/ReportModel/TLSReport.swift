/// One SMTP TLS report (RFC 8460), as the reporter sent it: how many TLS sessions towards the
/// receiving domain succeeded and which failed why, per policy the sender applied.
public struct TLSReport: Sendable, Hashable {
    public var organizationName: String
    public var dateRange: DateRange
    /// RFC 8460 requires it, but reporters send `null` or leave it out.
    public var contactInfo: String?
    public var reportID: String
    /// RFC 8460 requires at least one; real reporters also send none, and such a report counts
    /// no sessions.
    public var policies: [TLSPolicyResult]

    public init(
        organizationName: String, dateRange: DateRange, contactInfo: String? = nil, reportID: String,
        policies: [TLSPolicyResult]
    ) {
        self.organizationName = organizationName
        self.dateRange = dateRange
        self.contactInfo = contactInfo
        self.reportID = reportID
        self.policies = policies
    }

    /// Reports are the same report when the reporter and its report id agree.
    public var identity: ReportIdentity {
        ReportIdentity(orgName: organizationName, reportID: reportID)
    }

    public var totalSuccessfulSessions: Int { policies.reduce(0) { $0 + $1.totalSuccessfulSessions } }

    /// Everything the aggregation adds up from this report: the summary counts and the failure
    /// details' counts (each bounded by the parser, so the sum cannot overflow).
    public var countedSessions: Int {
        policies.reduce(0) { sum, policy in
            sum + policy.totalSuccessfulSessions + policy.totalFailureSessions + policy.failures.reduce(0) { $0 + $1.failedSessionCount }
        }
    }
    public var totalFailureSessions: Int { policies.reduce(0) { $0 + $1.totalFailureSessions } }
}

/// One entry of `policies`: the policy the sender applied to a domain and its session counts.
public struct TLSPolicyResult: Sendable, Hashable {
    public var policyType: TLSPolicyType
    /// The policy as the sender saw it (MTA-STS lines or TLSA records), one string each.
    public var policyStrings: [String]
    /// Normalised with `DomainName.normalized`; empty when the reporter left it out
    /// (Google does for `no-policy-found`).
    public var policyDomain: String
    /// RFC 8460 `mx-host`: the MX patterns of an MTA-STS policy.
    public var mxHosts: [String]
    public var totalSuccessfulSessions: Int
    public var totalFailureSessions: Int
    public var failures: [TLSFailureDetail]

    public init(
        policyType: TLSPolicyType, policyStrings: [String] = [], policyDomain: String,
        mxHosts: [String] = [], totalSuccessfulSessions: Int, totalFailureSessions: Int,
        failures: [TLSFailureDetail] = []
    ) {
        self.policyType = policyType
        self.policyStrings = policyStrings
        self.policyDomain = policyDomain
        self.mxHosts = mxHosts
        self.totalSuccessfulSessions = totalSuccessfulSessions
        self.totalFailureSessions = totalFailureSessions
        self.failures = failures
    }
}

/// One entry of `failure-details`: sessions that failed the same way between the same hosts.
public struct TLSFailureDetail: Sendable, Hashable {
    public var resultType: TLSResultType
    public var sendingMTAIP: String?
    public var receivingMXHostname: String?
    public var receivingMXHelo: String?
    public var receivingIP: String?
    public var failedSessionCount: Int
    /// A URI pointing to more information, per RFC 8460.
    public var additionalInformation: String?
    /// Free text from the sender, e.g. an OpenSSL error name.
    public var failureReasonCode: String?

    public init(
        resultType: TLSResultType, sendingMTAIP: String? = nil, receivingMXHostname: String? = nil,
        receivingMXHelo: String? = nil, receivingIP: String? = nil, failedSessionCount: Int,
        additionalInformation: String? = nil, failureReasonCode: String? = nil
    ) {
        self.resultType = resultType
        self.sendingMTAIP = sendingMTAIP
        self.receivingMXHostname = receivingMXHostname
        self.receivingMXHelo = receivingMXHelo
        self.receivingIP = receivingIP
        self.failedSessionCount = failedSessionCount
        self.additionalInformation = additionalInformation
        self.failureReasonCode = failureReasonCode
    }
}

/// RFC 8460 §4.4 `policy-type`.
public enum TLSPolicyType: TolerantVocabulary {
    /// MTA-STS (RFC 8461).
    case sts
    /// DANE (RFC 7672).
    case tlsa
    case noPolicyFound
    case unknown(String)

    public static let knownWords: [String: TLSPolicyType] = [
        "sts": .sts, "tlsa": .tlsa, "no-policy-found": .noPolicyFound,
    ]

    public var description: String {
        switch self {
        case .sts: "sts"
        case .tlsa: "tlsa"
        case .noPolicyFound: "no-policy-found"
        case .unknown(let raw): raw
        }
    }
}

/// RFC 8460 §4.3 `result-type`: why sessions failed.
public enum TLSResultType: TolerantVocabulary {
    // Negotiation failures (§4.3.1).
    case starttlsNotSupported, certificateHostMismatch, certificateExpired, certificateNotTrusted
    case validationFailure
    // DANE policy failures (§4.3.2.1).
    case tlsaInvalid, dnssecInvalid, daneRequired
    // MTA-STS policy failures (§4.3.2.2).
    case stsPolicyFetchError, stsPolicyInvalid, stsWebPKIInvalid
    case unknown(String)

    public static let knownWords: [String: TLSResultType] = [
        "starttls-not-supported": .starttlsNotSupported,
        "certificate-host-mismatch": .certificateHostMismatch,
        "certificate-expired": .certificateExpired,
        "certificate-not-trusted": .certificateNotTrusted,
        "validation-failure": .validationFailure,
        "tlsa-invalid": .tlsaInvalid,
        "dnssec-invalid": .dnssecInvalid,
        "dane-required": .daneRequired,
        "sts-policy-fetch-error": .stsPolicyFetchError,
        "sts-policy-invalid": .stsPolicyInvalid,
        "sts-webpki-invalid": .stsWebPKIInvalid,
    ]

    public var description: String {
        switch self {
        case .starttlsNotSupported: "starttls-not-supported"
        case .certificateHostMismatch: "certificate-host-mismatch"
        case .certificateExpired: "certificate-expired"
        case .certificateNotTrusted: "certificate-not-trusted"
        case .validationFailure: "validation-failure"
        case .tlsaInvalid: "tlsa-invalid"
        case .dnssecInvalid: "dnssec-invalid"
        case .daneRequired: "dane-required"
        case .stsPolicyFetchError: "sts-policy-fetch-error"
        case .stsPolicyInvalid: "sts-policy-invalid"
        case .stsWebPKIInvalid: "sts-webpki-invalid"
        case .unknown(let raw): raw
        }
    }
}
