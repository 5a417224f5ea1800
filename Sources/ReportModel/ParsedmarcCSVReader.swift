import Foundation

/// Recognises the header row of parsedmarc's `aggregate.csv`.
public enum ParsedmarcCSV {
    /// The columns every parsedmarc version writes and sitegen needs.
    static let requiredColumns = [
        "org_name", "report_id", "begin_date", "end_date", "domain", "source_ip_address", "count",
        "disposition", "header_from",
    ]

    /// The first row names `xml_schema` first, then at least the required columns.
    public static func isHeader(_ line: String) -> Bool {
        let columns = line.trimmingXMLWhitespace().split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" \r")) }
        guard columns.first == "xml_schema" else { return false }
        return requiredColumns.allSatisfy(columns.contains)
    }
}

/// Reads parsedmarc's CSV output for aggregate reports (`aggregate.csv`): one row per record,
/// the report's values repeated on each row. Consecutive rows with the same `org_name` and
/// `report_id` are one report.
///
/// parsedmarc joins several values in one cell: DKIM and SPF domains, selectors, scopes and
/// results, and override reason types with `,`; override comments and report errors with `|`.
/// The alignment columns are `True`/`False` (`spf_aligned`, `dkim_aligned`) in current
/// versions and the evaluated words (`spf_alignment`, `dkim_alignment`) in early ones.
public struct ParsedmarcCSVReader: Sendable {
    public var limits: InputLimits

    public init(limits: InputLimits = .standard) {
        self.limits = limits
    }

    /// The reports of the file; rows are read one at a time and each report is built as soon
    /// as its rows are complete, so a large `aggregate.csv` is never held as text or rows.
    public func reports(in data: Data) -> [ImportedReport] {
        let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        var columns: [String: Int]?
        var reports: [ImportedReport] = []
        var block: [CSVRows.Row] = []
        var blockKey: [String]?
        func flush() {
            guard let first = block.first, let last = block.last, let columns else { return }
            let lines = first.line == last.line ? "line \(first.line)" : "lines \(first.line)–\(last.line)"
            let place = "report \(reports.count + 1) (\(lines))"
            do throws(ReportParseError) {
                reports.append(ImportedReport(place: place, result: .success(try Self.report(block, columns))))
            } catch {
                reports.append(ImportedReport(place: place, result: .failure(error)))
            }
            block = []
        }
        CSVRows.parse(bytes) { row in
            guard let known = columns else {
                columns = Dictionary(row.fields.enumerated().map { ($1.trimmingXMLWhitespace(), $0) }) { first, _ in first }
                return
            }
            guard !(row.fields.count == 1 && row.fields[0].isEmpty) else { return }
            let key = [Self.value("org_name", row, known) ?? "", Self.value("report_id", row, known) ?? ""]
            if key != blockKey { flush() }
            blockKey = key
            block.append(row)
        }
        flush()
        return reports
    }

    private static func report(_ rows: [CSVRows.Row], _ columns: [String: Int]) throws(ReportParseError) -> AggregateReport {
        let first = rows[0]
        func text(_ name: String) -> String? { value(name, first, columns) }
        func required(_ name: String) throws(ReportParseError) -> String {
            guard let value = ParsedmarcValues.nonEmpty(text(name)) else {
                throw ReportParseError("line \(first.line): no \(name)")
            }
            return value
        }
        let head = ParsedmarcReportHead(
            version: ParsedmarcValues.version(text("xml_schema")),
            schema: .rfc7489,
            orgName: try required("org_name"),
            email: text("org_email") ?? "",
            extraContactInfo: ParsedmarcValues.nonEmpty(text("org_extra_contact_info")),
            reportID: try required("report_id"),
            begin: text("begin_date").flatMap(ParsedmarcValues.date),
            end: text("end_date").flatMap(ParsedmarcValues.date),
            errors: split(text("errors"), by: "|"),
            generator: nil,
            policy: ParsedmarcValues.policy(
                domain: try required("domain"), adkim: text("adkim"), aspf: text("aspf"), p: text("p"),
                sp: text("sp"), np: text("np"), pct: text("pct"), fo: text("fo"), testing: text("testing"),
                discoveryMethod: text("discovery_method")))
        var records: [ParsedmarcRecord] = []
        for row in rows {
            do throws(ReportParseError) {
                records.append(try record(row, columns))
            } catch {
                throw ReportParseError("line \(row.line): \(error.reason)")
            }
        }
        return try ParsedmarcAssembler.report(head, records)
    }

    private static func record(_ row: CSVRows.Row, _ columns: [String: Int]) throws(ReportParseError) -> ParsedmarcRecord {
        func text(_ name: String) -> String? { value(name, row, columns) }
        guard let sourceIP = ParsedmarcValues.nonEmpty(text("source_ip_address")) else {
            throw ReportParseError("no source_ip_address")
        }
        guard let headerFrom = ParsedmarcValues.nonEmpty(text("header_from")) else { throw ReportParseError("no header_from") }
        let reasonTypes = split(text("policy_override_reasons"), by: ",")
        let comments = split(text("policy_override_comments"), by: "|")
        let dkimDomains = split(text("dkim_domains"), by: ",")
        let dkimSelectors = split(text("dkim_selectors"), by: ",")
        let dkimResults = split(text("dkim_results"), by: ",")
        let spfDomains = split(text("spf_domains"), by: ",")
        let spfScopes = split(text("spf_scopes"), by: ",")
        let spfResults = split(text("spf_results"), by: ",")
        let record = ReportRecord(
            sourceIP: sourceIP,
            count: try ParsedmarcValues.count(text("count")),
            disposition: Disposition(reported: ParsedmarcValues.nonEmpty(text("disposition")) ?? "none"),
            dkimAligned: alignment(aligned: text("dkim_aligned"), evaluated: text("dkim_alignment")),
            spfAligned: alignment(aligned: text("spf_aligned"), evaluated: text("spf_alignment")),
            overrideReasons: reasonTypes.enumerated().map { index, type in
                OverrideReason(
                    type: OverrideType(reported: type),
                    comment: index < comments.count ? ParsedmarcValues.absentIfNone(comments[index]) : nil)
            },
            headerFrom: headerFrom,
            envelopeFrom: ParsedmarcValues.nonEmpty(text("envelope_from")),
            envelopeTo: ParsedmarcValues.nonEmpty(text("envelope_to")),
            dkimResults: dkimDomains.enumerated().map { index, domain in
                DKIMAuthResult(
                    domain: domain,
                    selector: index < dkimSelectors.count ? ParsedmarcValues.absentIfNone(dkimSelectors[index]) : nil,
                    result: DKIMResult(reported: index < dkimResults.count ? dkimResults[index] : "none"))
            },
            spfResults: spfDomains.enumerated().map { index, domain in
                SPFAuthResult(
                    domain: domain, scope: index < spfScopes.count ? ParsedmarcValues.nonEmpty(spfScopes[index]) : nil,
                    result: SPFResult(reported: index < spfResults.count ? spfResults[index] : "none"))
            })
        return ParsedmarcRecord(
            record: record,
            // Current versions write the record's interval (UTC) in these columns.
            intervalBegin: text("begin_date").flatMap(ParsedmarcValues.date),
            intervalEnd: text("end_date").flatMap(ParsedmarcValues.date),
            normalized: text("normalized_timespan").map { $0.trimmingXMLWhitespace().lowercased() == "true" } ?? false)
    }

    /// `True`/`False` from current versions; the evaluated word (`pass`, `fail`) from early ones.
    private static func alignment(aligned: String?, evaluated: String?) -> PolicyResult {
        if let aligned = ParsedmarcValues.nonEmpty(aligned) {
            return ["true", "1", "yes"].contains(aligned.lowercased()) ? .pass : .fail
        }
        return PolicyResult(reported: ParsedmarcValues.nonEmpty(evaluated) ?? "fail")
    }

    private static func split(_ text: String?, by separator: Character) -> [String] {
        guard let text = ParsedmarcValues.nonEmpty(text) else { return [] }
        return text.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingXMLWhitespace() }
    }

    fileprivate static func value(_ name: String, _ row: CSVRows.Row, _ columns: [String: Int]) -> String? {
        guard let index = columns[name], index < row.fields.count else { return nil }
        return row.fields[index]
    }
}

/// RFC 4180 CSV as Python's `csv` module writes it: `,` between fields, `"` around fields that
/// hold `,`, `"` or line breaks, `""` for a quote inside, CRLF or LF between rows.
enum CSVRows {
    struct Row {
        /// The line the row starts on, from 1.
        var line: Int
        var fields: [String]
    }

    /// Calls `each` with every row, in order. Fields are UTF-8 (invalid bytes replaced).
    static func parse(_ bytes: Data.SubSequence, each: (Row) -> Void) {
        bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var fields: [String] = []
            var field: [UInt8] = []
            var inQuotes = false
            var line = 1
            var rowLine = 1
            var index = 0
            func endField() {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            }
            func endRow() {
                endField()
                each(Row(line: rowLine, fields: fields))
                fields.removeAll(keepingCapacity: true)
                rowLine = line
            }
            let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
            while index < buffer.count {
                let byte = buffer[index]
                index += 1
                if inQuotes {
                    if byte == quote {
                        if index < buffer.count, buffer[index] == quote {
                            field.append(quote)
                            index += 1
                        } else {
                            inQuotes = false
                        }
                    } else {
                        if byte == lf { line += 1 }
                        field.append(byte)
                    }
                    continue
                }
                switch byte {
                case quote: inQuotes = true
                case comma: endField()
                case cr:
                    if index < buffer.count, buffer[index] == lf { continue }
                    line += 1
                    endRow()
                case lf:
                    line += 1
                    endRow()
                default: field.append(byte)
                }
            }
            if !field.isEmpty || !fields.isEmpty { endRow() }
        }
    }
}
