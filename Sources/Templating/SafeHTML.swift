import Mustache

/// HTML that sitegen's own code produced: Markdown rendered by cmark-gfm in safe mode, SVG
/// drawn by our chart code, or text that went through `escaping`. It is the only value a
/// template may print with `{{{…}}}`; everything else goes through `{{…}}` and is escaped.
public struct SafeHTML: Sendable, Hashable, MustacheCustomRenderable, CustomStringConvertible {
    public let html: String

    /// For markup built by sitegen code from constants and escaped parts. Never pass text that
    /// came from a report, a file name, the config or a theme without escaping it first.
    public init(producedBySitegen html: String) {
        self.html = html
    }

    public static func escaping(_ text: String) -> SafeHTML {
        SafeHTML(producedBySitegen: text.htmlEscaped)
    }

    public static func + (lhs: SafeHTML, rhs: SafeHTML) -> SafeHTML {
        SafeHTML(producedBySitegen: lhs.html + rhs.html)
    }

    public var renderText: String { html }
    public var isNull: Bool { html.isEmpty }
    public var description: String { html }
}

extension String {
    /// Escapes the five characters that matter in HTML text and attribute values.
    public var htmlEscaped: String {
        var result = ""
        result.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
