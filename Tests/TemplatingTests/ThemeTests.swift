import Foundation
import Testing
@testable import Templating

@Suite("Theme layering and brand tokens")
struct ThemeTests {
    static let builtin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Themes").standardizedFileURL

    /// A theme folder in a temporary directory, removed by the caller.
    static func theme(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("theme-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    func resolve(_ url: URL) throws(ThemeError) -> ResolvedTheme {
        try ResolvedTheme(chain: ThemeLocator(builtinRoot: Self.builtin).chain(for: url.path, relativeTo: url))
    }

    @Test func defaultThemeResolvesOnItsOwn() throws {
        let theme = try ResolvedTheme(chain: ThemeLocator(builtinRoot: Self.builtin).chain(for: "default", relativeTo: Self.builtin))
        #expect(theme.brand.colors["primary"]?.hex == "#1f4e8c")
        #expect(theme.templateNames.isSuperset(of: ["layout", "month", "domain", "client", "landing", "content", "404", "base-month"]))
        #expect(theme.assetPaths.contains("assets/style.css"))
    }

    @Test func resellerLayerOverridesPerFileAndMergesTokensAndWords() throws {
        let root = try Self.theme([
            "theme.yml": "extends: default\ndisplay_name: Reseller\ncolors:\n  primary: \"#123\"\n",
            "partials/footer.mustache": "<footer>reseller footer {{t.site.home}}</footer>",
            "locales/en.yml": "site:\n  home: Start\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let theme = try resolve(root)
        #expect(theme.brand.displayName == "Reseller")
        #expect(theme.brand.colors["primary"]?.hex == "#112233")
        #expect(theme.brand.colors["accent"]?.hex == "#0f7b6c", "inherited from default")
        #expect(theme.files["partials/footer.mustache"]?.path.hasPrefix(root.path) == true)
        #expect(theme.files["partials/header.mustache"]?.path.hasPrefix(Self.builtin.path) == true)
        let words = try theme.strings(for: "en")
        #expect(words.text("site.home") == "Start")
        #expect(words.text("site.learn") == "What is DMARC?")
        #expect(try theme.render("footer", ["t": words.templateTree]) == "<footer>reseller footer Start</footer>")
        #expect(try theme.render("base-footer", ["chrome": ["footer": "x"]]).contains("site-footer"))
        #expect(theme.brand.cssCustomProperties.contains("--color-primary: #112233;"))
    }

    @Test func japaneseFallsBackToEnglishPerKey() throws {
        let root = try Self.theme(["theme.yml": "extends: default\n", "locales/en.yml": "extra:\n  only_english: Hello\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let words = try resolve(root).strings(for: "ja")
        #expect(words.text("site.home") == "ホーム")
        #expect(words.text("extra.only_english") == "Hello")
    }

    @Test(arguments: [
        ("colors:\n  primary: red\n", "not a hex color"),
        ("colors:\n  shiny: \"#fff\"\n", "unknown color"),
        ("logo: ../secret.svg\n", "must be a path under assets/"),
        ("logo: /etc/passwd\n", "must be a path under assets/"),
        ("logo: assets/missing.svg\n", "not a file"),
        ("font: \"x; } body { display: none\"\n", "font"),
        ("radius: \"1px; color: red\"\n", "radius"),
        ("colour: red\n", "unknown key"),
        ("extends: nowhere-theme\n", "not found"),
    ])
    func brokenSettingsAreRefusedWithAReason(settings: String, phrase: String) throws {
        let root = try Self.theme(["theme.yml": (settings.hasPrefix("extends") ? "" : "extends: default\n") + settings])
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            _ = try resolve(root)
            Issue.record("accepted: \(settings)")
        } catch {
            #expect(error.reason.contains(phrase), "\(error.reason)")
            #expect(error.file.hasSuffix("theme.yml"))
        }
    }

    @Test func extendsCyclesAreRefused() throws {
        let root = try Self.theme([
            "a/theme.yml": "extends: ../b\n",
            "b/theme.yml": "extends: ../a\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            _ = try resolve(root.appendingPathComponent("a"))
            Issue.record("a cycle was accepted")
        } catch {
            #expect(error.reason.contains("loops"))
        }
    }

    @Test func mustacheSyntaxErrorsNameFileAndLine() throws {
        let root = try Self.theme(["theme.yml": "extends: default\n", "templates/month.mustache": "line one\n{{#page}}\nno end"])
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            _ = try resolve(root)
            Issue.record("a broken template was accepted")
        } catch {
            #expect(error.file.hasSuffix("templates/month.mustache"))
            #expect(error.line != nil)
        }
    }

    @Test func missingTemplatesAreErrorsNotEmptyPages() throws {
        let theme = try resolve(Self.builtin.appendingPathComponent("default"))
        #expect(throws: ThemeError.self) { try theme.render("no-such-page", [String: Any]()) }
    }
}

@Suite("Formatting and colors")
struct FormattingTests {
    @Test func formatsNumbersAndMonthsPerLocale() {
        let en = LocaleFormatter(locale: "en")
        let ja = LocaleFormatter(locale: "ja")
        #expect(en.integer(1_234_567) == "1,234,567")
        #expect(en.integer(0) == "0")
        #expect(en.integer(-1_000) == "-1,000")
        #expect(en.percent(1, of: 3) == "33.3%")
        #expect(en.percent(0, of: 0) == "–")
        #expect(en.month(year: 2026, month: 10) == "October 2026")
        #expect(ja.month(year: 2026, month: 10) == "2026年10月")
        #expect(ja.integer(1234) == "1,234")
        #expect(en.pointChange(-2.25) == "−2.3 pt")
    }

    @Test func measuresWCAGContrast() throws {
        let black = try #require(CSSColor(hex: "#000"))
        let white = try #require(CSSColor(hex: "#ffffff"))
        #expect(abs(black.contrastRatio(with: white) - 21) < 0.01)
        #expect(CSSColor(hex: "#12345") == nil)
        #expect(CSSColor(hex: "123456") == nil)
    }

    @Test func escapesHTML() {
        #expect("<a href=\"x\">'&'</a>".htmlEscaped == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(SafeHTML.escaping("<b>").html == "&lt;b&gt;")
    }
}
