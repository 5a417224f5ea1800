import Foundation

/// Who wrote the report data sitegen read.
public enum ReportOrigin: String, Sendable, Hashable {
    /// The reporter's own XML (bare, compressed or mailed).
    case reporter
    /// parsedmarc's aggregate output (`aggregate.json` or `aggregate.csv`), which rewrites the
    /// reporter name and the report id (see `ReportIdentity.parsedmarcForm`).
    case parsedmarc
}

/// One report read back from another tool's output file, or why it could not be.
public struct ImportedReport: Sendable {
    /// Where in the file: `report 3` in JSON, `report 3 (lines 10–14)` in CSV.
    public var place: String
    public var result: Result<AggregateReport, ReportParseError>
}

extension ReportIdentity {
    /// The identity as parsedmarc writes it, so a report imported from parsedmarc's output and
    /// the reporter's own XML are known as the same report. parsedmarc replaces an `org_name`
    /// without spaces by its organisational domain (Public Suffix List), and keeps of the
    /// `report_id` what comes before the first `@`, without `<` and `>`. Compared without case.
    public var parsedmarcForm: ReportIdentity {
        var org = orgName.trimmingXMLWhitespace()
        // Foundation's `contains` is costly for a check made once per ingested report; for
        // ASCII (nearly every name) looking for the byte gives the same answer.
        let hasSpace = org.utf8.allSatisfy { $0 < 0x80 } ? org.utf8.contains(0x20) : org.contains(" ")
        if !hasSpace, let base = PublicSuffixList.system.organisationalDomain(of: org.lowercased()) {
            org = base
        }
        var id = reportID.trimmingXMLWhitespace()
        if id.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) {
            id = id.replacingOccurrences(of: "<", with: "").replacingOccurrences(of: ">", with: "")
        }
        let beforeAt: String
        if id.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: the first '@' byte is where the split by Character below would cut.
            beforeAt = id.utf8.firstIndex(of: UInt8(ascii: "@")).map { String(id[..<$0]) } ?? id
        } else {
            beforeAt = id.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? id
        }
        return ReportIdentity(orgName: org.lowercased(), reportID: beforeAt.lowercased())
    }
}

/// One record as parsedmarc wrote it, with the interval it gave the record.
struct ParsedmarcRecord {
    var record: ReportRecord
    /// UTC (parsedmarc converts the report's dates to UTC for these).
    var intervalBegin: Int64?
    var intervalEnd: Int64?
    /// parsedmarc split the record of a report longer than a day into one record per day.
    var normalized: Bool
}

/// The report-level values parsedmarc wrote.
struct ParsedmarcReportHead {
    var version: String?
    var schema: ReportSchema
    var orgName: String
    var email: String
    var extraContactInfo: String?
    var reportID: String
    /// parsedmarc's `begin_date`/`end_date`: the local time of the machine that ran it, read
    /// as UTC; only used when the records carry no interval.
    var begin: Int64?
    var end: Int64?
    var errors: [String]
    var generator: String?
    var policy: PublishedPolicy
}

/// Puts a report back together from parsedmarc's report-level values and records.
enum ParsedmarcAssembler {
    static func report(_ head: ParsedmarcReportHead, _ rows: [ParsedmarcRecord]) throws(ReportParseError) -> AggregateReport {
        let begins = rows.compactMap(\.intervalBegin)
        let ends = rows.compactMap(\.intervalEnd)
        guard let begin = begins.min() ?? head.begin, let end = ends.max() ?? head.end else {
            throw ReportParseError("the report has no begin_date and end_date")
        }
        let metadata = ReportMetadata(
            orgName: head.orgName, email: head.email, extraContactInfo: head.extraContactInfo,
            reportID: head.reportID, dateRange: DateRange(begin: begin, end: end), errors: head.errors,
            generator: head.generator)
        return AggregateReport(
            schema: head.schema, version: head.version, metadata: metadata, policy: head.policy,
            records: merged(rows), origin: .parsedmarc)
    }

    /// parsedmarc writes the record of a report spanning more than a day as one record per
    /// day, each with a share of the count and a later interval. Those pieces are joined back:
    /// a normalised record that repeats the previous one, with a later interval, is its next day.
    static func merged(_ rows: [ParsedmarcRecord]) -> [ReportRecord] {
        var records: [ReportRecord] = []
        var previous: ParsedmarcRecord?
        for row in rows {
            if let last = previous, row.normalized, last.normalized,
               let begin = row.intervalBegin, let lastBegin = last.intervalBegin, begin > lastBegin,
               sameExceptCount(row.record, last.record) {
                records[records.count - 1].count += row.record.count
                previous = row
                continue
            }
            records.append(row.record)
            previous = row
        }
        return records
    }

    private static func sameExceptCount(_ a: ReportRecord, _ b: ReportRecord) -> Bool {
        var a = a
        a.count = b.count
        return a == b
    }
}

/// The values parsedmarc writes, read tolerantly.
enum ParsedmarcValues {
    /// parsedmarc writes dates as `YYYY-MM-DD HH:MM:SS` without a zone. Also read: a `T`
    /// between date and time, a `Z` or `+00:00` suffix, and Unix seconds.
    static func date(_ text: String) -> Int64? {
        var value = text.trimmingXMLWhitespace()
        if let seconds = Int64(value) { return seconds }
        if value.hasSuffix("Z") { value.removeLast() } else if value.hasSuffix("+00:00") { value.removeLast(6) }
        let parts = value.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return nil }
        let day = parts[0].split(separator: "-").compactMap { Int($0) }
        let time = parts[1].split(separator: ".")[0].split(separator: ":").compactMap { Int($0) }
        guard day.count == 3, time.count == 3, (1...12).contains(day[1]), (1...31).contains(day[2]),
              (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(time[2])
        else { return nil }
        let days = CivilDate.daysSinceEpoch(year: day[0], month: day[1], day: day[2])
        return Int64(days) * 86_400 + Int64(time[0] * 3_600 + time[1] * 60 + time[2])
    }

    /// `none` is what parsedmarc writes for a missing DKIM selector or override comment.
    static func absentIfNone(_ text: String?) -> String? {
        guard let text = text?.trimmingXMLWhitespace(), !text.isEmpty, text.lowercased() != "none" else { return nil }
        return text
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingXMLWhitespace(), !text.isEmpty else { return nil }
        return text
    }

    /// `xml_schema` is the report's `<version>`, or `draft` when it had none.
    static func version(_ schema: String?) -> String? {
        guard let schema = nonEmpty(schema), schema.lowercased() != "draft" else { return nil }
        return schema
    }

    static func schema(namespace: String?) -> ReportSchema {
        namespace?.trimmingXMLWhitespace() == "urn:ietf:params:xml:ns:dmarc-2.0" ? .rfc9990 : .rfc7489
    }

    static func count(_ text: String?) throws(ReportParseError) -> Int {
        guard let text = nonEmpty(text), let count = Int(text), count >= 0, count <= AggregateReportParser.maxRecordCount else {
            throw ReportParseError("the count \"\(text ?? "")\" is not a whole number from 0 to \(AggregateReportParser.maxRecordCount)")
        }
        return count
    }

    static func policy(
        domain: String, adkim: String?, aspf: String?, p: String?, sp: String?, np: String?, pct: String?,
        fo: String?, testing: String?, discoveryMethod: String?
    ) -> PublishedPolicy {
        PublishedPolicy(
            domain: domain.trimmingXMLWhitespace(),
            adkim: nonEmpty(adkim).map(Alignment.init(reported:)), aspf: nonEmpty(aspf).map(Alignment.init(reported:)),
            p: nonEmpty(p).map(PolicyAction.init(reported:)), sp: nonEmpty(sp).map(PolicyAction.init(reported:)),
            np: nonEmpty(np).map(PolicyAction.init(reported:)), pct: nonEmpty(pct).flatMap { Int($0) },
            fo: nonEmpty(fo), testing: nonEmpty(testing), discoveryMethod: nonEmpty(discoveryMethod))
    }
}
