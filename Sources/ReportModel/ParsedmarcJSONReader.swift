import Foundation

/// Reads parsedmarc's JSON output for aggregate reports (`aggregate.json`: an array of report
/// objects; one report object is read too) back into reports.
///
/// Each report object has `xml_schema`, `report_metadata` (`org_name`, `org_email`,
/// `org_extra_contact_info`, `report_id`, `begin_date`, `end_date`, `errors`),
/// `policy_published` and `records` (`source.ip_address`, `count`, `policy_evaluated`,
/// `identifiers`, `auth_results`, and in recent versions `interval_begin`/`interval_end`).
public struct ParsedmarcJSONReader: Sendable {
    public var limits: InputLimits

    public init(limits: InputLimits = .standard) {
        self.limits = limits
    }

    /// parsedmarc's output is an array of objects with `report_metadata` and `records` (or its
    /// SMTP TLS output, an array of objects with `organization_name` and `policies`), or one
    /// such object. RFC 8460 reports are objects without these keys. Only the first 8 KiB are
    /// looked at.
    public static func isParsedmarcOutput(_ data: Data) -> Bool {
        var head = data.prefix(8_192)
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head = head.dropFirst(3) }
        guard let first = head.first(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else { return false }
        if first == UInt8(ascii: "[") { return true }
        let text = String(decoding: head, as: UTF8.self)
        // Key order varies (Python keeps insertion order, sorted writers put "records" first).
        return text.contains("\"report_metadata\"") || text.contains("\"policy_published\"")
    }

    /// The reports of the file, each parsed on its own: a large `aggregate.json` is never
    /// decoded as a whole, so only one report's objects are in memory at a time.
    public func reports(in data: Data) throws(ReportParseError) -> [ImportedReport] {
        let text = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        let elements: JSONArrayElements.Split
        if JSONArrayElements.firstByte(of: text) == UInt8(ascii: "[") {
            elements = JSONArrayElements.split(text)
        } else {
            elements = JSONArrayElements.Split(ranges: [text.startIndex..<text.endIndex], problem: nil)
        }
        guard !elements.ranges.isEmpty || elements.problem != nil else {
            throw ReportParseError("an empty JSON array: no reports")
        }
        var reports: [ImportedReport] = []
        for (index, range) in elements.ranges.enumerated() {
            let place = "report \(index + 1)"
            do throws(ReportParseError) {
                let object = try parseObject(text[range])
                if index == 0, object["report_metadata"] == nil, object["organization_name"] != nil || object["policies"] != nil {
                    throw ReportParseError(
                        "this is parsedmarc's SMTP TLS output, which is not read; give sitegen the SMTP TLS reports themselves")
                }
                reports.append(ImportedReport(place: place, result: .success(try Self.report(from: object))))
            } catch {
                if index == 0, error.reason.hasPrefix("this is parsedmarc's SMTP TLS output") { throw error }
                reports.append(ImportedReport(place: place, result: .failure(error)))
            }
        }
        if let problem = elements.problem {
            let place = elements.ranges.isEmpty ? "the JSON" : "after report \(elements.ranges.count)"
            reports.append(ImportedReport(place: place, result: .failure(ReportParseError(problem))))
        }
        return reports
    }

    private func parseObject(_ bytes: Data.SubSequence) throws(ReportParseError) -> [String: Any] {
        guard bytes.count <= max(limits.maxFileBytes, limits.maxExpandedBytes) else {
            throw ReportParseError("the report is \(bytes.count) bytes of JSON, over the \(limits.maxFileBytes >> 20) MiB limit")
        }
        let data = Data(bytes)
        guard !JSONNesting.exceeds(limits.maxElementDepth, in: data) else {
            throw ReportParseError("JSON arrays and objects nest deeper than \(limits.maxElementDepth) levels")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw ReportParseError("not valid JSON" + (detail.map { ": \($0)" } ?? ""))
        }
        guard let object = root as? [String: Any] else { throw ReportParseError("not a JSON object") }
        return object
    }

    private static func report(from object: [String: Any]) throws(ReportParseError) -> AggregateReport {
        let metadata = try requiredObject("report_metadata", in: object)
        let published = try requiredObject("policy_published", in: object)
        guard let records = object["records"] as? [Any] else { throw ReportParseError("no \"records\" list") }
        let head = ParsedmarcReportHead(
            version: ParsedmarcValues.version(text(object["xml_schema"])),
            schema: ParsedmarcValues.schema(namespace: text(object["xml_namespace"])),
            orgName: try requiredText("org_name", in: metadata, "report_metadata"),
            email: text(metadata["org_email"]) ?? "",
            extraContactInfo: ParsedmarcValues.nonEmpty(text(metadata["org_extra_contact_info"])),
            reportID: try requiredText("report_id", in: metadata, "report_metadata"),
            begin: text(metadata["begin_date"]).flatMap(ParsedmarcValues.date),
            end: text(metadata["end_date"]).flatMap(ParsedmarcValues.date),
            errors: ((metadata["errors"] as? [Any]) ?? []).compactMap(text).filter { !$0.isEmpty },
            generator: ParsedmarcValues.nonEmpty(text(metadata["generator"])),
            policy: ParsedmarcValues.policy(
                domain: try requiredText("domain", in: published, "policy_published"),
                adkim: text(published["adkim"]), aspf: text(published["aspf"]), p: text(published["p"]),
                sp: text(published["sp"]), np: text(published["np"]), pct: text(published["pct"]),
                fo: text(published["fo"]), testing: text(published["testing"]),
                discoveryMethod: text(published["discovery_method"])))
        var rows: [ParsedmarcRecord] = []
        for (index, entry) in records.enumerated() {
            do throws(ReportParseError) {
                guard let members = entry as? [String: Any] else { throw ReportParseError("not a JSON object") }
                rows.append(try record(from: members))
            } catch {
                throw ReportParseError("record \(index + 1): \(error.reason)")
            }
        }
        return try ParsedmarcAssembler.report(head, rows)
    }

    private static func record(from object: [String: Any]) throws(ReportParseError) -> ParsedmarcRecord {
        let source = try requiredObject("source", in: object)
        let evaluated = try requiredObject("policy_evaluated", in: object)
        let identifiers = try requiredObject("identifiers", in: object)
        let auth = (object["auth_results"] as? [String: Any]) ?? [:]
        let reasons = ((evaluated["policy_override_reasons"] as? [Any]) ?? []).compactMap { $0 as? [String: Any] }
        let record = ReportRecord(
            sourceIP: try requiredText("ip_address", in: source, "source"),
            count: try ParsedmarcValues.count(text(object["count"])),
            disposition: Disposition(reported: text(evaluated["disposition"]) ?? "none"),
            dkimAligned: PolicyResult(reported: text(evaluated["dkim"]) ?? "fail"),
            spfAligned: PolicyResult(reported: text(evaluated["spf"]) ?? "fail"),
            overrideReasons: reasons.compactMap { reason in
                ParsedmarcValues.nonEmpty(text(reason["type"])).map {
                    OverrideReason(type: OverrideType(reported: $0), comment: ParsedmarcValues.nonEmpty(text(reason["comment"])))
                }
            },
            headerFrom: try requiredText("header_from", in: identifiers, "identifiers"),
            envelopeFrom: ParsedmarcValues.nonEmpty(text(identifiers["envelope_from"])),
            envelopeTo: ParsedmarcValues.nonEmpty(text(identifiers["envelope_to"])),
            dkimResults: ((auth["dkim"] as? [Any]) ?? []).compactMap { $0 as? [String: Any] }.compactMap { result in
                ParsedmarcValues.nonEmpty(text(result["domain"])).map {
                    DKIMAuthResult(
                        domain: $0, selector: ParsedmarcValues.absentIfNone(text(result["selector"])),
                        result: DKIMResult(reported: text(result["result"]) ?? "none"),
                        humanResult: ParsedmarcValues.nonEmpty(text(result["human_result"])))
                }
            },
            spfResults: ((auth["spf"] as? [Any]) ?? []).compactMap { $0 as? [String: Any] }.compactMap { result in
                ParsedmarcValues.nonEmpty(text(result["domain"])).map {
                    SPFAuthResult(
                        domain: $0, scope: ParsedmarcValues.nonEmpty(text(result["scope"])),
                        result: SPFResult(reported: text(result["result"]) ?? "none"),
                        humanResult: ParsedmarcValues.nonEmpty(text(result["human_result"])))
                }
            })
        return ParsedmarcRecord(
            record: record,
            intervalBegin: text(object["interval_begin"]).flatMap(ParsedmarcValues.date),
            intervalEnd: text(object["interval_end"]).flatMap(ParsedmarcValues.date),
            normalized: (object["normalized_timespan"] as? Bool) ?? false)
    }

    /// Text, also from a number (report ids and counts come both ways); nil for null or others.
    private static func text(_ value: Any?) -> String? {
        switch value {
        case let string as String: return string
        case let number as NSNumber where String(cString: number.objCType) != "c": return number.stringValue
        default: return nil
        }
    }

    private static func requiredObject(_ key: String, in object: [String: Any]) throws(ReportParseError) -> [String: Any] {
        guard let value = object[key] as? [String: Any] else { throw ReportParseError("no \"\(key)\" object") }
        return value
    }

    private static func requiredText(_ key: String, in object: [String: Any], _ parent: String) throws(ReportParseError) -> String {
        guard let value = ParsedmarcValues.nonEmpty(text(object[key])) else {
            throw ReportParseError("no \"\(parent).\(key)\"")
        }
        return value
    }
}

/// Finds the members of a top-level JSON array without decoding them, with one pass over the
/// bytes (strings and escapes skipped), so each can be decoded on its own.
enum JSONArrayElements {
    struct Split {
        var ranges: [Range<Int>]
        /// Why the array does not end properly, after the complete members.
        var problem: String?
    }

    static func firstByte(of bytes: Data.SubSequence) -> UInt8? {
        bytes.first { !isWhitespace($0) }
    }

    static func split(_ bytes: Data.SubSequence) -> Split {
        bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Split in
            let base = bytes.startIndex
            var ranges: [Range<Int>] = []
            var index = 0
            while index < buffer.count, isWhitespace(buffer[index]) { index += 1 }
            guard index < buffer.count, buffer[index] == UInt8(ascii: "[") else {
                return Split(ranges: [], problem: "not a JSON array")
            }
            index += 1
            var depth = 0
            var inString = false
            var escaped = false
            var elementStart: Int?
            while index < buffer.count {
                let byte = buffer[index]
                if inString {
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                    index += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    if elementStart == nil { elementStart = index }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if elementStart == nil { elementStart = index }
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 {
                        // The end of the top-level array.
                        if let start = elementStart { ranges.append((base + start)..<(base + index)) }
                        return Split(ranges: ranges, problem: nil)
                    }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 {
                        if let start = elementStart { ranges.append((base + start)..<(base + index)) }
                        elementStart = nil
                    }
                default:
                    if elementStart == nil, !isWhitespace(byte) { elementStart = index }
                }
                index += 1
            }
            return Split(ranges: ranges, problem: "the JSON ends before its array is closed (a file cut short?)")
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
