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

    /// Reads and validates the merged settings. `file` names the top theme's settings file.
    static func read(_ settings: YAMLValue, file: String) throws(ThemeError) -> BrandTokens {
        for entry in settings.entries ?? [] where !knownKeys.contains(entry.key) {
            throw ThemeError(file: file, line: entry.keyLine,
                             reason: "unknown key \"\(entry.key)\" (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        func text(_ key: String) throws(ThemeError) -> String? {
            guard let value = settings[key] else { return nil }
            guard let string = value.string else {
                throw ThemeError(file: file, line: value.line, reason: "\(key) must be a single value, not \(value.kindName)")
            }
            return string
        }
        func assetPath(_ key: String) throws(ThemeError) -> String? {
            guard let path = try text(key) else { return nil }
            guard AssetPath.isInsideTheme(path) else {
                throw ThemeError(file: file, line: settings[key]?.line,
                                 reason: "\(key) \"\(path)\" must be a path under assets/ inside the theme folder")
            }
            return path
        }

        var colors: [String: CSSColor] = [:]
        if let colorSettings = settings["colors"] {
            guard let entries = colorSettings.entries else {
                throw ThemeError(file: file, line: colorSettings.line, reason: "colors must be a mapping")
            }
            for entry in entries {
                guard colorNames.contains(entry.key) else {
                    throw ThemeError(file: file, line: entry.keyLine,
                                     reason: "unknown color \"\(entry.key)\" (known: \(colorNames.joined(separator: ", ")))")
                }
                guard let raw = entry.value.string, let color = CSSColor(hex: raw) else {
                    throw ThemeError(file: file, line: entry.keyLine,
                                     reason: "color \(entry.key) \"\(entry.value.string ?? "")\" is not a hex color like #1a2b3c")
                }
                colors[entry.key] = color
            }
        }
        for name in colorNames where colors[name] == nil {
            throw ThemeError(file: file, reason: "color \(name) is not set in this theme or the themes it extends")
        }
        let font = try text("font") ?? "system-ui, sans-serif"
        guard CSSValue.isSafeFontStack(font) else {
            throw ThemeError(file: file, line: settings["font"]?.line,
                             reason: "font \"\(font)\" may hold only letters, digits, spaces, commas, hyphens and quotes")
        }
        let radius = try text("radius") ?? "6px"
        guard CSSValue.isSafeLength(radius) else {
            throw ThemeError(file: file, line: settings["radius"]?.line, reason: "radius \"\(radius)\" is not a length like 6px or 0.5rem")
        }
        let contact = settings["contact"]
        return BrandTokens(
            displayName: try text("display_name") ?? "DMARC reports",
            logo: try assetPath("logo"),
            logoDark: try assetPath("logo_dark"),
            favicon: try assetPath("favicon"),
            colors: colors,
            font: font,
            radius: radius,
            contactEmail: contact?["email"]?.string,
            contactURL: contact?["url"]?.string,
            footer: try text("footer"),
            legal: try text("legal"),
            baseURL: try text("base_url"))
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
