import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import ReportModel

// The FoundationXML (libxml2) parser that production used before the byte-level parser: kept
// here only as the reference the differential tests compare the new parser against.

/// Reads one DMARC aggregate report from XML, tolerant of what real reporters send.
struct ReferenceAggregateReportParser: Sendable {
    static let rfc9990Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"
    /// Counts above this are not plausible for one record and are refused, which also keeps
    /// every total far from integer overflow.
    static let maxRecordCount = 1_000_000_000_000

    var limits: InputLimits

    init(limits: InputLimits = .standard) {
        self.limits = limits
    }

    func parse(_ data: Data) throws(ReportParseError) -> AggregateReport {
        let text: Data
        do {
            text = try XMLText.normalized(data)
        } catch {
            throw ReportParseError(error.description)
        }
        do {
            return try parseNormalized(text)
        } catch let first {
            // Some reporters (IKEA's among them) prepend an unclosed element before <feedback>.
            guard let recovered = Self.documentStartingAtFeedback(text),
                  let report = try? parseNormalized(recovered)
            else { throw first }
            return report
        }
    }

    private func parseNormalized(_ text: Data) throws(ReportParseError) -> AggregateReport {
        let builder = ReferenceReportBuilder(maxDepth: limits.maxElementDepth)
        let parser = XMLParser(data: text)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        // swift-corelibs-foundation runs libxml2 in recovery mode, so parse() can return true
        // after errors: the builder records the first error itself and that decides.
        let ok = parser.parse()
        if let failure = builder.failure { throw failure }
        guard ok else {
            throw ReportParseError("XML is not well-formed at line \(parser.lineNumber), column \(parser.columnNumber)")
        }
        return try builder.finish()
    }

    private static func documentStartingAtFeedback(_ text: Data) -> Data? {
        guard let start = text.range(of: Data("<feedback".utf8))?.lowerBound else { return nil }
        let before = text[text.startIndex..<start]
        // Only recover when something other than the declaration precedes the root.
        let stripped = String(decoding: before, as: UTF8.self)
            .replacingOccurrences(of: #"<\?xml[^>]*\?>"#, with: "", options: .regularExpression)
            .trimmingXMLWhitespace()
        guard !stripped.isEmpty else { return nil }
        return Data(text[start...])
    }
}

/// Collects a report from XMLParser callbacks. Element names are matched by local name so
/// both the RFC 7489 (no namespace) and RFC 9990 forms are read by the same code.
private final class ReferenceReportBuilder: NSObject, XMLParserDelegate {
    let maxDepth: Int
    private(set) var failure: ReportParseError?

    private var path: [String] = []
    private var text = ""
    private var rootSeen = false
    private var namespace: String?
    private var version: String?

    private var metadata: [String: String] = [:]
    private var metadataErrors: [String] = []
    private var policy: [String: String] = [:]
    private var sawMetadata = false

    private var records: [ReportRecord] = []
    private var row: [String: String] = [:]
    private var reasons: [OverrideReason] = []
    private var reason: [String: String] = [:]
    private var dkimResults: [DKIMAuthResult] = []
    private var spfResults: [SPFAuthResult] = []
    private var authResult: [String: String] = [:]

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    private func fail(_ parser: XMLParser, _ reason: String) {
        guard failure == nil else { return }
        failure = ReportParseError(reason)
        parser.abortParsing()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        let name = Self.localName(elementName)
        if !rootSeen {
            rootSeen = true
            guard name == "feedback" else {
                fail(parser, "the root element is <\(name)>, not <feedback>: not a DMARC aggregate report")
                return
            }
            namespace = namespaceURI
        }
        path.append(name)
        guard path.count <= maxDepth else {
            fail(parser, "elements nest deeper than \(maxDepth) levels")
            return
        }
        text = ""
        switch path.count >= 2 ? path[path.count - 2] + "/" + name : name {
        case "feedback/record":
            row = [:]
            reasons = []
            dkimResults = []
            spfResults = []
        case "feedback/report_metadata":
            sawMetadata = true
        case "policy_evaluated/reason":
            reason = [:]
        case "auth_results/dkim", "auth_results/spf":
            authResult = [:]
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        let code = (parseError as NSError).code
        fail(parser, "XML is not well-formed at line \(parser.lineNumber), column \(parser.columnNumber): \(Self.explain(code))")
    }

    /// The libxml2 error numbers that swift-corelibs-foundation passes on without a message.
    private static func explain(_ code: Int) -> String {
        switch code {
        case 4: "the document is empty"
        case 5: "the document ends early or has content after the root element"
        case 9: "a character is not valid UTF-8 or not allowed in XML"
        case 23: "an entity reference lacks its ';'"
        case 26: "an undeclared entity is used"
        case 68: "a '&' or '<' is not escaped"
        case 73: "a tag is not closed with '>'"
        case 76: "a closing tag does not match its opening tag"
        case 77: "the document ends inside an element"
        default: "libxml2 error \(code)"
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        guard failure == nil else { return }
        let value = text.trimmingXMLWhitespace()
        text = ""
        defer { path.removeLast() }
        guard path.count >= 2 else { return }
        let name = path[path.count - 1]
        let parent = path[path.count - 2]
        let inRecord = path.count >= 3 && path[1] == "record"

        switch (parent, name) {
        case ("feedback", "version"):
            version = value
        case ("report_metadata", "error"):
            metadataErrors.append(value)
        case ("report_metadata", _) where path.count == 3,
             ("date_range", _) where path.count == 4 && path[1] == "report_metadata":
            metadata[name] = value
        case ("policy_published", _) where path.count == 3:
            policy[name] = value
        case ("row", _) where inRecord, ("policy_evaluated", _) where inRecord && name != "reason",
             ("identifiers", _) where inRecord:
            row[name] = value
        case ("reason", "type"), ("reason", "comment"):
            reason[name] = value
        case ("policy_evaluated", "reason") where inRecord:
            reasons.append(OverrideReason(
                type: OverrideType(reported: reason["type"] ?? ""),
                comment: reason["comment"].flatMap { $0.isEmpty ? nil : $0 }))
        case ("dkim", _) where path.count >= 4 && path[path.count - 3] == "auth_results",
             ("spf", _) where path.count >= 4 && path[path.count - 3] == "auth_results":
            authResult[name] = value
        case ("auth_results", "dkim") where inRecord:
            dkimResults.append(DKIMAuthResult(
                domain: authResult["domain"] ?? "", selector: authResult["selector"].nonEmpty,
                result: DKIMResult(reported: authResult["result"] ?? ""),
                humanResult: authResult["human_result"].nonEmpty))
        case ("auth_results", "spf") where inRecord:
            spfResults.append(SPFAuthResult(
                domain: authResult["domain"] ?? "", scope: authResult["scope"].nonEmpty,
                result: SPFResult(reported: authResult["result"] ?? ""),
                humanResult: authResult["human_result"].nonEmpty))
        case ("feedback", "record"):
            do {
                records.append(try makeRecord(number: records.count + 1))
            } catch {
                fail(parser, error.description)
            }
        default:
            break
        }
    }

    private func makeRecord(number: Int) throws(ReportParseError) -> ReportRecord {
        guard let countText = row["count"] else {
            throw ReportParseError("record \(number) has no <count>")
        }
        guard let count = Int(countText), count >= 0, count <= ReferenceAggregateReportParser.maxRecordCount else {
            throw ReportParseError(
                "record \(number) has count \"\(countText.prefix(40))\", not a whole number from 0 to \(ReferenceAggregateReportParser.maxRecordCount)")
        }
        let headerFrom = row["header_from"].nonEmpty ?? policy["domain"] ?? ""
        return ReportRecord(
            sourceIP: row["source_ip"] ?? "",
            count: count,
            disposition: Disposition(reported: row["disposition"] ?? ""),
            dkimAligned: PolicyResult(reported: row["dkim"] ?? ""),
            spfAligned: PolicyResult(reported: row["spf"] ?? ""),
            overrideReasons: reasons,
            headerFrom: DomainName.normalized(headerFrom),
            envelopeFrom: row["envelope_from"].nonEmpty,
            envelopeTo: row["envelope_to"].nonEmpty,
            dkimResults: dkimResults,
            spfResults: spfResults)
    }

    func finish() throws(ReportParseError) -> AggregateReport {
        guard rootSeen else { throw ReportParseError("no XML element found") }
        guard sawMetadata else { throw ReportParseError("<report_metadata> is missing: the report has no reporter, id or date range") }
        guard let reportID = metadata["report_id"], !reportID.isEmpty else {
            throw ReportParseError("<report_metadata> has no <report_id>")
        }
        let begin = try timestamp("begin")
        let end = try timestamp("end")
        guard !records.isEmpty else { throw ReportParseError("the report holds no <record>") }
        let isRFC9990 = namespace == ReferenceAggregateReportParser.rfc9990Namespace
        return AggregateReport(
            schema: isRFC9990 ? .rfc9990 : .rfc7489,
            version: version.nonEmpty,
            metadata: ReportMetadata(
                orgName: metadata["org_name"] ?? "",
                email: metadata["email"] ?? "",
                extraContactInfo: metadata["extra_contact_info"].nonEmpty,
                reportID: reportID,
                dateRange: DateRange(begin: begin, end: end),
                errors: metadataErrors.filter { !$0.isEmpty },
                generator: metadata["generator"].nonEmpty),
            policy: PublishedPolicy(
                domain: DomainName.normalized(policy["domain"] ?? ""),
                adkim: policy["adkim"].nonEmpty.map(Alignment.init(reported:)),
                aspf: policy["aspf"].nonEmpty.map(Alignment.init(reported:)),
                p: policy["p"].nonEmpty.map(PolicyAction.init(reported:)),
                sp: policy["sp"].nonEmpty.map(PolicyAction.init(reported:)),
                np: policy["np"].nonEmpty.map(PolicyAction.init(reported:)),
                pct: policy["pct"].flatMap { Int($0) },
                fo: policy["fo"].nonEmpty,
                testing: policy["testing"].nonEmpty,
                discoveryMethod: policy["discovery_method"].nonEmpty),
            records: records)
    }

    /// Seconds since the epoch; a fractional part some reporters add is dropped.
    private func timestamp(_ field: String) throws(ReportParseError) -> Int64 {
        guard let raw = metadata[field], !raw.isEmpty else {
            throw ReportParseError("<date_range> has no <\(field)>")
        }
        let whole = raw.split(separator: ".", maxSplits: 1).first.map(String.init) ?? raw
        guard let value = Int64(whole), value >= 0, value < 32_503_680_000 else {
            throw ReportParseError("<date_range><\(field)> is \"\(raw.prefix(40))\", not a Unix time")
        }
        return value
    }

    private static func localName(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
}

extension XMLText {
    /// The UTF-8 document the libxml2 parser was given.
    static func normalized(_ data: Data) throws(Failure) -> Data {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(Failure) -> Data in
                switch try prepare(raw) {
                case .utf8(let range): Data(raw[range])
                case .converted(let bytes): Data(bytes)
                }
            }
        }
        return try result.get()
    }
}
