import Foundation
import ReportModel

/// Writes aggregate reports the way parsedmarc (domainaware/parsedmarc, 9.x) writes its
/// output, as if it had read the reporters' XML on a machine running in UTC:
/// `aggregate.json` (a JSON array of report objects) and `aggregate.csv` (one row per record).
///
/// What parsedmarc changes on the way is done here too: the `org_name` (without spaces)
/// becomes its organisational domain, the `report_id` loses `<`, `>` and everything from the
/// first `@`, `header_from` is lowercased, result words are lowercased, a missing DKIM selector
/// is written `none` and a missing SPF scope `mfrom`, a missing `envelope_from` is taken from
/// the last SPF domain, `adkim`/`aspf` default to `r` and `sp` to `p`, dates are
/// `YYYY-MM-DD HH:MM:SS`, and a report longer than a day has each record split into one record
/// per day with the count shared out (largest remainder), each with its own interval. DNS and
/// IP lookups (country, reverse DNS, base domain, name, type, ASN) are written as null: this
/// writer works offline, as `parsedmarc --offline` does.
public enum ParsedmarcOutputWriter {
    public static let csvColumns = [
        "xml_schema", "org_name", "org_email", "org_extra_contact_info", "report_id", "begin_date", "end_date",
        "normalized_timespan", "errors", "domain", "adkim", "aspf", "p", "sp", "np", "pct", "fo", "testing",
        "discovery_method", "source_ip_address", "source_country", "source_reverse_dns", "source_base_domain",
        "source_name", "source_type", "source_asn", "source_as_name", "source_as_domain", "count", "spf_aligned",
        "dkim_aligned", "dmarc_aligned", "disposition", "policy_override_reasons", "policy_override_comments",
        "envelope_from", "header_from", "envelope_to", "dkim_domains", "dkim_selectors", "dkim_results",
        "spf_domains", "spf_scopes", "spf_results",
    ]

    /// parsedmarc's `aggregate.json`: the reports in the order given.
    public static func json(_ reports: [AggregateReport]) throws -> Data {
        // One report at a time, so a year of reports is never one object graph.
        var json = Data("[\n".utf8)
        for (index, report) in reports.enumerated() {
            if index > 0 { json.append(Data(",\n".utf8)) }
            json.append(try JSONSerialization.data(withJSONObject: reportObject(report), options: [.prettyPrinted, .sortedKeys]))
        }
        json.append(Data("\n]\n".utf8))
        return json
    }

    /// parsedmarc's `aggregate.csv`: a header row, then one row per (split) record; rows end
    /// with CRLF, as Python's `csv` module writes them.
    public static func csv(_ reports: [AggregateReport]) -> Data {
        var text = csvColumns.joined(separator: ",") + "\r\n"
        for report in reports {
            let head = reportHead(report)
            for record in splitRecords(report) {
                let row = csvRow(head: head, record: record)
                text += csvColumns.map { csvField(row[$0] ?? "") }.joined(separator: ",") + "\r\n"
            }
        }
        return Data(text.utf8)
    }

    // MARK: Report level

    private struct Head {
        var schema: String
        var orgName: String
        var email: String
        var extraContactInfo: String?
        var reportID: String
        var begin: String
        var end: String
        var normalize: Bool
        var span: Int64
        var errors: [String]
        var generator: String?
        var policy: PublishedPolicy
        var namespace: String?
    }

    private static func reportHead(_ report: AggregateReport) -> Head {
        let metadata = report.metadata
        var org = metadata.orgName
        if !org.contains(" "), let base = PublicSuffixList.system.organisationalDomain(of: org.lowercased()) {
            org = base
        }
        let id = metadata.reportID.replacingOccurrences(of: "<", with: "").replacingOccurrences(of: ">", with: "")
        let span = metadata.dateRange.end - metadata.dateRange.begin
        return Head(
            schema: report.version ?? "draft", orgName: org, email: metadata.email,
            extraContactInfo: metadata.extraContactInfo,
            reportID: id.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? id,
            begin: date(metadata.dateRange.begin), end: date(metadata.dateRange.end), normalize: span > 86_400,
            span: span, errors: metadata.errors, generator: metadata.generator, policy: report.policy,
            namespace: report.schema == .rfc9990 ? "urn:ietf:params:xml:ns:dmarc-2.0" : nil)
    }

    private static func reportObject(_ report: AggregateReport) -> [String: Any] {
        let head = reportHead(report)
        let policy = head.policy
        return [
            "xml_schema": head.schema,
            "xml_namespace": head.namespace ?? NSNull(),
            "report_metadata": [
                "org_name": head.orgName, "org_email": head.email,
                "org_extra_contact_info": head.extraContactInfo ?? NSNull(), "report_id": head.reportID,
                "begin_date": head.begin, "end_date": head.end, "timespan_requires_normalization": head.normalize,
                "original_timespan_seconds": head.span, "errors": head.errors, "generator": head.generator ?? NSNull(),
            ] as [String: Any],
            "policy_published": [
                "domain": policy.domain, "adkim": policy.adkim?.description ?? "r", "aspf": policy.aspf?.description ?? "r",
                "p": policy.p?.description ?? NSNull(), "sp": (policy.sp ?? policy.p)?.description ?? NSNull(),
                "pct": policy.pct.map(String.init) ?? NSNull(), "fo": policy.fo ?? NSNull(),
                "np": policy.np?.description ?? NSNull(), "testing": policy.testing ?? NSNull(),
                "discovery_method": policy.discoveryMethod ?? NSNull(),
            ] as [String: Any],
            "records": splitRecords(report).map(recordObject),
        ]
    }

    // MARK: Records

    /// A record with the interval parsedmarc gives it.
    private struct SplitRecord {
        var record: ReportRecord
        var begin: Int64
        var end: Int64
        var normalized: Bool
    }

    /// parsedmarc's timespan normalisation: a report longer than 24 hours has each record cut
    /// at UTC midnights, the count shared by the seconds in each day (largest remainder), and
    /// pieces with no messages left out.
    private static func splitRecords(_ report: AggregateReport) -> [SplitRecord] {
        let range = report.metadata.dateRange
        guard range.end - range.begin > 86_400 else {
            return report.records.map { SplitRecord(record: $0, begin: range.begin, end: range.end, normalized: false) }
        }
        var buckets: [(begin: Int64, end: Int64)] = []
        var cursor = range.begin - ((range.begin % 86_400) + 86_400) % 86_400
        while cursor < range.end {
            let begin = max(range.begin, cursor)
            let end = min(range.end, cursor + 86_400)
            if end > begin { buckets.append((begin, end)) }
            cursor += 86_400
        }
        let total = Double(range.end - range.begin)
        var result: [SplitRecord] = []
        for record in report.records {
            let exact = buckets.map { Double($0.end - $0.begin) / total * Double(record.count) }
            var counts = exact.map { Int($0) }
            let remainder = record.count - counts.reduce(0, +)
            let byFraction = exact.indices.sorted { exact[$0] - Double(counts[$0]) > exact[$1] - Double(counts[$1]) }
            for index in byFraction.prefix(remainder) { counts[index] += 1 }
            for (bucket, count) in zip(buckets, counts) where count > 0 {
                var piece = record
                piece.count = count
                result.append(SplitRecord(record: piece, begin: bucket.begin, end: bucket.end, normalized: true))
            }
        }
        return result
    }

    /// What parsedmarc writes for `envelope_from`: the reported one, or the last SPF domain.
    private static func envelopeFrom(_ record: ReportRecord) -> String? {
        record.envelopeFrom ?? record.spfResults.last.map { $0.domain.lowercased() }
    }

    private static func recordObject(_ split: SplitRecord) -> [String: Any] {
        let record = split.record
        let spf = record.spfAligned == .pass
        let dkim = record.dkimAligned == .pass
        return [
            "source": [
                "ip_address": record.sourceIP.lowercased(), "country": NSNull(), "reverse_dns": NSNull(),
                "base_domain": NSNull(), "name": NSNull(), "type": NSNull(), "asn": NSNull(), "as_name": NSNull(),
                "as_domain": NSNull(),
            ] as [String: Any],
            "count": record.count,
            "alignment": ["spf": spf, "dkim": dkim, "dmarc": spf || dkim],
            "policy_evaluated": [
                "disposition": record.disposition.description.lowercased(),
                "dkim": record.dkimAligned.description.lowercased(), "spf": record.spfAligned.description.lowercased(),
                "policy_override_reasons": record.overrideReasons.map { reason in
                    ["type": reason.type.description, "comment": reason.comment ?? NSNull()] as [String: Any]
                },
            ] as [String: Any],
            "identifiers": [
                "header_from": record.headerFrom.lowercased(), "envelope_from": envelopeFrom(record) ?? NSNull(),
                "envelope_to": record.envelopeTo ?? NSNull(),
            ] as [String: Any],
            "auth_results": [
                "dkim": record.dkimResults.map { result in
                    ["domain": result.domain, "selector": result.selector ?? "none",
                     "result": result.result.description.lowercased(), "human_result": result.humanResult ?? NSNull()] as [String: Any]
                },
                "spf": record.spfResults.map { result in
                    ["domain": result.domain, "scope": result.scope ?? "mfrom",
                     "result": result.result.description.lowercased(), "human_result": result.humanResult ?? NSNull()] as [String: Any]
                },
            ],
            "normalized_timespan": split.normalized,
            "interval_begin": date(split.begin),
            "interval_end": date(split.end),
        ]
    }

    private static func csvRow(head: Head, record split: SplitRecord) -> [String: String] {
        let record = split.record
        let policy = head.policy
        let spf = record.spfAligned == .pass
        let dkim = record.dkimAligned == .pass
        return [
            "xml_schema": head.schema, "org_name": head.orgName, "org_email": head.email,
            "org_extra_contact_info": head.extraContactInfo ?? "", "report_id": head.reportID,
            "begin_date": date(split.begin), "end_date": date(split.end), "normalized_timespan": python(head.normalize),
            "errors": head.errors.joined(separator: "|"), "domain": policy.domain,
            "adkim": policy.adkim?.description ?? "r", "aspf": policy.aspf?.description ?? "r",
            "p": policy.p?.description ?? "", "sp": (policy.sp ?? policy.p)?.description ?? "",
            "np": policy.np?.description ?? "", "pct": policy.pct.map(String.init) ?? "", "fo": policy.fo ?? "",
            "testing": policy.testing ?? "", "discovery_method": policy.discoveryMethod ?? "",
            "source_ip_address": record.sourceIP.lowercased(), "count": String(record.count),
            "spf_aligned": python(spf), "dkim_aligned": python(dkim), "dmarc_aligned": python(spf || dkim),
            "disposition": record.disposition.description.lowercased(),
            "policy_override_reasons": record.overrideReasons.map(\.type.description).joined(separator: ","),
            "policy_override_comments": record.overrideReasons.map { $0.comment ?? "none" }.joined(separator: "|"),
            "envelope_from": envelopeFrom(record) ?? "", "header_from": record.headerFrom.lowercased(),
            "envelope_to": record.envelopeTo ?? "",
            "dkim_domains": record.dkimResults.map { $0.domain.lowercased() }.joined(separator: ","),
            "dkim_selectors": record.dkimResults.map { ($0.selector ?? "none").lowercased() }.joined(separator: ","),
            "dkim_results": record.dkimResults.map { $0.result.description.lowercased() }.joined(separator: ","),
            "spf_domains": record.spfResults.map { $0.domain.lowercased() }.joined(separator: ","),
            "spf_scopes": record.spfResults.map { ($0.scope ?? "mfrom").lowercased() }.joined(separator: ","),
            "spf_results": record.spfResults.map { $0.result.description.lowercased() }.joined(separator: ","),
        ]
    }

    /// Python's `str()` of a bool.
    private static func python(_ value: Bool) -> String { value ? "True" : "False" }

    /// Python's csv QUOTE_MINIMAL.
    private static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    static func date(_ unixTime: Int64) -> String {
        let days = Int(unixTime >= 0 ? unixTime / 86_400 : (unixTime - 86_399) / 86_400)
        let seconds = Int(unixTime - Int64(days) * 86_400)
        let (year, month, day) = CivilDate.from(daysSinceEpoch: days)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, seconds / 3_600, seconds / 60 % 60, seconds % 60)
    }
}
