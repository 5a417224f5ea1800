import Foundation
import SiteBuild
import Templating
import Testing

/// Every built-in theme, in every language: all page types render, with no word missing.
@Suite("Built-in themes in English and Japanese")
struct BuiltinThemeTests {
    static let themeNames = ThemeLocator(builtinRoot: FixtureWorkspace.builtinThemes).builtinNames

    /// A dotted locale key left in the text means a word was missing.
    static func rawKey(in html: String) -> String? {
        html.firstMatch(of: /\b(site|landing|learn|notfound|client|month|domain|section|kpi|disposition|table)\.[a-z_]+\b/)
            .map { String($0.output.0) }
    }

    @Test func thereAreAtLeastThreeBuiltInThemes() {
        #expect(Self.themeNames.count >= 3, "\(Self.themeNames)")
        #expect(Self.themeNames.contains("default"))
    }

    @Test(arguments: themeNames)
    func everyPageTypeRendersInBothLanguages(theme: String) throws {
        let resolved = try ThemeLocator(builtinRoot: FixtureWorkspace.builtinThemes).resolve(theme, relativeTo: FixtureWorkspace.builtinThemes)
        #expect(resolved.warnings.isEmpty, "\(theme) lacks translations: \(resolved.warnings)")

        let workspace = try FixtureWorkspace(config: """
            resellers:
              - id: english
                theme: \(theme)
                base_url: https://reports.example.com/
                clients:
                  - id: contoso
                    name: Contoso
                    domains: [contoso.example, contoso.co.jp]
                  - id: empty
                    domains: [nothing.example]
              - id: japanese
                theme: \(theme)
                locale: ja
                clients:
                  - id: fabrikam
                    name: ファブリカム
                    domains: [fabrikam.example]
            """, reports: SiteBuildTests.reports())
        defer { workspace.remove() }
        let report = try workspace.build()
        #expect(report.failures.isEmpty, "\(report.failures)")

        let pages = workspace.files(under: "public").filter { $0.hasSuffix(".html") }
        for kind in ["english/index.html", "english/learn/dmarc.html", "english/404.html", "english/contoso/index.html",
                     "english/contoso/2025-12/index.html", "english/contoso/2025-12/contoso.co.jp/index.html",
                     "english/contoso/2025-12/tls/index.html", "japanese/fabrikam/2025-12/tls/index.html",
                     "english/empty/index.html", "japanese/index.html", "japanese/fabrikam/2025-12/index.html",
                     "japanese/fabrikam/2025-12/fabrikam.example/index.html"] {
            #expect(pages.contains(kind), "\(theme): no \(kind)")
        }
        for page in pages {
            let html = workspace.text("public/" + page) ?? ""
            let lang = page.hasPrefix("japanese/") ? "ja" : "en"
            #expect(html.contains("<html lang=\"\(lang)\""), "\(theme) \(page)")
            #expect(Self.rawKey(in: html) == nil, "\(theme) \(page): untranslated \(Self.rawKey(in: html) ?? "")")
            #expect(html.contains("assets/style."), "\(theme) \(page) links its stylesheet")
        }
        let japaneseMonth = workspace.text("public/japanese/fabrikam/2025-12/index.html") ?? ""
        #expect(japaneseMonth.contains("2025年12月"))
        #expect(japaneseMonth.contains("1,234"))
    }
}
