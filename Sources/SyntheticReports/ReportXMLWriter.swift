import Foundation
import ReportModel

/// Serialises an `AggregateReport` to the XML a reporter would send.
///
/// `report.schema` chooses the form: `.rfc7489` writes `<feedback>` without a namespace,
/// `.rfc9990` writes `<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">`. Every field that is
/// set is written (and nothing that is not), so `AggregateReportParser().parse(_:)` reads back
/// an equal report as long as text values carry no leading or trailing white space (which
/// the parser trims) and domain names are lower-case (which the parser normalises).
public struct ReportXMLWriter: Sendable {
    /// Deviations real reporters make that readers must tolerate; the content stays the same.
    public struct Quirks: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// `Pass`, `Fail`, `None` instead of the lower-case words in result elements.
        public static let capitalisedResults = Quirks(rawValue: 1 << 0)
        /// Values on their own indented line: `<count>\n      12\n    </count>`.
        public static let paddedValues = Quirks(rawValue: 1 << 1)
    }

    public var quirks: Quirks

    public init(quirks: Quirks = []) {
        self.quirks = quirks
    }

    /// UTF-8 bytes of `xml(for:)`.
    public func data(for report: AggregateReport) -> Data {
        Data(xml(for: report).utf8)
    }

    public func xml(for report: AggregateReport) -> String {
        var out = XMLOutput(padded: quirks.contains(.paddedValues))
        out.text.reserveCapacity(1_024 + report.records.count * 700)
        out.text += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        switch report.schema {
        case .rfc7489: out.open("feedback")
        case .rfc9990: out.open("feedback", attributes: "xmlns=\"\(AggregateReportParser.rfc9990Namespace)\"")
        }
        out.leaf("version", report.version)
        writeMetadata(report.metadata, to: &out)
        writePolicy(report.policy, schema: report.schema, to: &out)
        for record in report.records {
            writeRecord(record, to: &out)
        }
        out.close("feedback")
        return out.text
    }

    private func writeMetadata(_ metadata: ReportMetadata, to out: inout XMLOutput) {
        out.open("report_metadata")
        out.leaf("org_name", metadata.orgName)
        out.leaf("email", metadata.email)
        out.leaf("extra_contact_info", metadata.extraContactInfo)
        out.leaf("report_id", metadata.reportID)
        out.open("date_range")
        out.leaf("begin", metadata.dateRange.begin)
        out.leaf("end", metadata.dateRange.end)
        out.close("date_range")
        for error in metadata.errors {
            out.leaf("error", error)
        }
        out.leaf("generator", metadata.generator)
        out.close("report_metadata")
    }

    /// The element order follows each schema; fields are written whenever they are set.
    private func writePolicy(_ policy: PublishedPolicy, schema: ReportSchema, to out: inout XMLOutput) {
        out.open("policy_published")
        out.leaf("domain", policy.domain)
        switch schema {
        case .rfc7489:
            out.leaf("adkim", policy.adkim?.description)
            out.leaf("aspf", policy.aspf?.description)
            out.leaf("p", policy.p?.description)
            out.leaf("sp", policy.sp?.description)
            out.leaf("np", policy.np?.description)
            out.leaf("pct", policy.pct)
            out.leaf("fo", policy.fo)
            out.leaf("testing", policy.testing)
            out.leaf("discovery_method", policy.discoveryMethod)
        case .rfc9990:
            out.leaf("discovery_method", policy.discoveryMethod)
            out.leaf("p", policy.p?.description)
            out.leaf("sp", policy.sp?.description)
            out.leaf("np", policy.np?.description)
            out.leaf("adkim", policy.adkim?.description)
            out.leaf("aspf", policy.aspf?.description)
            out.leaf("pct", policy.pct)
            out.leaf("fo", policy.fo)
            out.leaf("testing", policy.testing)
        }
        out.close("policy_published")
    }

    private func writeRecord(_ record: ReportRecord, to out: inout XMLOutput) {
        out.open("record")
        out.open("row")
        out.leaf("source_ip", record.sourceIP)
        out.leaf("count", record.count)
        out.open("policy_evaluated")
        out.leaf("disposition", record.disposition.description)
        out.leaf("dkim", result(record.dkimAligned.description))
        out.leaf("spf", result(record.spfAligned.description))
        for reason in record.overrideReasons {
            out.open("reason")
            out.leaf("type", reason.type.description)
            out.leaf("comment", reason.comment)
            out.close("reason")
        }
        out.close("policy_evaluated")
        out.close("row")
        out.open("identifiers")
        out.leaf("envelope_to", record.envelopeTo)
        out.leaf("envelope_from", record.envelopeFrom)
        out.leaf("header_from", record.headerFrom)
        out.close("identifiers")
        out.open("auth_results")
        for dkim in record.dkimResults {
            out.open("dkim")
            out.leaf("domain", dkim.domain)
            out.leaf("selector", dkim.selector)
            out.leaf("result", result(dkim.result.description))
            out.leaf("human_result", dkim.humanResult)
            out.close("dkim")
        }
        for spf in record.spfResults {
            out.open("spf")
            out.leaf("domain", spf.domain)
            out.leaf("scope", spf.scope)
            out.leaf("result", result(spf.result.description))
            out.leaf("human_result", spf.humanResult)
            out.close("spf")
        }
        out.close("auth_results")
        out.close("record")
    }

    private func result(_ word: String) -> String {
        guard quirks.contains(.capitalisedResults), let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
    }
}

/// Indented XML text, built element by element.
private struct XMLOutput {
    var text = ""
    let padded: Bool
    private var depth = 0

    init(padded: Bool) {
        self.padded = padded
    }

    mutating func open(_ name: String, attributes: String? = nil) {
        indent()
        text += "<" + name
        if let attributes { text += " " + attributes }
        text += ">\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        indent()
        text += "</" + name + ">\n"
    }

    /// An element holding text; nothing at all when the value is nil.
    mutating func leaf(_ name: String, _ value: String?) {
        guard let value else { return }
        leaf(name, value, escaping: true)
    }

    /// An element holding a number, which needs no escaping.
    mutating func leaf<Number: BinaryInteger>(_ name: String, _ value: Number?) {
        guard let value else { return }
        leaf(name, String(value), escaping: false)
    }

    private mutating func leaf(_ name: String, _ value: String, escaping: Bool) {
        indent()
        text += "<"
        text += name
        text += ">"
        if padded {
            text += "\n"
            indent(extra: 1)
            append(value, escaping: escaping)
            text += "\n"
            indent()
        } else {
            append(value, escaping: escaping)
        }
        text += "</"
        text += name
        text += ">\n"
    }

    private mutating func append(_ value: String, escaping: Bool) {
        if escaping { XMLEscaping.append(value, to: &text) } else { text += value }
    }

    private mutating func indent(extra: Int = 0) {
        for _ in 0..<(depth + extra) { text += "  " }
    }
}

/// Escapes text content for XML 1.0.
enum XMLEscaping {
    static func escaped(_ value: String) -> String {
        var out = ""
        append(value, to: &out)
        return out
    }

    static func append(_ value: String, to out: inout String) {
        guard needsEscaping(value) else {
            out += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // A literal CR would be read back as LF (XML end-of-line handling).
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            // Characters XML 1.0 cannot carry at all, not even as references.
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
    }

    /// A plain index loop: this runs for every value written, and stays quick in debug builds.
    private static func needsEscaping(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"):
                    return true
                case 0xEF: return true  // lead byte of U+FFFE / U+FFFF; rare, checked precisely above
                case let byte where byte < 0x20: return true
                default: index += 1
                }
            }
            return false
        }
    }
}
