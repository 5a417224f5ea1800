import ReportModel

/// A mail provider that sends SMTP TLS reports about the sessions its servers opened to a
/// domain, with the habits of the real one.
public enum SyntheticTLSReporter: String, Sendable, Hashable, CaseIterable {
    case google, microsoft, comcast, mailRu

    /// The folder the reporter's files are written to (next to its DMARC reports, if any).
    public var folderName: String {
        switch self {
        case .google: "google"
        case .microsoft: "microsoft"
        case .comcast: "comcast"
        case .mailRu: "mailru"
        }
    }

    /// The sender name that starts its file names (RFC 8460 §5.3).
    var fileHost: String {
        switch self {
        case .google: "google.com"
        case .microsoft: "microsoft.com"
        case .comcast: "comcast.net"
        case .mailRu: "mail.ru"
        }
    }

    var organizationName: String {
        switch self {
        case .google: "Google Inc."
        case .microsoft: "Microsoft Corporation"
        case .comcast: "Comcast"
        case .mailRu: "Mail.Ru"
        }
    }

    var contactInfo: String {
        switch self {
        case .google: "smtp-tls-reporting@google.com"
        case .microsoft: "tlsrpt-noreply@microsoft.com"
        case .comcast: "tlsrpt@comcast.net"
        case .mailRu: "tlsrpt@corp.mail.ru"
        }
    }

    /// Share of the reported inbound sessions that come from this provider.
    var sessionShare: Double {
        switch self {
        case .google: 0.52
        case .microsoft: 0.4
        case .comcast: 0.05
        case .mailRu: 0.03
        }
    }

    /// Chance of a report on a day with sessions. Google and Microsoft report every day; the
    /// others are thinned so the demo stays small.
    var dailyReportChance: Double {
        switch self {
        case .google, .microsoft: 1
        case .comcast: 0.06
        case .mailRu: 0.04
        }
    }

    /// Checks TLSA records (RFC 7672); the others find no policy at a DANE-only domain.
    var validatesDANE: Bool { self == .microsoft || self == .comcast }

    /// Microsoft leaves `mx-host` out and relies on the `mx:` lines of `policy-string`.
    var writesMXHosts: Bool { self != .microsoft }

    /// Microsoft writes all TLSA records as one JSON-array string, the others one string each.
    func tlsaPolicyStrings(_ records: [String]) -> [String] {
        guard self == .microsoft else { return records }
        return [JSONTextWriter().text(.array(records.map(JSONValue.string)))]
    }

    var writerStyle: TLSReportJSONWriter.Style {
        switch self {
        case .google: .omitsZeroCounts
        case .comcast: .indented
        case .microsoft, .mailRu: []
        }
    }

    /// Comcast attaches plain JSON; the others gzip it.
    var fileKind: SyntheticTLSFileKind { self == .comcast ? .json : .gzip }

    /// When the report goes out (Unix time): some hours after the day it covers.
    func sendingTime(after range: DateRange, _ rng: inout SplitMix64) -> Int64 {
        let delay: Int = switch self {
        case .google: 3_600 + rng.below(3 * 3_600)
        case .microsoft: 12 * 3_600 + rng.below(10 * 3_600)
        case .comcast, .mailRu: rng.below(8 * 3_600)
        }
        return range.end + 1 + Int64(delay)
    }

    /// The report id; the part the file name repeats is `fileNameSuffix`.
    func reportID(domain: String, day: CalendarDay, sent: Int64, _ rng: inout SplitMix64) -> String {
        switch self {
        case .google:
            return "\(UTCDateTime.rfc3339(day))_\(domain)"
        case .microsoft:
            return "\(Self.windowsFileTime(sent, &rng))+\(domain)"
        case .comcast:
            let variant = ["8", "9", "a", "b"][rng.below(4)]  // RFC 4122 version 4 UUID
            return "\(rng.hex(8))-\(rng.hex(4))-4\(rng.hex(3))-\(variant)\(rng.hex(3))-\(rng.hex(12))"
        case .mailRu:
            return "\(domain).\(day.daysSinceEpoch * 86_400).\(rng.digits(8))"
        }
    }

    /// `sender!policy-domain!begin!end[!unique-id].json[.gz]` (RFC 8460 §5.3).
    func fileName(domain: String, range: DateRange, reportID: String, kind: SyntheticTLSFileKind) -> String {
        var name = "\(fileHost)!\(domain)!\(range.begin)!\(range.end)"
        switch self {
        case .google: name += "!001"
        case .microsoft: name += "!" + (reportID.split(separator: "+").first.map(String.init) ?? reportID)
        case .comcast, .mailRu: break
        }
        return name + kind.fileExtension
    }

    /// Addresses the provider's outbound servers connect from (`sending-mta-ip`).
    func sendingAddress(_ rng: inout SplitMix64) -> String {
        let (ipv4, ipv6): ([(String, ClosedRange<Int>)], String?) = switch self {
        case .google: ([("209.85", 128...255)], "2a00:1450:4864:20::")
        case .microsoft: ([("40.107", 0...255), ("52.101", 0...255)], "2a01:111:f403:c400::")
        case .comcast: ([("96.102", 0...255), ("69.252", 0...255)], "2001:558:fd00:56::")
        case .mailRu: ([("94.100", 176...183), ("217.69", 128...143)], nil)
        }
        if let ipv6, rng.chance(0.25) {
            return ipv6 + String(rng.int(in: 0x100...0xfff), radix: 16)
        }
        let network = ipv4[rng.below(ipv4.count)]
        return "\(network.0).\(rng.int(in: network.1)).\(rng.int(in: 1...254))"
    }

    /// Windows FILETIME (100-nanosecond steps since 1601), which Microsoft's report ids start with.
    private static func windowsFileTime(_ unixTime: Int64, _ rng: inout SplitMix64) -> Int64 {
        (unixTime + 11_644_473_600) * 10_000_000 + Int64(rng.below(10_000_000))
    }
}

/// How a TLS report file is packed.
public enum SyntheticTLSFileKind: String, Sendable, Hashable, CaseIterable {
    /// Plain JSON, `.json`.
    case json
    /// gzip, `.json.gz`.
    case gzip

    var fileExtension: String {
        switch self {
        case .json: ".json"
        case .gzip: ".json.gz"
        }
    }
}
