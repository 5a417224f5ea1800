import Foundation

/// Reads one SMTP TLS report (RFC 8460 JSON), tolerant of what real reporters send.
///
/// Tolerated: a UTF-8 BOM, `mx-host` as one string instead of a list, `null` or missing optional
/// fields, a missing `summary` count (read as 0), counts written as strings, keys and vocabulary
/// words in another case, unknown keys, no policies at all, and the draft name
/// `failure-error-code` for `failure-reason-code`.
public struct TLSReportParser: Sendable {
    /// The same bound as for aggregate records; it also keeps every total far from overflow.
    public static let maxSessionCount = AggregateReportParser.maxRecordCount

    public var limits: InputLimits

    public init(limits: InputLimits = .standard) {
        self.limits = limits
    }

    public func parse(_ data: Data) throws(ReportParseError) -> TLSReport {
        let byteLimit = max(limits.maxFileBytes, limits.maxExpandedBytes)
        guard data.count <= byteLimit else {
            throw ReportParseError("the JSON is \(data.count) bytes, over the \(byteLimit >> 20) MiB limit")
        }
        let text = Self.droppingByteOrderMark(data)
        guard text.contains(where: { !Self.isJSONWhitespace($0) }) else {
            throw ReportParseError("the document is empty")
        }
        // JSONSerialization recurses per level, so hostile nesting is refused before it runs.
        guard !JSONNesting.exceeds(limits.maxElementDepth, in: text) else {
            throw ReportParseError("JSON arrays and objects nest deeper than \(limits.maxElementDepth) levels")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: text, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw ReportParseError("not valid JSON" + (detail.map { ": \($0)" } ?? ""))
        }
        guard let object = root as? [String: Any] else {
            throw ReportParseError("the JSON is \(JSONFields.kindName(of: root)), not an object: not an SMTP TLS report")
        }
        return try Self.report(from: JSONFields(object))
    }

    private static func report(from fields: JSONFields) throws(ReportParseError) -> TLSReport {
        let organizationName = try fields.requiredText("organization-name")
        let reportID = try fields.requiredText("report-id")
        guard let dates = try fields.object("date-range") else {
            throw ReportParseError("the report has no \"date-range\"")
        }
        let begin = try timestamp("start-datetime", in: dates)
        let end = try timestamp("end-datetime", in: dates)
        let policies = try fields.objects("policies", eachNamed: "policy")
        var results: [TLSPolicyResult] = []
        results.reserveCapacity(policies.count)
        for policy in policies {
            results.append(try policyResult(from: policy))
        }
        return TLSReport(
            organizationName: organizationName,
            dateRange: DateRange(begin: begin, end: end),
            contactInfo: fields.text("contact-info"),
            reportID: reportID,
            policies: results)
    }

    private static func timestamp(_ key: String, in dates: JSONFields) throws(ReportParseError) -> Int64 {
        let raw = try dates.requiredText(key)
        guard let seconds = RFC3339Timestamp.unixSeconds(raw) else {
            throw ReportParseError(
                "\(dates.name(of: key)) is \"\(raw.prefix(40))\", not an RFC 3339 date-time between 1970 and 2999")
        }
        return seconds
    }

    private static func policyResult(from entry: JSONFields) throws(ReportParseError) -> TLSPolicyResult {
        let policy = try entry.object("policy") ?? entry.empty(named: "policy")
        let summary = try entry.object("summary") ?? entry.empty(named: "summary")
        let details = try entry.objects("failure-details", eachNamed: "failure detail")
        var failures: [TLSFailureDetail] = []
        failures.reserveCapacity(details.count)
        for detail in details {
            failures.append(try failureDetail(from: detail))
        }
        return TLSPolicyResult(
            policyType: TLSPolicyType(reported: policy.text("policy-type") ?? ""),
            policyStrings: policy.texts("policy-string"),
            policyDomain: DomainName.normalized(policy.text("policy-domain") ?? ""),
            mxHosts: policy.texts("mx-host").map(DomainName.normalized).filter { !$0.isEmpty },
            // Google leaves a zero total out.
            totalSuccessfulSessions: try summary.count("total-successful-session-count") ?? 0,
            totalFailureSessions: try summary.count("total-failure-session-count") ?? 0,
            failures: failures)
    }

    private static func failureDetail(from detail: JSONFields) throws(ReportParseError) -> TLSFailureDetail {
        guard let count = try detail.count("failed-session-count") else {
            throw ReportParseError("\(detail.place) has no \"failed-session-count\"")
        }
        return TLSFailureDetail(
            resultType: TLSResultType(reported: detail.text("result-type") ?? ""),
            sendingMTAIP: detail.text("sending-mta-ip"),
            receivingMXHostname: detail.text("receiving-mx-hostname").map(DomainName.normalized),
            receivingMXHelo: detail.text("receiving-mx-helo"),
            receivingIP: detail.text("receiving-ip"),
            failedSessionCount: count,
            additionalInformation: detail.text("additional-information"),
            // `failure-error-code` is the name in the drafts before RFC 8460; some samples keep it.
            failureReasonCode: detail.text("failure-reason-code") ?? detail.text("failure-error-code"))
    }

    private static func droppingByteOrderMark(_ data: Data) -> Data {
        data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

/// The members of one decoded JSON object, read with the reporters' quirks in mind, and the
/// place of the object in the report for error messages.
private struct JSONFields {
    let members: [String: Any]
    /// Where the object is, for messages: "the report", "policy 2", "policy 2, failure detail 1".
    let place: String
    /// Keys of enclosing objects within the same place: `summary.`.
    let keyPrefix: String

    init(_ members: [String: Any], place: String = "the report", keyPrefix: String = "") {
        self.members = members
        self.place = place
        self.keyPrefix = keyPrefix
    }

    func name(of key: String) -> String {
        "\(place): \"\(keyPrefix)\(key)\""
    }

    func empty(named key: String) -> JSONFields {
        JSONFields([:], place: place, keyPrefix: "\(keyPrefix)\(key).")
    }

    /// The member, `nil` when it is absent or `null`. Keys match case-insensitively when the
    /// RFC spelling is not there (the first such key in sorted order, so the choice is stable).
    func value(_ key: String) -> Any? {
        let found = members[key]
            ?? members.filter { $0.key.lowercased() == key }.min { $0.key < $1.key }?.value
        return found is NSNull ? nil : found
    }

    /// Trimmed text, `nil` when absent, empty or not text. Numbers count as text: some report
    /// ids are numeric.
    func text(_ key: String) -> String? {
        value(key).flatMap(Self.text(of:)).flatMap { $0.isEmpty ? nil : $0 }
    }

    func requiredText(_ key: String) throws(ReportParseError) -> String {
        guard let raw = value(key) else { throw ReportParseError("\(place) has no \"\(keyPrefix)\(key)\"") }
        guard let text = Self.text(of: raw) else {
            throw ReportParseError("\(name(of: key)) is \(Self.kindName(of: raw)), not text")
        }
        guard !text.isEmpty else { throw ReportParseError("\(name(of: key)) is empty") }
        return text
    }

    /// A list of strings; a lone string is read as a list of one (`mx-host` comes both ways).
    func texts(_ key: String) -> [String] {
        switch value(key) {
        case let list as [Any]: list.compactMap(Self.text(of:)).filter { !$0.isEmpty }
        case let single?: Self.text(of: single).map { $0.isEmpty ? [] : [$0] } ?? []
        case nil: []
        }
    }

    /// A session count: a whole number from 0 to the bound, also when written as a string.
    func count(_ key: String) throws(ReportParseError) -> Int? {
        guard let raw = value(key) else { return nil }
        let bound = TLSReportParser.maxSessionCount
        let count: Int? = switch raw {
        case let number as NSNumber where !Self.isBoolean(number): raw as? Int
        case let string as String: Int(string.trimmingXMLWhitespace())
        default: nil
        }
        guard let count, count >= 0, count <= bound else {
            throw ReportParseError("\(name(of: key)) is \(Self.quoted(raw)), not a whole number from 0 to \(bound)")
        }
        return count
    }

    func object(_ key: String) throws(ReportParseError) -> JSONFields? {
        guard let raw = value(key) else { return nil }
        guard let members = raw as? [String: Any] else {
            throw ReportParseError("\(name(of: key)) is \(Self.kindName(of: raw)), not an object")
        }
        return JSONFields(members, place: place, keyPrefix: "\(keyPrefix)\(key).")
    }

    /// A list of objects, each becoming its own place ("policy 1", "policy 2", ...).
    func objects(_ key: String, eachNamed itemName: String) throws(ReportParseError) -> [JSONFields] {
        guard let raw = value(key) else { return [] }
        guard let list = raw as? [Any] else {
            throw ReportParseError("\(name(of: key)) is \(Self.kindName(of: raw)), not a list")
        }
        let prefix = place == "the report" ? "" : "\(place), "
        var result: [JSONFields] = []
        result.reserveCapacity(list.count)
        for (index, item) in list.enumerated() {
            let itemPlace = "\(prefix)\(itemName) \(index + 1)"
            guard let members = item as? [String: Any] else {
                throw ReportParseError("\(itemPlace) is \(Self.kindName(of: item)), not an object")
            }
            result.append(JSONFields(members, place: itemPlace))
        }
        return result
    }

    private static func text(of value: Any) -> String? {
        switch value {
        case let string as String: string.trimmingXMLWhitespace()
        case let number as NSNumber where !isBoolean(number): number.stringValue
        default: nil
        }
    }

    /// JSON `true` and `false` decode to NSNumber too; their type code is `c` (char).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    private static func quoted(_ value: Any) -> String {
        switch value {
        case let string as String: "\"\(string.prefix(40))\""
        case let number as NSNumber where !isBoolean(number): number.stringValue
        default: kindName(of: value)
        }
    }

    static func kindName(of value: Any) -> String {
        switch value {
        case is String: "text"
        case let number as NSNumber: isBoolean(number) ? (number.boolValue ? "true" : "false") : "a number"
        case is [Any]: "a list"
        case is [String: Any]: "an object"
        case is NSNull: "null"
        default: "a \(type(of: value))"
        }
    }
}

/// Finds JSON that nests deeper than a bound with one pass over the bytes.
enum JSONNesting {
    static func exceeds(_ maxDepth: Int, in data: Data) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default:
                break
            }
        }
        return false
    }
}

/// RFC 3339 date-times (`2016-04-01T23:59:59Z`, `...59.123+02:00`) to Unix seconds, without
/// Foundation's formatters so the result never depends on the platform or locale.
enum RFC3339Timestamp {
    /// The same range the aggregate parser accepts: 1970-01-01 up to the year 3000.
    static let validSeconds: Range<Int64> = 0..<32_503_680_000

    /// Fractional seconds are dropped. A missing offset is read as UTC: RFC 8460 days are UTC
    /// days and refusing the whole report would lose more than the guess risks.
    static func unixSeconds(_ text: String) -> Int64? {
        var scanner = DigitScanner(text.utf8)
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2),
              scanner.skip(anyOf: "Tt "),
              let hour = scanner.number(digits: 2), scanner.skip(":"),
              let minute = scanner.number(digits: 2), scanner.skip(":"),
              let second = scanner.number(digits: 2)
        else { return nil }
        if scanner.skip(".") {
            guard scanner.skipDigits() > 0 else { return nil }
        }
        var offsetSeconds = 0
        if scanner.skip(anyOf: "Zz") {
            offsetSeconds = 0
        } else if let sign = scanner.sign() {
            guard let offsetHours = scanner.number(digits: 2) else { return nil }
            _ = scanner.skip(":")
            guard let offsetMinutes = scanner.number(digits: 2), offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        guard scanner.atEnd,
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour <= 23, minute <= 59, second <= 60  // 60: a leap second
        else { return nil }
        let days = Int64(daysSinceEpoch(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return validSeconds.contains(seconds) ? seconds : nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's
    /// `days_from_civil`, for years from 0 on).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Reads fixed-width ASCII digits and separators from the UTF-8 of a string.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ utf8: String.UTF8View) {
        bytes = Array(utf8)
    }

    var atEnd: Bool { index == bytes.count }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += digits
        return value
    }

    mutating func skip(_ character: Character) -> Bool {
        skip(anyOf: String(character))
    }

    mutating func skip(anyOf characters: String) -> Bool {
        guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
        index += 1
        return true
    }

    mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
        return index - start
    }

    /// +1 or -1 for a leading `+` or `-`, consumed; nil otherwise.
    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
