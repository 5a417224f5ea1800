import Foundation

/// A goal a figure is judged against.
public struct BenchTarget: Sendable, Hashable {
    public enum Comparison: Sendable, Hashable {
        case atLeast, below
    }

    public var comparison: Comparison
    public var value: Double
    public var unit: String

    public init(_ comparison: Comparison, _ value: Double, unit: String) {
        self.comparison = comparison
        self.value = value
        self.unit = unit
    }

    public func isMet(by measured: Double) -> Bool {
        switch comparison {
        case .atLeast: measured >= value
        case .below: measured < value
        }
    }

    public var description: String {
        (comparison == .atLeast ? "≥ " : "< ") + BenchFormat.number(value) + " " + unit
    }
}

/// One line of the table.
public struct BenchRow: Sendable, Hashable {
    public var measurement: String
    public var value: String
    public var target: BenchTarget?
    /// The number the target is judged on (may differ from `value`, e.g. extrapolated).
    public var measured: Double?
    public var note: String

    public init(measurement: String, value: String, target: BenchTarget? = nil, measured: Double? = nil, note: String = "") {
        self.measurement = measurement
        self.value = value
        self.target = target
        self.measured = measured
        self.note = note
    }

    public var verdict: String {
        guard let target, let measured else { return "" }
        return target.isMet(by: measured) ? "met" : "MISSED"
    }
}

/// The whole run: what was measured, on what machine, and the table.
public struct BenchReport: Sendable {
    public var title: String
    public var machine: String
    public var rows: [BenchRow]

    public var text: String {
        let header = ["measurement", "value", "target", "", "notes"]
        let lines = rows.map { [$0.measurement, $0.value, $0.target?.description ?? "–", $0.verdict, $0.note] }
        let widths = (0..<header.count).map { column in
            ([header] + lines).map { $0[column].count }.max() ?? 0
        }
        func row(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var text = title + "\n" + machine + "\n"
        text += row(header) + "\n"
        text += row(widths.dropLast().map { String(repeating: "-", count: $0) } + ["-----"]) + "\n"
        for line in lines { text += row(line) + "\n" }
        return text
    }
}

enum BenchFormat {
    static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// Whole numbers grouped, others with up to two decimals.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? integer(Int(value)) : String(format: "%.2f", value)
    }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f s", value) : String(format: "%.1f s", value)
    }

    static func rate(_ count: Double, _ seconds: Double, unit: String) -> String {
        integer(Int((count / seconds).rounded())) + " " + unit
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.0f MB", Double(bytes) / 1_000_000)
    }
}
