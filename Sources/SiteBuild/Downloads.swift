import Foundation
import ReportModel

/// `summary.json`: the machine-readable totals of one client-month. The schema is documented
/// in the README; bump `schemaVersion` on any incompatible change.
struct MonthSummaryDocument: Encodable {
    static let schemaVersion = 1

    struct Disposition: Encodable {
        var none: Int
        var quarantine: Int
        var reject: Int
        var pass: Int
        var other: Int
    }

    struct Totals: Encodable {
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
        var disposition: Disposition
        var reports: Int
    }

    struct Domain: Encodable {
        var domain: String
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
        var disposition: Disposition
        var reports: Int
        var sources: Int
        var senders: [Sender]
        var readiness: Readiness
    }

    struct Sender: Encodable {
        /// `known`, `unlisted`, `own`, `forwarded` or `unknown`.
        var identity: String
        var name: String
        var category: String?
        /// `aligned`, `misaligned`, `forwarder` or `suspicious`.
        var verdict: String
        /// `dkim_not_aligned`, `spf_not_aligned`, `dkim_missing`.
        var fixes: [String]
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
        var sourceIps: [String]
    }

    struct Readiness: Encodable {
        /// `ready`, `almost`, `not_ready`, `strongest` or `no_data`.
        var level: String
        /// Share (0–1) of authorised senders' mail that passes DMARC.
        var alignedShare: Double?
        var currentPolicy: String?
        var nextPolicy: String?
    }

    struct Reporter: Encodable {
        var orgName: String
        var reports: Int
        var messages: Int
        var dmarcPass: Int
    }

    struct Source: Encodable {
        var sourceIp: String
        var messages: Int
        var dmarcPass: Int
        var spfAligned: Int
        var dkimAligned: Int
    }

    var schemaVersion = Self.schemaVersion
    var reseller: String
    var client: String
    var clientName: String
    var month: String
    var totals: Totals
    var domains: [Domain]
    var reporters: [Reporter]
    var sources: [Source]
    var tls: TLS
    var findings: [FindingEntry]

    struct FindingEntry: Encodable {
        var severity: String
        var kind: String
        var domain: String
        var values: [String: String]
        /// The finding as a sentence in the client's language.
        var message: String
    }

    struct TLS: Encodable {
        struct Sessions: Encodable {
            var successful: Int
            var failed: Int
        }

        struct Domain: Encodable {
            var domain: String
            var successful: Int
            var failed: Int
            var reports: Int
            var policyTypes: [String: Sessions]
            var failureTypes: [String: Int]
        }

        var successful: Int
        var failed: Int
        var reports: Int
        var domains: [Domain]

        init(_ data: OwnerMonth) {
            let domains = data.tls.values.sorted { $0.domain < $1.domain }
            let total = data.tlsTotal
            successful = total.successful
            failed = total.failed
            reports = data.tlsReportCount
            self.domains = domains.map { domain in
                Domain(domain: domain.domain, successful: domain.sessions.successful, failed: domain.sessions.failed,
                       reports: domain.reports.count,
                       policyTypes: domain.byPolicyType.mapValues { Sessions(successful: $0.successful, failed: $0.failed) },
                       failureTypes: domain.failureTypes)
            }
        }
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }
}

extension MonthSummaryDocument.Disposition {
    init(_ tally: DispositionTally) {
        self.init(none: tally.none, quarantine: tally.quarantine, reject: tally.reject, pass: tally.pass, other: tally.other)
    }
}

/// `records.csv`: every record that went into a client-month, one row each.
enum RecordsCSV {
    static let header = [
        "domain", "header_from", "reporter", "report_id", "begin_utc", "end_utc", "source_ip", "count",
        "disposition", "dkim_aligned", "spf_aligned", "dmarc", "envelope_from", "envelope_to",
        "dkim_results", "spf_results", "override_reasons",
    ]

    static func render(_ records: [AggregatedRecord]) -> Data {
        var lines = [header.joined(separator: ",")]
        lines.reserveCapacity(records.count + 1)
        for index in rowOrder(records) {
            let item = records[index]
            let record = item.record
            let fields = [
                item.domain, record.headerFrom, item.report.orgName, item.report.reportID,
                UTCTimestamp.iso8601(item.dateRange.begin), UTCTimestamp.iso8601(item.dateRange.end),
                record.sourceIP, String(record.count), record.disposition.description,
                record.dkimAligned.description, record.spfAligned.description, record.dmarcPass ? "pass" : "fail",
                record.envelopeFrom ?? "", record.envelopeTo ?? "",
                record.dkimResults.map { "\($0.domain)\($0.selector.map { " s=\($0)" } ?? ""): \($0.result)" }.joined(separator: "; "),
                record.spfResults.map { "\($0.domain)\($0.scope.map { " (\($0))" } ?? ""): \($0.result)" }.joined(separator: "; "),
                record.overrideReasons.map { "\($0.type)\($0.comment.map { ": \($0)" } ?? "")" }.joined(separator: "; "),
            ]
            lines.append(fields.map(field).joined(separator: ","))
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// Indices in a stable order: domain, time, reporter, report, then the record's own values.
    ///
    /// Sorted in two steps, which give the order one stable sort would: the reports (few, and
    /// each key distinct), then the records of each report. Comparing whole records is what
    /// made this slow.
    private static func rowOrder(_ records: [AggregatedRecord]) -> [Int] {
        var groupOfKey: [ReportKey: Int] = [:]
        var groups: [(key: ReportKey, members: [Int])] = []
        for (index, item) in records.enumerated() {
            let key = ReportKey(domain: item.domain, begin: item.dateRange.begin, report: item.report)
            if let group = groupOfKey[key] {
                groups[group].members.append(index)
            } else {
                groupOfKey[key] = groups.count
                groups.append((key, [index]))
            }
        }
        groups.sort { $0.key < $1.key }
        return groups.flatMap { group in
            group.members.sorted { a, b in
                let x = records[a].record, y = records[b].record
                return (x.sourceIP, x.headerFrom, x.count) < (y.sourceIP, y.headerFrom, y.count)
            }
        }
    }

    private struct ReportKey: Hashable, Comparable {
        var domain: String
        var begin: Int64
        var report: ReportIdentity

        static func < (a: Self, b: Self) -> Bool { (a.domain, a.begin, a.report) < (b.domain, b.begin, b.report) }
    }

    /// RFC 4180 quoting, and a leading apostrophe on cells a spreadsheet would run as a formula.
    static func field(_ value: String) -> String {
        var value = value
        if let first = value.utf8.first, [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first) {
            value = "'" + value
        }
        guard value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

enum UTCTimestamp {
    /// `2025-12-01T00:00:00Z`, built by hand: Foundation's formatters are slow and locale-bound.
    static func iso8601(_ seconds: Int64) -> String {
        let days = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (y, m, d) = CivilDate.from(daysSinceEpoch: days)
        return "\(padded(y, 4))-\(padded(m, 2))-\(padded(d, 2))T\(padded(secondOfDay / 3600, 2)):\(padded(secondOfDay % 3600 / 60, 2)):\(padded(secondOfDay % 60, 2))Z"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
