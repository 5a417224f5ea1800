import Foundation
import ReportModel

/// Serialises a `TLSReport` to the JSON a reporter would send (RFC 8460 §4), members in the
/// order of the RFC's examples.
///
/// Every field that is set is written and nothing that is not (an empty list or empty policy
/// domain counts as not set), so `TLSReportParser().parse(_:)` reads back an equal report as
/// long as text values carry no leading or trailing white space and host names are lower-case.
public struct TLSReportJSONWriter: Sendable {
    /// How the text looks; the content stays the same.
    public struct Style: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Summary counts of zero left out, as Google does.
        public static let omitsZeroCounts = Style(rawValue: 1 << 0)
        /// Two-space indentation over many lines instead of one line.
        public static let indented = Style(rawValue: 1 << 1)
    }

    public var style: Style

    public init(style: Style = []) {
        self.style = style
    }

    /// UTF-8 bytes of `json(for:)`.
    public func data(for report: TLSReport) -> Data {
        Data(json(for: report).utf8)
    }

    public func json(for report: TLSReport) -> String {
        JSONTextWriter(indented: style.contains(.indented)).text(value(for: report))
    }

    func value(for report: TLSReport) -> JSONValue {
        var members = [
            JSONMember("organization-name", .string(report.organizationName)),
            JSONMember("date-range", .object([
                JSONMember("start-datetime", .string(UTCDateTime.rfc3339(report.dateRange.begin))),
                JSONMember("end-datetime", .string(UTCDateTime.rfc3339(report.dateRange.end))),
            ])),
        ]
        if let contact = report.contactInfo { members.append(JSONMember("contact-info", .string(contact))) }
        members.append(JSONMember("report-id", .string(report.reportID)))
        members.append(JSONMember("policies", .array(report.policies.map(value(for:)))))
        return .object(members)
    }

    private func value(for result: TLSPolicyResult) -> JSONValue {
        var policy = [JSONMember("policy-type", .string(result.policyType.description))]
        if !result.policyStrings.isEmpty {
            policy.append(JSONMember("policy-string", .array(result.policyStrings.map(JSONValue.string))))
        }
        if !result.policyDomain.isEmpty { policy.append(JSONMember("policy-domain", .string(result.policyDomain))) }
        if !result.mxHosts.isEmpty { policy.append(JSONMember("mx-host", .array(result.mxHosts.map(JSONValue.string)))) }

        var summary: [JSONMember] = []
        for (key, count) in [
            ("total-successful-session-count", result.totalSuccessfulSessions),
            ("total-failure-session-count", result.totalFailureSessions),
        ] where count != 0 || !style.contains(.omitsZeroCounts) {
            summary.append(JSONMember(key, .integer(count)))
        }

        var members = [JSONMember("policy", .object(policy)), JSONMember("summary", .object(summary))]
        if !result.failures.isEmpty {
            members.append(JSONMember("failure-details", .array(result.failures.map(value(for:)))))
        }
        return .object(members)
    }

    private func value(for detail: TLSFailureDetail) -> JSONValue {
        var members = [JSONMember("result-type", .string(detail.resultType.description))]
        func add(_ key: String, _ text: String?) {
            if let text { members.append(JSONMember(key, .string(text))) }
        }
        add("sending-mta-ip", detail.sendingMTAIP)
        add("receiving-mx-hostname", detail.receivingMXHostname)
        add("receiving-mx-helo", detail.receivingMXHelo)
        add("receiving-ip", detail.receivingIP)
        members.append(JSONMember("failed-session-count", .integer(detail.failedSessionCount)))
        add("additional-information", detail.additionalInformation)
        add("failure-reason-code", detail.failureReasonCode)
        return .object(members)
    }
}

/// Unix seconds as RFC 3339 date-times in UTC, `2026-10-01T00:00:00Z`, without Foundation's
/// formatters (whose output depends on the platform).
enum UTCDateTime {
    static func rfc3339(_ unixTime: Int64) -> String {
        let days = unixTime >= 0 ? unixTime / 86_400 : (unixTime - 86_399) / 86_400
        let seconds = Int(unixTime - days * 86_400)
        let (year, month, day) = CivilDate.from(daysSinceEpoch: Int(days))
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
            + "T\(padded(seconds / 3_600, 2)):\(padded(seconds / 60 % 60, 2)):\(padded(seconds % 60, 2))Z"
    }

    /// `2026-10-01T00:00:00Z`, the form Google uses in its report ids.
    static func rfc3339(_ day: CalendarDay) -> String {
        rfc3339(Int64(day.daysSinceEpoch) * 86_400)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
