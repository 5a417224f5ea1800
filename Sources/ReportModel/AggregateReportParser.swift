import Foundation

/// Reads one DMARC aggregate report from XML, tolerant of what real reporters send.
///
/// The bytes are read by `XMLPullParser` in one pass, without building a string for anything
/// but the values a report keeps.
public struct AggregateReportParser: Sendable {
    public static let rfc9990Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"
    /// Counts above this are not plausible for one record and are refused, which also keeps
    /// every total far from integer overflow.
    public static let maxRecordCount = 1_000_000_000_000

    public var limits: InputLimits

    public init(limits: InputLimits = .standard) {
        self.limits = limits
    }

    public func parse(_ data: Data) throws(ReportParseError) -> AggregateReport {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(ReportParseError) -> AggregateReport in try parse(raw) }
        }
        return try result.get()
    }

    public func parse(_ raw: UnsafeRawBufferPointer) throws(ReportParseError) -> AggregateReport {
        let prepared: XMLText.Prepared
        do {
            prepared = try XMLText.prepare(raw)
        } catch {
            throw ReportParseError(error.description)
        }
        switch prepared {
        case .utf8(let range):
            let bytes = raw.bindMemory(to: UInt8.self)
            return try parseDocument(UnsafeBufferPointer(rebasing: bytes[range]))
        case .converted(let text):
            let result = text.withUnsafeBufferPointer { bytes in
                Result { () throws(ReportParseError) -> AggregateReport in try parseDocument(bytes) }
            }
            return try result.get()
        }
    }

    private func parseDocument(_ text: UnsafeBufferPointer<UInt8>) throws(ReportParseError) -> AggregateReport {
        do {
            return try parseNormalized(text)
        } catch let first {
            // Some reporters (IKEA's among them) prepend an unclosed element before <feedback>.
            guard let start = Self.feedbackStartAfterJunk(text),
                  let report = try? parseNormalized(UnsafeBufferPointer(rebasing: text[start...]))
            else { throw first }
            return report
        }
    }

    private func parseNormalized(_ text: UnsafeBufferPointer<UInt8>) throws(ReportParseError) -> AggregateReport {
        if let report = parsePlain(text) { return report }
        var parser = XMLPullParser(bytes: text)
        var builder = AggregateReportBuilder(maxDepth: limits.maxElementDepth)
        while true {
            let event: XMLEvent
            do {
                event = try parser.next()
            } catch {
                let (line, column) = parser.lineAndColumn(of: error.offset)
                throw ReportParseError("XML is not well-formed at line \(line), column \(column): \(error.explanation)")
            }
            switch event {
            case .startElement: try builder.start(parser)
            case .endElement: try builder.end { recent in parser.trimmedText(reusing: &recent) }
            case .endOfDocument: return try builder.finish()
            }
        }
    }

    /// The report of a document in the plain form (`PlainXMLScanner`); nil for any other, and
    /// for a document the builder refuses, so that the parser alone reads those and gives
    /// the reason.
    private func parsePlain(_ text: UnsafeBufferPointer<UInt8>) -> AggregateReport? {
        var builder = AggregateReportBuilder(maxDepth: limits.maxElementDepth)
        let root = { (parser: XMLPullParser) in (try? builder.start(parser)) != nil }
        return PlainXMLScanner.afterRoot(of: text, maxDepth: limits.maxElementDepth, root: root) { scanner -> AggregateReport? in
            var copies: [UInt8] = []
            while true {
                switch scanner.next() {
                case .startElement(let element):
                    guard (try? builder.start(element)) != nil else { return nil }
                case .endElement(let range):
                    let value = PlainValue(texts: scanner.texts, range: range, document: text)
                    guard (try? builder.end { recent in value.string(copies: &copies, reusing: &recent) }) != nil else { return nil }
                case .endOfDocument:
                    return try? builder.finish()
                case .declined:
                    return nil
                }
            }
        }
    }

    /// A record's `<count>` (trimmed): a whole number from 0 to `maxRecordCount`.
    package static func recordCount(_ text: String) -> Int? {
        guard let count = Int(text), count >= 0, count <= maxRecordCount else { return nil }
        return count
    }

    /// A `<date_range>` bound (trimmed, not empty) in seconds since the epoch, before the
    /// year 3000; a fractional part some reporters add is dropped.
    package static func unixTime(_ raw: String) -> Int64? {
        let whole = raw.split(separator: ".", maxSplits: 1).first.map(String.init) ?? raw
        guard let value = Int64(whole), value >= 0, value < 32_503_680_000 else { return nil }
        return value
    }

    /// Where `<feedback` starts when something other than XML declarations and white space
    /// comes before it; nil otherwise.
    private static func feedbackStartAfterJunk(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        let marker = Array("<feedback".utf8)
        guard text.count >= marker.count,
              let start = (0...(text.count - marker.count)).first(where: { index in
                  text[index] == marker[0] && text[index..<(index + marker.count)].elementsEqual(marker)
              })
        else { return nil }
        var index = 0
        while index < start {
            if XMLPullParser.isSpace(text[index]) {
                index += 1
            } else if index + 3 <= start, text[index] == 0xEF, text[index + 1] == 0xBB, text[index + 2] == 0xBF {
                index += 3
            } else if let end = declarationEnd(in: text, at: index, before: start) {
                index = end
            } else {
                return start
            }
        }
        return nil
    }

    /// The end of `<?xml ...?>` at `index` (no '>' inside), if one is there.
    private static func declarationEnd(in text: UnsafeBufferPointer<UInt8>, at index: Int, before limit: Int) -> Int? {
        guard index + 5 <= limit, text[index..<(index + 5)].elementsEqual("<?xml".utf8) else { return nil }
        guard let close = (index + 5..<limit).first(where: { text[$0] == UInt8(ascii: ">") }),
              close > index + 5, text[close - 1] == UInt8(ascii: "?")
        else { return nil }
        return close + 1
    }
}

public struct ReportParseError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The elements a report is read from; every other name is `other`.
package enum ReportElement: UInt8 {
    case other
    case feedback, version, reportMetadata, orgName, email, extraContactInfo, reportID, dateRange
    case begin, end, error, generator
    case policyPublished, domain, adkim, aspf, p, sp, np, pct, fo, testing, discoveryMethod
    case record, row, sourceIP, count, policyEvaluated, disposition, dkim, spf, reason, type, comment
    case identifiers, headerFrom, envelopeFrom, envelopeTo
    case authResults, selector, result, humanResult, scope

    /// Compared in place by the modules that read reports, where the synthesised `==` would
    /// be called through the `Equatable` witness for every element.
    @inlinable
    package static func == (lhs: ReportElement, rhs: ReportElement) -> Bool {
        lhs.rawValue == rhs.rawValue
    }

    var name: String {
        switch self {
        case .other: ""
        case .feedback: "feedback"
        case .version: "version"
        case .reportMetadata: "report_metadata"
        case .orgName: "org_name"
        case .email: "email"
        case .extraContactInfo: "extra_contact_info"
        case .reportID: "report_id"
        case .dateRange: "date_range"
        case .begin: "begin"
        case .end: "end"
        case .error: "error"
        case .generator: "generator"
        case .policyPublished: "policy_published"
        case .domain: "domain"
        case .adkim: "adkim"
        case .aspf: "aspf"
        case .p: "p"
        case .sp: "sp"
        case .np: "np"
        case .pct: "pct"
        case .fo: "fo"
        case .testing: "testing"
        case .discoveryMethod: "discovery_method"
        case .record: "record"
        case .row: "row"
        case .sourceIP: "source_ip"
        case .count: "count"
        case .policyEvaluated: "policy_evaluated"
        case .disposition: "disposition"
        case .dkim: "dkim"
        case .spf: "spf"
        case .reason: "reason"
        case .type: "type"
        case .comment: "comment"
        case .identifiers: "identifiers"
        case .headerFrom: "header_from"
        case .envelopeFrom: "envelope_from"
        case .envelopeTo: "envelope_to"
        case .authResults: "auth_results"
        case .selector: "selector"
        case .result: "result"
        case .humanResult: "human_result"
        case .scope: "scope"
        }
    }

    package init(localName: UnsafeBufferPointer<UInt8>) {
        self.init(packed: PackedName(localName))
    }
}

/// An element's text in a plain document, as the parser's `trimmedText(reusing:)` gives it.
private struct PlainValue {
    let texts: PlainXMLScanner.TextReader
    let range: Range<Int>
    let document: UnsafeBufferPointer<UInt8>

    func string(copies: inout [UInt8], reusing recent: inout RecentStrings) -> String {
        let kept = texts.trimmed(range, copyingInto: &copies)
        guard !kept.isEmpty else { return "" }
        guard kept.lowerBound >= document.count else { return recent.string(UnsafeBufferPointer(rebasing: document[kept])) }
        let copied = (kept.lowerBound - document.count)..<(kept.upperBound - document.count)
        return copies.withUnsafeBufferPointer { recent.string(UnsafeBufferPointer(rebasing: $0[copied])) }
    }
}

/// Collects a report from parser events. Elements are matched by local name so both the
/// RFC 7489 (no namespace) and RFC 9990 forms are read by the same code.
private struct AggregateReportBuilder {
    let maxDepth: Int

    private var path: [ReportElement] = []
    private var rootSeen = false
    private var isRFC9990 = false
    private var version: String?

    private var metadata = MetadataFields()
    private var metadataErrors: [String] = []
    private var policy = PolicyFields()
    private var sawMetadata = false

    private var records: [ReportRecord] = []
    private var row = RowFields()
    private var reasons: [OverrideReason] = []
    private var reason = ReasonFields()
    private var dkimResults: [DKIMAuthResult] = []
    private var spfResults: [SPFAuthResult] = []
    private var authResult = AuthResultFields()

    private var recentStrings = RecentStrings()
    private var dispositions = VocabularyMemo<Disposition>()
    private var dkimAlignments = VocabularyMemo<PolicyResult>()
    private var spfAlignments = VocabularyMemo<PolicyResult>()
    private var dkimResultWords = VocabularyMemo<DKIMResult>()
    private var spfResultWords = VocabularyMemo<SPFResult>()
    private var overrideTypes = VocabularyMemo<OverrideType>()

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
        path.reserveCapacity(8)
    }

    mutating func start(_ parser: XMLPullParser) throws(ReportParseError) {
        let name = ReportElement(localName: parser.localName)
        if !rootSeen {
            rootSeen = true
            guard name == .feedback else {
                let shown = String(decoding: parser.localName, as: UTF8.self)
                throw ReportParseError("the root element is <\(shown)>, not <feedback>: not a DMARC aggregate report")
            }
            isRFC9990 = parser.namespaceURI()?.elementsEqual(AggregateReportParser.rfc9990Namespace.utf8) == true
        }
        try start(name)
    }

    /// An element below the root, which `start(_: XMLPullParser)` has read.
    mutating func start(_ name: ReportElement) throws(ReportParseError) {
        path.append(name)
        guard path.count <= maxDepth else {
            throw ReportParseError("elements nest deeper than \(maxDepth) levels")
        }
        guard path.count >= 2 else { return }
        switch (path[path.count - 2], name) {
        case (.feedback, .record):
            row = RowFields()
            reasons = []
            dkimResults = []
            spfResults = []
        case (.feedback, .reportMetadata):
            sawMetadata = true
        case (.policyEvaluated, .reason):
            reason = ReasonFields()
        case (.authResults, .dkim), (.authResults, .spf):
            authResult = AuthResultFields()
        default:
            break
        }
    }

    /// `text` gives the element's text, trimmed, reusing recent strings.
    mutating func end(text: (inout RecentStrings) -> String) throws(ReportParseError) {
        defer { path.removeLast() }
        let depth = path.count
        guard depth >= 2 else { return }
        let name = path[depth - 1]
        let parent = path[depth - 2]
        let inRecord = depth >= 3 && path[1] == .record
        // The element's text, made only where it is kept.
        func value() -> String { text(&recentStrings) }

        switch (parent, name) {
        case (.feedback, .version):
            version = value()
        case (.reportMetadata, .error):
            let text = value()
            metadataErrors.append(text)
        case (.reportMetadata, _) where depth == 3,
             (.dateRange, _) where depth == 4 && path[1] == .reportMetadata:
            let text = value()
            metadata.set(name, text)
        case (.policyPublished, _) where depth == 3:
            let text = value()
            policy.set(name, text)
        case (.row, _) where inRecord, (.policyEvaluated, _) where inRecord && name != .reason,
             (.identifiers, _) where inRecord:
            let text = value()
            row.set(name, text)
        case (.reason, .type):
            reason.type = value()
        case (.reason, .comment):
            reason.comment = value()
        case (.policyEvaluated, .reason) where inRecord:
            reasons.append(OverrideReason(
                type: overrideTypes.value(reason.type ?? ""),
                comment: reason.comment.flatMap { $0.isEmpty ? nil : $0 }))
        case (.dkim, _) where depth >= 4 && path[depth - 3] == .authResults,
             (.spf, _) where depth >= 4 && path[depth - 3] == .authResults:
            let text = value()
            authResult.set(name, text)
        case (.authResults, .dkim) where inRecord:
            dkimResults.append(DKIMAuthResult(
                domain: authResult.domain ?? "", selector: authResult.selector.nonEmpty,
                result: dkimResultWords.value(authResult.result ?? ""),
                humanResult: authResult.humanResult.nonEmpty))
        case (.authResults, .spf) where inRecord:
            spfResults.append(SPFAuthResult(
                domain: authResult.domain ?? "", scope: authResult.scope.nonEmpty,
                result: spfResultWords.value(authResult.result ?? ""),
                humanResult: authResult.humanResult.nonEmpty))
        case (.feedback, .record):
            records.append(try makeRecord(number: records.count + 1))
        default:
            break
        }
    }

    private mutating func makeRecord(number: Int) throws(ReportParseError) -> ReportRecord {
        guard let countText = row.count else {
            throw ReportParseError("record \(number) has no <count>")
        }
        guard let count = AggregateReportParser.recordCount(countText) else {
            throw ReportParseError(
                "record \(number) has count \"\(countText.prefix(40))\", not a whole number from 0 to \(AggregateReportParser.maxRecordCount)")
        }
        let headerFrom = row.headerFrom.nonEmpty ?? policy.domain ?? ""
        return ReportRecord(
            sourceIP: row.sourceIP ?? "",
            count: count,
            disposition: dispositions.value(row.disposition ?? ""),
            dkimAligned: dkimAlignments.value(row.dkim ?? ""),
            spfAligned: spfAlignments.value(row.spf ?? ""),
            overrideReasons: reasons,
            headerFrom: DomainName.normalized(headerFrom),
            envelopeFrom: row.envelopeFrom.nonEmpty,
            envelopeTo: row.envelopeTo.nonEmpty,
            dkimResults: dkimResults,
            spfResults: spfResults)
    }

    func finish() throws(ReportParseError) -> AggregateReport {
        guard rootSeen else { throw ReportParseError("no XML element found") }
        guard sawMetadata else { throw ReportParseError("<report_metadata> is missing: the report has no reporter, id or date range") }
        guard let reportID = metadata.reportID, !reportID.isEmpty else {
            throw ReportParseError("<report_metadata> has no <report_id>")
        }
        let begin = try timestamp(metadata.begin, "begin")
        let end = try timestamp(metadata.end, "end")
        guard !records.isEmpty else { throw ReportParseError("the report holds no <record>") }
        return AggregateReport(
            schema: isRFC9990 ? .rfc9990 : .rfc7489,
            version: version.nonEmpty,
            metadata: ReportMetadata(
                orgName: metadata.orgName ?? "",
                email: metadata.email ?? "",
                extraContactInfo: metadata.extraContactInfo.nonEmpty,
                reportID: reportID,
                dateRange: DateRange(begin: begin, end: end),
                errors: metadataErrors.filter { !$0.isEmpty },
                generator: metadata.generator.nonEmpty),
            policy: PublishedPolicy(
                domain: DomainName.normalized(policy.domain ?? ""),
                adkim: policy.adkim.nonEmpty.map(Alignment.init(reported:)),
                aspf: policy.aspf.nonEmpty.map(Alignment.init(reported:)),
                p: policy.p.nonEmpty.map(PolicyAction.init(reported:)),
                sp: policy.sp.nonEmpty.map(PolicyAction.init(reported:)),
                np: policy.np.nonEmpty.map(PolicyAction.init(reported:)),
                pct: policy.pct.flatMap { Int($0) },
                fo: policy.fo.nonEmpty,
                testing: policy.testing.nonEmpty,
                discoveryMethod: policy.discoveryMethod.nonEmpty),
            records: records)
    }

    /// Seconds since the epoch; a fractional part some reporters add is dropped.
    private func timestamp(_ raw: String?, _ field: String) throws(ReportParseError) -> Int64 {
        guard let raw, !raw.isEmpty else {
            throw ReportParseError("<date_range> has no <\(field)>")
        }
        guard let value = AggregateReportParser.unixTime(raw) else {
            throw ReportParseError("<date_range><\(field)> is \"\(raw.prefix(40))\", not a Unix time")
        }
        return value
    }
}

/// The last word read for one field and its value: the records of a report repeat the same
/// few words, which are then not looked up again.
private struct VocabularyMemo<Value: TolerantVocabulary> {
    private var last: (word: String, value: Value)?

    mutating func value(_ word: String) -> Value {
        if let last, Self.sameBytes(last.word, word) { return last.value }
        let value = Value(reported: word)
        last = (word, value)
        return value
    }

    /// Bytes, not `==`, which takes canonically equivalent words as equal.
    private static func sameBytes(_ first: String, _ second: String) -> Bool {
        var first = first
        var second = second
        return first.withUTF8 { one in
            second.withUTF8 { other in
                one.count == other.count && (one.isEmpty || memcmp(one.baseAddress!, other.baseAddress!, one.count) == 0)
            }
        }
    }
}

/// The children of `<report_metadata>` and `<date_range>` a report keeps; the last one of a
/// name wins.
private struct MetadataFields {
    var orgName, email, extraContactInfo, reportID, begin, end, generator: String?

    mutating func set(_ element: ReportElement, _ value: String) {
        switch element {
        case .orgName: orgName = value
        case .email: email = value
        case .extraContactInfo: extraContactInfo = value
        case .reportID: reportID = value
        case .begin: begin = value
        case .end: end = value
        case .generator: generator = value
        default: break
        }
    }
}

private struct PolicyFields {
    var domain, adkim, aspf, p, sp, np, pct, fo, testing, discoveryMethod: String?

    mutating func set(_ element: ReportElement, _ value: String) {
        switch element {
        case .domain: domain = value
        case .adkim: adkim = value
        case .aspf: aspf = value
        case .p: p = value
        case .sp: sp = value
        case .np: np = value
        case .pct: pct = value
        case .fo: fo = value
        case .testing: testing = value
        case .discoveryMethod: discoveryMethod = value
        default: break
        }
    }
}

/// The children of `<row>`, `<policy_evaluated>` and `<identifiers>` in one record.
private struct RowFields {
    var sourceIP, count, disposition, dkim, spf, headerFrom, envelopeFrom, envelopeTo: String?

    mutating func set(_ element: ReportElement, _ value: String) {
        switch element {
        case .sourceIP: sourceIP = value
        case .count: count = value
        case .disposition: disposition = value
        case .dkim: dkim = value
        case .spf: spf = value
        case .headerFrom: headerFrom = value
        case .envelopeFrom: envelopeFrom = value
        case .envelopeTo: envelopeTo = value
        default: break
        }
    }
}

private struct ReasonFields {
    var type, comment: String?
}

private struct AuthResultFields {
    var domain, selector, result, humanResult, scope: String?

    mutating func set(_ element: ReportElement, _ value: String) {
        switch element {
        case .domain: domain = value
        case .selector: selector = value
        case .result: result = value
        case .humanResult: humanResult = value
        case .scope: scope = value
        default: break
        }
    }
}

extension Optional where Wrapped == String {
    /// nil for a missing or empty value.
    var nonEmpty: String? {
        switch self {
        case .some(let value) where !value.isEmpty: value
        default: nil
        }
    }
}
