/// Numbers, percentages and dates written the way a reader of the locale expects.
/// Written by hand, not with Foundation's formatters, so output is identical on every system.
public struct LocaleFormatter: Sendable, Hashable {
    public let locale: String

    public init(locale: String) {
        self.locale = locale
    }

    private static let englishMonths = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ]

    /// `1234567` → `1,234,567` (the grouping English and Japanese share).
    public func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// `part / whole` as a percentage with one decimal, `–` when there is no whole.
    public func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "–" }
        return oneDecimal(Double(part) * 100 / Double(whole)) + "%"
    }

    /// A signed change in percentage points, e.g. `+1.2 pt`.
    public func pointChange(_ delta: Double) -> String {
        let sign = delta > 0.05 ? "+" : (delta < -0.05 ? "−" : "±")
        return sign + oneDecimal(abs(delta)) + " pt"
    }

    public func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(integer(tenths / 10)).\(abs(tenths % 10))"
    }

    public func month(year: Int, month: Int) -> String {
        switch locale {
        case "ja": "\(year)年\(month)月"
        default: "\(Self.englishMonths[(month - 1) % 12]) \(year)"
        }
    }

    /// `Oct` / `10月`, for chart axes.
    public func shortMonth(_ month: Int) -> String {
        switch locale {
        case "ja": "\(month)月"
        default: String(Self.englishMonths[(month - 1) % 12].prefix(3))
        }
    }

    public func date(year: Int, month: Int, day: Int) -> String {
        switch locale {
        case "ja": "\(year)年\(month)月\(day)日"
        default: "\(day) \(Self.englishMonths[(month - 1) % 12].prefix(3)) \(year)"
        }
    }
}
