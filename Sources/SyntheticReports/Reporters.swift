import ReportModel

/// A mailbox provider that sends aggregate reports, with the habits of the real one.
public enum SyntheticReporter: String, Sendable, Hashable, CaseIterable {
    case google, outlook, enterpriseOutlook, yahoo, mailRu, fastmail, comcast, gmx

    /// The folder the reporter's files are written to.
    public var folderName: String {
        switch self {
        case .google: "google"
        case .outlook: "outlook"
        case .enterpriseOutlook: "enterprise-outlook"
        case .yahoo: "yahoo"
        case .mailRu: "mailru"
        case .fastmail: "fastmail"
        case .comcast: "comcast"
        case .gmx: "gmx"
        }
    }

    /// The receiver name that starts its file names (RFC 7489 §7.2.1.1).
    var fileHost: String {
        switch self {
        case .google: "google.com"
        case .outlook: "protection.outlook.com"
        case .enterpriseOutlook: "enterprise.protection.outlook.com"
        case .yahoo: "yahoo.com"
        case .mailRu: "mail.ru"
        case .fastmail: "fastmail.com"
        case .comcast: "comcast.net"
        case .gmx: "gmx.net"
        }
    }

    var orgName: String {
        switch self {
        case .google: "google.com"
        case .outlook: "Outlook.com"
        case .enterpriseOutlook: "Enterprise Outlook"
        case .yahoo: "Yahoo"
        case .mailRu: "Mail.Ru"
        case .fastmail: "Fastmail Pty Ltd"
        case .comcast: "comcast.net"
        case .gmx: "GMX"
        }
    }

    var email: String {
        switch self {
        case .google: "noreply-dmarc-support@google.com"
        case .outlook, .enterpriseOutlook: "dmarcreport@microsoft.com"
        case .yahoo: "dmarchelp@yahooinc.com"
        case .mailRu: "dmarc_support@corp.mail.ru"
        case .fastmail: "dmarc-reports@fastmail.com"
        case .comcast: "dmarc_agg_report@comcast.net"
        case .gmx: "dmarc_agg@gmx.net"
        }
    }

    var extraContactInfo: String? {
        switch self {
        case .google: "https://support.google.com/a/answer/2466580"
        case .mailRu: "http://help.mail.ru/mail-help"
        default: nil
        }
    }

    var schema: ReportSchema { self == .gmx ? .rfc9990 : .rfc7489 }

    var version: String { schema == .rfc9990 ? "2.0" : "1.0" }

    var generator: String? { self == .gmx ? "GMX DMARC Reporter 2.1" : nil }

    /// Share of a domain's outgoing mail that lands in this provider's mailboxes.
    var mailShare: Double {
        switch self {
        case .google: 0.42
        case .enterpriseOutlook: 0.20
        case .outlook: 0.09
        case .yahoo: 0.07
        case .comcast, .gmx: 0.02
        case .mailRu, .fastmail: 0.01
        }
    }

    /// Chance of a report on a given day for a domain with full reach. Google reports daily;
    /// the others are thinned so the demo stays small.
    var dailyReportChance: Double {
        switch self {
        case .google: 1
        case .enterpriseOutlook: 0.40
        case .outlook: 0.30
        case .yahoo: 0.25
        case .comcast, .gmx: 0.08
        case .fastmail: 0.06
        case .mailRu: 0.05
        }
    }

    /// Chance of a report on a given day for a domain whose reach (0 to 1) grows with its volume.
    func reportChance(reach: Double) -> Double {
        self == .google ? 1 : dailyReportChance * reach
    }

    /// Google omits `envelope_from`; the others write it.
    var writesEnvelopeFrom: Bool { self != .google }

    var spfScope: String? {
        switch self {
        case .google, .yahoo, .comcast: nil
        default: "mfrom"
        }
    }

    /// Writes `<dkim><domain>…</domain><result>none</result></dkim>` for unsigned mail
    /// instead of leaving the DKIM result out.
    var writesUnsignedAsNone: Bool {
        switch self {
        case .outlook, .enterpriseOutlook, .mailRu, .gmx: true
        default: false
        }
    }

    var writesSelector: Bool { self != .comcast }

    var writesHumanResults: Bool { self == .fastmail || self == .mailRu }

    var fo: String? { self == .outlook || self == .enterpriseOutlook ? "0" : nil }

    /// RFC 9990 lets a reporter say `pass` for mail that passed DMARC.
    var passDisposition: Disposition { schema == .rfc9990 ? .pass : .none }

    /// How the file is packed, drawn per report.
    func packaging(_ rng: inout SplitMix64) -> SyntheticFileKind {
        switch self {
        case .google, .comcast: .zip
        case .yahoo: rng.chance(0.3) ? .xml : .gzip
        case .mailRu: rng.chance(0.5) ? .zip : .gzip
        default: .gzip
        }
    }

    func reportID(begin: Int64, domain: String, _ rng: inout SplitMix64) -> String {
        switch self {
        case .google:
            return String(rng.next() >> 1)
        case .outlook, .enterpriseOutlook:
            return rng.hex(32)
        case .yahoo:
            return "\(begin + 86_400 + Int64(rng.below(14_400))).\(rng.digits(6))"
        case .mailRu:
            return rng.digits(19)
        case .fastmail:
            let variant = ["8", "9", "a", "b"][rng.below(4)]  // RFC 4122 version 4 UUID
            return "\(rng.hex(8))-\(rng.hex(4))-4\(rng.hex(3))-\(variant)\(rng.hex(3))-\(rng.hex(12))"
        case .comcast:
            return "comcast.net:\(domain):\(begin):\(rng.hex(8))"
        case .gmx:
            return rng.hex(32).uppercased()
        }
    }

    /// `receiver!policy-domain!begin!end[!unique-id].ext` (RFC 7489 §7.2.1.1).
    func fileName(domain: String, range: DateRange, reportID: String, kind: SyntheticFileKind) -> String {
        var name = "\(fileHost)!\(domain)!\(range.begin)!\(range.end)"
        if self == .fastmail { name += "!\(reportID)" }
        return name + kind.fileExtension
    }

    /// The name of the XML entry inside a zip archive.
    func entryName(domain: String, range: DateRange) -> String {
        "\(fileHost)!\(domain)!\(range.begin)!\(range.end).xml"
    }

    /// Recipient domains Outlook reports in `envelope_to`, with weights; nil when not written.
    var envelopeToDomains: [(domain: String, weight: Double)]? {
        switch self {
        case .outlook:
            [("outlook.com", 6), ("hotmail.com", 3), ("live.com", 1)]
        case .enterpriseOutlook:
            [("adatum.example", 5), ("tailspintoys.example", 4), ("woodgrovebank.example", 3),
             ("litwareinc.example", 2), ("wingtiptoys.example", 2), ("proseware.example", 1),
             ("lucernepublishing.example", 1), ("alpineskihouse.example", 1)]
        default:
            nil
        }
    }
}
