/// Charts drawn as inline SVG by sitegen's own code: no JavaScript, no external requests.
/// Colors come from the theme's stylesheet through classes (`chart-pass`, `chart-fail`,
/// `chart-line` …), and every chart carries a text description for screen readers.
public struct SVGChart: Sendable {
    public struct Bar: Sendable {
        public var label: String
        public var pass: Int
        public var fail: Int

        public init(label: String, pass: Int, fail: Int) {
            self.label = label
            self.pass = pass
            self.fail = fail
        }
    }

    public struct Point: Sendable {
        public var label: String
        /// A percentage from 0 to 100, nil for a month without data.
        public var value: Double?

        public init(label: String, value: Double?) {
            self.label = label
            self.value = value
        }
    }

    private static let width = 720.0
    private static let height = 220.0
    private static let left = 44.0
    private static let bottom = 28.0
    private static let top = 12.0

    /// Stacked bars of passing and failing messages, one per day.
    public static func stackedBars(_ bars: [Bar], title: String, description: String, id: String) -> SafeHTML {
        let plotWidth = width - left - 8
        let plotHeight = height - bottom - top
        let maximum = max(1, bars.map { $0.pass + $0.fail }.max() ?? 1)
        let scaleTop = niceCeiling(maximum)
        let slot = plotWidth / Double(max(bars.count, 1))
        var svg = header(title: title, description: description, id: id)
        svg += axis(ticks: [0, scaleTop / 2, scaleTop].map { (Double($0) / Double(scaleTop), shortNumber($0)) }, plotWidth: plotWidth, plotHeight: plotHeight)
        for (index, bar) in bars.enumerated() {
            let x = left + Double(index) * slot + slot * 0.15
            let barWidth = slot * 0.7
            let passHeight = plotHeight * Double(bar.pass) / Double(scaleTop)
            let failHeight = plotHeight * Double(bar.fail) / Double(scaleTop)
            let base = top + plotHeight
            svg += rect(x: x, y: base - passHeight, width: barWidth, height: passHeight, className: "chart-pass")
            svg += rect(x: x, y: base - passHeight - failHeight, width: barWidth, height: failHeight, className: "chart-fail")
            if bars.count <= 12 || index % 5 == 0 || index == bars.count - 1 {
                svg += text(x: x + barWidth / 2, y: height - 8, anchor: "middle", bar.label)
            }
        }
        return SafeHTML(producedBySitegen: svg + "</svg>")
    }

    /// A line of percentages, one point per label; gaps where there is no value.
    public static func percentLine(_ points: [Point], title: String, description: String, id: String) -> SafeHTML {
        let plotWidth = width - left - 16
        let plotHeight = height - bottom - top
        let step = plotWidth / Double(max(points.count - 1, 1))
        var svg = header(title: title, description: description, id: id)
        svg += axis(ticks: [(0, "0%"), (0.5, "50%"), (1, "100%")], plotWidth: plotWidth, plotHeight: plotHeight)
        var segment: [String] = []
        func flush() {
            if segment.count > 1 { svg += "<polyline class=\"chart-line\" points=\"\(segment.joined(separator: " "))\"/>" }
            segment = []
        }
        for (index, point) in points.enumerated() {
            let x = left + 8 + Double(index) * step
            if let value = point.value {
                let y = top + plotHeight * (1 - min(max(value, 0), 100) / 100)
                segment.append("\(format(x)),\(format(y))")
                svg += "<circle class=\"chart-dot\" cx=\"\(format(x))\" cy=\"\(format(y))\" r=\"3.5\"/>"
            } else {
                flush()
            }
            svg += text(x: x, y: height - 8, anchor: "middle", point.label)
        }
        flush()
        return SafeHTML(producedBySitegen: svg + "</svg>")
    }

    private static func header(title: String, description: String, id: String) -> String {
        let safeID = id.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        return "<svg class=\"chart\" viewBox=\"0 0 \(format(width)) \(format(height))\" role=\"img\" aria-labelledby=\"\(safeID)-title \(safeID)-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<title id=\"\(safeID)-title\">\(title.htmlEscaped)</title><desc id=\"\(safeID)-desc\">\(description.htmlEscaped)</desc>"
    }

    private static func axis(ticks: [(Double, String)], plotWidth: Double, plotHeight: Double) -> String {
        var svg = ""
        for (fraction, label) in ticks {
            let y = top + plotHeight * (1 - fraction)
            svg += "<line class=\"chart-grid\" x1=\"\(format(left))\" y1=\"\(format(y))\" x2=\"\(format(left + plotWidth))\" y2=\"\(format(y))\"/>"
            svg += text(x: left - 6, y: y + 4, anchor: "end", label)
        }
        return svg
    }

    private static func rect(x: Double, y: Double, width: Double, height: Double, className: String) -> String {
        guard height > 0 else { return "" }
        return "<rect class=\"\(className)\" x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(width))\" height=\"\(format(height))\"/>"
    }

    private static func text(x: Double, y: Double, anchor: String, _ label: String) -> String {
        "<text class=\"chart-label\" x=\"\(format(x))\" y=\"\(format(y))\" text-anchor=\"\(anchor)\">\(label.htmlEscaped)</text>"
    }

    /// One decimal, never exponent notation, so output is stable.
    private static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// 1, 2 or 5 times a power of ten, at or above `value`.
    private static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while magnitude * 10 <= value { magnitude *= 10 }
        for factor in [1, 2, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    private static func shortNumber(_ value: Int) -> String {
        for (unit, suffix) in [(1_000_000, "M"), (1_000, "k")] where value >= unit {
            let tenths = value * 10 / unit
            return tenths % 10 == 0 ? "\(tenths / 10)\(suffix)" : "\(tenths / 10).\(tenths % 10)\(suffix)"
        }
        return "\(value)"
    }
}
