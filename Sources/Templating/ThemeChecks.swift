import Foundation

/// Everything wrong with a theme: errors refuse the theme, warnings are listed.
public struct ThemeCheckFailure: Error, CustomStringConvertible {
    public var problems: [ThemeError]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// The checks `sitegen theme check` runs and `build` relies on, beyond reading the files.
enum ThemeChecks {
    /// Values sitegen renders as HTML itself (Markdown, charts); only these may be printed
    /// with `{{{…}}}`, by full name or, inside `{{#page}}`/`{{#chrome}}`, by their own name.
    static let safeHTMLValues: Set<String> = [
        "page.intro", "page.body", "chrome.footer", "chrome.legal", "page.trendChart", "page.dailyChart",
        "intro", "body", "footer", "legal", "trendChart", "dailyChart",
    ]
    static let supportedLocales = ["en", "ja"]

    /// Missing partials and parents, unsafe `{{{…}}}`, changed delimiters and words used by a
    /// template that the English locale lacks.
    static func templateProblems(files: [String: URL], templateNames: Set<String>, englishKeys: Set<String>) -> [ThemeError] {
        var problems: [ThemeError] = []
        for (path, url) in files.sorted(by: { $0.key < $1.key }) where ResolvedTheme.templateName(path) != nil {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            var sections: [String] = []
            for tag in TemplateScanner.tags(in: text) {
                func report(_ reason: String) {
                    problems.append(ThemeError(file: url.path, line: tag.line, reason: "column \(tag.column): \(reason)"))
                }
                switch tag.kind {
                case .section, .invertedSection:
                    sections.append(tag.name)
                case .close:
                    _ = sections.popLast()
                case .partial, .parent:
                    if tag.name.hasPrefix("*") {
                        report("dynamic partial names ({{>*…}}) are not allowed; name the partial")
                    } else if !templateNames.contains(tag.name) {
                        report("\(tag.kind == .parent ? "parent template" : "partial") \"\(tag.name)\" does not exist in this theme or the themes it extends")
                    }
                case .unescaped:
                    let name = tag.name == "." ? (sections.last ?? ".") : tag.name
                    if !safeHTMLValues.contains(name) {
                        report("{{{\(tag.name)}}} prints \(name) without escaping; only \(safeHTMLValues.filter { $0.contains(".") }.sorted().joined(separator: ", ")) may be, use {{\(tag.name)}}")
                    }
                case .delimiter:
                    report("changing the Mustache delimiters is not supported by the checks; keep {{ }}")
                case .variable:
                    if tag.name.hasPrefix("t."), !englishKeys.contains(String(tag.name.dropFirst(2))),
                       !englishKeys.contains(where: { $0.hasPrefix(tag.name.dropFirst(2) + ".") }) {
                        report("the word \(tag.name) is not in locales/en.yml of this theme or the themes it extends")
                    }
                default:
                    break
                }
            }
        }
        return problems
    }

    /// Keys English has that another locale lacks: they fall back to English.
    static func missingTranslations(english: LocaleStrings, others: [LocaleStrings], file: String) -> [ThemeError] {
        others.flatMap { locale in
            english.values.keys.filter { locale.ownKeys.contains($0) == false }.sorted().map {
                ThemeError(file: file, reason: "locale \(locale.locale) has no \($0); English is shown instead")
            }
        }
    }

    /// A stylesheet must not load anything from another host.
    static func stylesheetProblems(files: [String: URL]) -> [ThemeError] {
        var problems: [ThemeError] = []
        for (path, url) in files.sorted(by: { $0.key < $1.key }) where path.hasSuffix(".css") {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let lowered = line.lowercased()
                if lowered.contains("@import") {
                    problems.append(ThemeError(file: url.path, line: number + 1, reason: "@import is not allowed; put the rules in this file"))
                }
                for reference in CSSReferences.urls(in: String(line)) where !CSSReferences.isLocal(reference) {
                    problems.append(ThemeError(file: url.path, line: number + 1,
                                               reason: "url(\(reference)) loads from outside the theme; copy the file into assets/"))
                }
            }
        }
        return problems
    }
}

/// `url(…)` references in CSS.
public enum CSSReferences {
    static func urls(in css: String) -> [String] {
        var results: [String] = []
        var rest = css[...]
        while let start = rest.range(of: "url(") {
            guard let end = rest[start.upperBound...].firstIndex(of: ")") else { break }
            var value = rest[start.upperBound..<end].trimmingCharacters(in: .whitespaces)
            if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            results.append(value)
            rest = rest[rest.index(after: end)...]
        }
        return results
    }

    /// Relative paths inside the theme's assets, or inline data.
    static func isLocal(_ reference: String) -> Bool {
        if reference.hasPrefix("data:") || reference.hasPrefix("#") { return true }
        return !reference.contains(":") && !reference.hasPrefix("/") && !reference.hasPrefix("\\")
            && !reference.split(separator: "/").contains("..")
    }
}

extension CSSReferences {
    /// Points each relative `url(…)` of the stylesheet at `cssPath` to the published name of
    /// the asset it names; other references are left as they are (the checks refuse external ones).
    public static func rewritingURLs(in css: String, of cssPath: String, to published: [String: String]) -> String {
        let folder = cssPath.split(separator: "/").dropLast()
        var output = ""
        var rest = css[...]
        while let start = rest.range(of: "url(") {
            guard let end = rest[start.upperBound...].firstIndex(of: ")") else { break }
            output += rest[..<start.upperBound]
            let raw = rest[start.upperBound..<end].trimmingCharacters(in: .whitespaces)
            var reference = raw
            var quote = ""
            if let first = reference.first, first == "\"" || first == "'", reference.count >= 2 {
                quote = String(first)
                reference = String(reference.dropFirst().dropLast())
            }
            let (path, suffix) = splitSuffix(reference)
            let target = (folder + path.split(separator: "/")).joined(separator: "/")
            if isLocal(reference), !reference.hasPrefix("data:"), let publishedTarget = published[target] {
                let relative = publishedTarget.split(separator: "/").dropFirst(folder.count).joined(separator: "/")
                output += quote + relative + suffix + quote
            } else {
                output += raw
            }
            rest = rest[end...]
        }
        return output + rest
    }

    /// `font.woff2?v=1#x` → (`font.woff2`, `?v=1#x`).
    private static func splitSuffix(_ reference: String) -> (String, String) {
        guard let index = reference.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return (reference, "") }
        return (String(reference[..<index]), String(reference[index...]))
    }
}
