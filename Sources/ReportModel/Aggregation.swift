import Foundation

/// A calendar month in UTC, written `YYYY-MM`.
public struct ReportMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month of a Unix time, in UTC.
    public init(unixTime: Int64) {
        let days = Int(unixTime.quotientAndRemainderFlooring(dividingBy: 86_400))
        let (y, m, _) = CivilDate.from(daysSinceEpoch: days)
        self.init(year: y, month: m)
    }

    /// The number of days in the month.
    public var dayCount: Int {
        let next = month == 12 ? (year + 1, 1) : (year, month + 1)
        return CivilDate.daysSinceEpoch(year: next.0, month: next.1, day: 1) - CivilDate.daysSinceEpoch(year: year, month: month, day: 1)
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m)
        else { return nil }
        self.init(year: y, month: m)
    }

    public var description: String {
        String(format: "%04d-%02d", year, month)
    }

    public var previous: ReportMonth {
        month == 1 ? ReportMonth(year: year - 1, month: 12) : ReportMonth(year: year, month: month - 1)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

    /// The first second of the month after this one (Unix time, UTC).
    public var endUnixTime: Int64 {
        Int64(CivilDate.daysSinceEpoch(year: year, month: month, day: 1) + dayCount) * 86_400
    }
}

/// The months a build publishes: all, or up to and including a last one.
public struct PublishedMonths: Sendable, Hashable {
    public var last: ReportMonth?

    public init(last: ReportMonth?) {
        self.last = last
    }

    /// Whether a report with this date range is published (it belongs to the month it begins in).
    public func includes(_ range: DateRange) -> Bool {
        guard let last else { return true }
        return range.begin < last.endUnixTime
    }
}

extension DateRange {
    /// The day of the month (UTC) on which the range begins.
    public var beginDay: Int {
        CivilDate.from(daysSinceEpoch: Int(begin.quotientAndRemainderFlooring(dividingBy: 86_400))).day
    }
}

/// Gregorian calendar arithmetic on days since 1970-01-01, without Foundation's calendars.
public enum CivilDate {
    public static func from(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        // Howard Hinnant's days_from_civil inverse.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension Int64 {
    fileprivate func quotientAndRemainderFlooring(dividingBy divisor: Int64) -> Int64 {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? q - 1 : q
    }
}

/// Message counts by what DMARC said and did.
public struct MessageTally: Sendable, Hashable {
    public var messages = 0
    public var dmarcPass = 0
    public var spfAligned = 0
    public var dkimAligned = 0
    public var disposition = DispositionTally()

    public init() {}

    /// The counts of one record.
    public init(_ record: ReportRecord) {
        add(record)
    }

    public mutating func add(_ record: ReportRecord) {
        messages += record.count
        // Matched as patterns: `==` on these enums compared copies of their payloads.
        let spf = if case .pass = record.spfAligned { true } else { false }
        let dkim = if case .pass = record.dkimAligned { true } else { false }
        if spf || dkim { dmarcPass += record.count }
        if spf { spfAligned += record.count }
        if dkim { dkimAligned += record.count }
        disposition.add(record.disposition, count: record.count)
    }

    public mutating func add(_ other: MessageTally) {
        messages += other.messages
        dmarcPass += other.dmarcPass
        spfAligned += other.spfAligned
        dkimAligned += other.dkimAligned
        disposition.add(other.disposition)
    }
}

public struct DispositionTally: Sendable, Hashable {
    public var none = 0
    public var quarantine = 0
    public var reject = 0
    /// RFC 9990 `pass`.
    public var pass = 0
    /// Words no RFC defines, kept apart so totals still add up.
    public var other = 0

    public init() {}

    public mutating func add(_ disposition: Disposition, count: Int) {
        switch disposition {
        case .none: none += count
        case .quarantine: quarantine += count
        case .reject: reject += count
        case .pass: pass += count
        case .unknown: other += count
        }
    }

    public mutating func add(_ other: DispositionTally) {
        none += other.none
        quarantine += other.quarantine
        reject += other.reject
        pass += other.pass
        self.other += other.other
    }
}
