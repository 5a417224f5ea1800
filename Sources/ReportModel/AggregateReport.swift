/// One DMARC aggregate report (RFC 7489 appendix C or RFC 9990), as the reporter sent it.
public struct AggregateReport: Sendable, Hashable {
    public var schema: ReportSchema
    public var version: String?
    public var metadata: ReportMetadata
    public var policy: PublishedPolicy
    public var records: [ReportRecord]
    /// Who wrote the data read: the reporter, or a tool that transcribed its report.
    public var origin: ReportOrigin

    public init(
        schema: ReportSchema, version: String?, metadata: ReportMetadata,
        policy: PublishedPolicy, records: [ReportRecord], origin: ReportOrigin = .reporter
    ) {
        self.schema = schema
        self.version = version
        self.metadata = metadata
        self.policy = policy
        self.records = records
        self.origin = origin
    }

    /// Reports are the same report when the reporter and its report id agree (RFC 7489 §7.2.1.1).
    public var identity: ReportIdentity {
        ReportIdentity(orgName: metadata.orgName, reportID: metadata.reportID)
    }

    public var messageCount: Int { records.reduce(0) { $0 + $1.count } }
}

public enum ReportSchema: String, Sendable, Hashable, Codable {
    /// RFC 7489 (no namespace, or the draft namespaces reporters used before RFC 9990).
    case rfc7489
    /// RFC 9990, namespace `urn:ietf:params:xml:ns:dmarc-2.0`.
    case rfc9990
}

public struct ReportIdentity: Sendable, Hashable, Comparable {
    public var orgName: String
    public var reportID: String

    public init(orgName: String, reportID: String) {
        self.orgName = orgName
        self.reportID = reportID
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.orgName, lhs.reportID) < (rhs.orgName, rhs.reportID)
    }
}

public struct DateRange: Sendable, Hashable {
    /// Seconds since 1970-01-01 UTC.
    public var begin: Int64
    public var end: Int64

    public init(begin: Int64, end: Int64) {
        self.begin = begin
        self.end = end
    }
}

public struct ReportMetadata: Sendable, Hashable {
    public var orgName: String
    public var email: String
    public var extraContactInfo: String?
    public var reportID: String
    public var dateRange: DateRange
    public var errors: [String]
    /// RFC 9990 `generator`: the software that wrote the report.
    public var generator: String?

    public init(
        orgName: String, email: String, extraContactInfo: String? = nil, reportID: String,
        dateRange: DateRange, errors: [String] = [], generator: String? = nil
    ) {
        self.orgName = orgName
        self.email = email
        self.extraContactInfo = extraContactInfo
        self.reportID = reportID
        self.dateRange = dateRange
        self.errors = errors
        self.generator = generator
    }
}

public struct PublishedPolicy: Sendable, Hashable {
    public var domain: String
    public var adkim: Alignment?
    public var aspf: Alignment?
    public var p: PolicyAction?
    public var sp: PolicyAction?
    /// RFC 9091 / RFC 9990 policy for non-existent subdomains.
    public var np: PolicyAction?
    /// Legacy sampling percentage (RFC 7489); RFC 9990 replaced it by `testing`.
    public var pct: Int?
    public var fo: String?
    /// RFC 9990 `testing` (`y` or `n`).
    public var testing: String?
    /// RFC 9990 `discovery_method` (`psl` or `treewalk`).
    public var discoveryMethod: String?

    public init(
        domain: String, adkim: Alignment? = nil, aspf: Alignment? = nil, p: PolicyAction? = nil,
        sp: PolicyAction? = nil, np: PolicyAction? = nil, pct: Int? = nil, fo: String? = nil,
        testing: String? = nil, discoveryMethod: String? = nil
    ) {
        self.domain = domain
        self.adkim = adkim
        self.aspf = aspf
        self.p = p
        self.sp = sp
        self.np = np
        self.pct = pct
        self.fo = fo
        self.testing = testing
        self.discoveryMethod = discoveryMethod
    }
}

/// One `<record>`: a source IP and the messages it sent with one set of results.
public struct ReportRecord: Sendable, Hashable {
    public var sourceIP: String
    public var count: Int
    public var disposition: Disposition
    /// The DKIM and SPF results as DMARC evaluated them (alignment included).
    public var dkimAligned: PolicyResult
    public var spfAligned: PolicyResult
    public var overrideReasons: [OverrideReason]
    public var headerFrom: String
    public var envelopeFrom: String?
    public var envelopeTo: String?
    public var dkimResults: [DKIMAuthResult]
    public var spfResults: [SPFAuthResult]

    public init(
        sourceIP: String, count: Int, disposition: Disposition, dkimAligned: PolicyResult,
        spfAligned: PolicyResult, overrideReasons: [OverrideReason] = [], headerFrom: String,
        envelopeFrom: String? = nil, envelopeTo: String? = nil,
        dkimResults: [DKIMAuthResult] = [], spfResults: [SPFAuthResult] = []
    ) {
        self.sourceIP = sourceIP
        self.count = count
        self.disposition = disposition
        self.dkimAligned = dkimAligned
        self.spfAligned = spfAligned
        self.overrideReasons = overrideReasons
        self.headerFrom = headerFrom
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.dkimResults = dkimResults
        self.spfResults = spfResults
    }

    /// DMARC passes when either aligned identifier passes.
    public var dmarcPass: Bool { dkimAligned == .pass || spfAligned == .pass }
}

public struct OverrideReason: Sendable, Hashable {
    public var type: OverrideType
    public var comment: String?

    public init(type: OverrideType, comment: String? = nil) {
        self.type = type
        self.comment = comment
    }
}

public struct DKIMAuthResult: Sendable, Hashable {
    public var domain: String
    public var selector: String?
    public var result: DKIMResult
    public var humanResult: String?

    public init(domain: String, selector: String? = nil, result: DKIMResult, humanResult: String? = nil) {
        self.domain = domain
        self.selector = selector
        self.result = result
        self.humanResult = humanResult
    }
}

public struct SPFAuthResult: Sendable, Hashable {
    public var domain: String
    public var scope: String?
    public var result: SPFResult
    public var humanResult: String?

    public init(domain: String, scope: String? = nil, result: SPFResult, humanResult: String? = nil) {
        self.domain = domain
        self.scope = scope
        self.result = result
        self.humanResult = humanResult
    }
}
