/// HTML that sitegen's own code produced: Markdown rendered by cmark-gfm in safe mode, SVG
/// drawn by our chart code, or text that went through `escaping`. It is the only value a
/// template may print with `{{{…}}}`; everything else goes through `{{…}}` and is escaped.
public struct SafeHTML: Sendable, Hashable, CustomStringConvertible {
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
            case _ where scalar.isBidiReorderingControl: result += scalar.visibleCode
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    /// The text with every bidi embedding, override and isolate control written as a visible
    /// `[U+202E]`: a report string must not reorder the page text around it (Trojan Source).
    /// Applied to whole rendered pages, since Mustache's `{{…}}` escaping leaves them alone.
    public var bidiControlsMadeVisible: String {
        guard unicodeScalars.contains(where: \.isBidiReorderingControl) else { return self }
        var result = ""
        result.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            if scalar.isBidiReorderingControl { result += scalar.visibleCode } else { result.unicodeScalars.append(scalar) }
        }
        return result
    }
}

/// `bidiControlsMadeVisible` for a rendered page's bytes, which rarely hold such a control.
enum BidiControls {
    static func madeVisible(in page: [UInt8]) -> [UInt8] {
        // In UTF-8 every one of them is E2 80 AA…AE or E2 81 A6…A9.
        guard page.indices.contains(where: { index in
            page[index] == 0xE2 && index + 2 < page.count
                && ((page[index + 1] == 0x80 && (0xAA...0xAE).contains(page[index + 2]))
                    || (page[index + 1] == 0x81 && (0xA6...0xA9).contains(page[index + 2])))
        }) else { return page }
        return Array(String(decoding: page, as: UTF8.self).bidiControlsMadeVisible.utf8)
    }
}

extension Unicode.Scalar {
    /// LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069).
    var isBidiReorderingControl: Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    var visibleCode: String { "[U+\(String(value, radix: 16, uppercase: true))]" }
}
