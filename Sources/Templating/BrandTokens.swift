import Foundation

/// The brand of a theme after layering: what a reseller's designer sets in `theme.yml`.
public struct BrandTokens: Sendable, Hashable {
    public static let colorNames = ["primary", "accent", "background", "surface", "text", "success", "warning", "danger"]
    public static let knownKeys: Set<String> = [
        "name", "extends", "display_name", "logo", "logo_dark", "favicon", "colors", "font", "radius",
        "contact", "footer", "legal", "base_url",
    ]

    public var displayName: String
    /// Asset paths inside the layered theme (`assets/logo.svg`).
    public var logo: String?
    public var logoDark: String?
    public var favicon: String?
    public var colors: [String: CSSColor]
    public var font: String
    public var radius: String
    public var contactEmail: String?
    public var contactURL: String?
    /// Markdown.
    public var footer: String?
    public var legal: String?
    public var baseURL: String?
    /// Colors some layer set to an unusable value, already reported with that layer's line.
    private var unusableColors: Set<String> = []

    /// The problems of one layer's `theme.yml`, each with its file and line.
    static func problems(in settings: YAMLValue, file: String) -> [ThemeError] {
        var problems: [ThemeError] = []
        func report(_ line: Int?, _ reason: String) { problems.append(ThemeError(file: file, line: line, reason: reason)) }
        for entry in settings.entries ?? [] {
            let value = entry.value
            switch entry.key {
            case "colors":
                guard let colors = value.entries else {
                    report(value.line, "colors must be a mapping of color names to hex colors")
                    continue
                }
                for color in colors {
                    if !colorNames.contains(color.key) {
                        report(color.keyLine, "unknown color \"\(color.key)\" (known: \(colorNames.joined(separator: ", ")))")
                    } else if color.value.string.flatMap(CSSColor.init(hex:)) == nil {
                        report(color.keyLine, "color \(color.key) \"\(color.value.string ?? "")\" is not a hex color like #1a2b3c")
                    }
                }
            case "contact":
                guard let contact = value.entries else {
                    report(value.line, "contact must be a mapping with email and url")
                    continue
                }
                for item in contact where item.key != "email" && item.key != "url" {
                    report(item.keyLine, "unknown contact key \"\(item.key)\" (known: email, url)")
                }
            case _ where !knownKeys.contains(entry.key):
                report(entry.keyLine, "unknown key \"\(entry.key)\" (known: \(knownKeys.sorted().joined(separator: ", ")))")
            case _ where value.string == nil:
                report(entry.keyLine, "\(entry.key) must be a single value, not \(value.kindName)")
            case "logo", "logo_dark", "favicon":
                if let path = value.string, !AssetPath.isInsideTheme(path) {
                    report(entry.keyLine, "\(entry.key) \"\(path)\" must be a path under assets/ inside the theme folder")
                }
            case "font":
                if let font = value.string, !CSSValue.isSafeFontStack(font) {
                    report(entry.keyLine, "font \"\(font)\" may hold only letters, digits, spaces, commas, hyphens and quotes")
                }
            case "radius":
                if let radius = value.string, !CSSValue.isSafeLength(radius) {
                    report(entry.keyLine, "radius \"\(radius)\" is not a length like 6px or 0.5rem")
                }
            case "base_url":
                if let url = value.string, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                    report(entry.keyLine, "base_url \"\(url)\" must start with https:// or http://")
                }
            default:
                break
            }
        }
        return problems
    }

    /// The tokens of merged settings whose layers passed `problems(in:file:)`; a value that is
    /// still unusable falls back to the default so checking can go on.
    init(merged settings: YAMLValue) {
        func text(_ key: String) -> String? { settings[key]?.string }
        var colors: [String: CSSColor] = [:]
        var unusable: Set<String> = []
        for entry in settings["colors"]?.entries ?? [] {
            if let color = entry.value.string.flatMap(CSSColor.init(hex:)) { colors[entry.key] = color } else { unusable.insert(entry.key) }
        }
        unusableColors = unusable
        displayName = text("display_name") ?? "DMARC reports"
        logo = text("logo").flatMap { AssetPath.isInsideTheme($0) ? $0 : nil }
        logoDark = text("logo_dark").flatMap { AssetPath.isInsideTheme($0) ? $0 : nil }
        favicon = text("favicon").flatMap { AssetPath.isInsideTheme($0) ? $0 : nil }
        self.colors = colors
        font = text("font").flatMap { CSSValue.isSafeFontStack($0) ? $0 : nil } ?? "system-ui, sans-serif"
        radius = text("radius").flatMap { CSSValue.isSafeLength($0) ? $0 : nil } ?? "6px"
        contactEmail = settings["contact"]?["email"]?.string
        contactURL = settings["contact"]?["url"]?.string
        footer = text("footer")
        legal = text("legal")
        baseURL = text("base_url")
    }

    /// Pairs of colors that carry text, with the WCAG 2.2 AA minimum for normal text.
    static let contrastPairs: [(foreground: String, background: String, use: String)] = [
        ("text", "background", "body text"),
        ("text", "surface", "text on cards and tables"),
        ("primary", "background", "links"),
        ("primary", "surface", "links on cards and tables"),
    ]
    static let minimumContrast = 4.5

    /// Problems of the merged tokens: missing colors and text contrast below WCAG AA.
    func problems(file: String) -> [ThemeError] {
        var problems: [ThemeError] = []
        for name in Self.colorNames where colors[name] == nil && !unusableColors.contains(name) {
            problems.append(ThemeError(file: file, reason: "color \(name) is not set in this theme or the themes it extends"))
        }
        for pair in Self.contrastPairs {
            guard let foreground = colors[pair.foreground], let background = colors[pair.background] else { continue }
            let ratio = foreground.contrastRatio(with: background)
            if ratio < Self.minimumContrast {
                problems.append(ThemeError(file: file, reason:
                    "contrast of \(pair.foreground) \(foreground.hex) on \(pair.background) \(background.hex) (\(pair.use)) is \(Self.ratio(ratio)), below the WCAG 2.2 AA minimum of 4.5:1"))
            }
        }
        if let primary = colors["primary"], let white = CSSColor(hex: "#ffffff"), primary.contrastRatio(with: white) < Self.minimumContrast {
            problems.append(ThemeError(file: file, reason:
                "contrast of white button text on primary \(primary.hex) is \(Self.ratio(primary.contrastRatio(with: white))), below the WCAG 2.2 AA minimum of 4.5:1"))
        }
        return problems
    }

    private static func ratio(_ value: Double) -> String {
        String(format: "%.2f:1", value)
    }

    /// The tokens as CSS custom properties, written by code so no theme text reaches CSS
    /// unchecked.
    public var cssCustomProperties: String {
        var lines = [":root {"]
        for name in Self.colorNames {
            if let color = colors[name] { lines.append("  --color-\(name): \(color.hex);") }
        }
        lines.append("  --font-body: \(font);")
        lines.append("  --radius: \(radius);")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A color given as `#rgb` or `#rrggbb`.
public struct CSSColor: Sendable, Hashable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init?(hex text: String) {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        guard digits.first == "#" else { return nil }
        digits = digits.dropFirst()
        if digits.count == 3 { digits = Substring(digits.map { "\($0)\($0)" }.joined()) }
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        red = UInt8((value >> 16) & 0xFF)
        green = UInt8((value >> 8) & 0xFF)
        blue = UInt8(value & 0xFF)
    }

    public var hex: String { String(format: "#%02x%02x%02x", red, green, blue) }

    /// WCAG 2.x relative luminance.
    public var relativeLuminance: Double {
        func channel(_ value: UInt8) -> Double {
            let c = Double(value) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    }

    /// WCAG 2.x contrast ratio, from 1 to 21.
    public func contrastRatio(with other: CSSColor) -> Double {
        let (a, b) = (relativeLuminance, other.relativeLuminance)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }
}

enum CSSValue {
    static func isSafeFontStack(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 200 && text.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || " ,-'\"".unicodeScalars.contains($0)
        }
    }

    static func isSafeLength(_ text: String) -> Bool {
        text.range(of: #"^[0-9]{1,3}(\.[0-9]{1,3})?(px|rem|em)$"#, options: .regularExpression) != nil || text == "0"
    }
}

enum AssetPath {
    /// A relative path below `assets/` with no `..`, no absolute start and no backslashes.
    static func isInsideTheme(_ path: String) -> Bool {
        guard path.hasPrefix("assets/"), !path.contains("\\") else { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }
}
