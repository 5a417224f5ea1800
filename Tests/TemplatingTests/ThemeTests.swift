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

    func resolve(_ url: URL) throws(ThemeCheckFailure) -> ResolvedTheme {
        try ThemeLocator(builtinRoot: Self.builtin).resolve(url.path, relativeTo: url)
    }

    @Test func defaultThemeResolvesOnItsOwn() throws {
        let theme = try ThemeLocator(builtinRoot: Self.builtin).resolve("default", relativeTo: Self.builtin)
        #expect(theme.warnings.isEmpty, "the built-in theme translates every word")
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
            #expect(error.problems.count == 1, "\(error)")
            #expect(error.problems.first?.reason.contains(phrase) == true, "\(error)")
            #expect(error.problems.first?.file.hasSuffix("theme.yml") == true)
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
            #expect(error.problems.first?.reason.contains("loops") == true)
        }
    }

    @Test func mustacheSyntaxErrorsNameFileAndLine() throws {
        let root = try Self.theme(["theme.yml": "extends: default\n", "templates/month.mustache": "line one\n{{#page}}\nno end"])
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            _ = try resolve(root)
            Issue.record("a broken template was accepted")
        } catch {
            #expect(error.problems.first?.file.hasSuffix("templates/month.mustache") == true)
            #expect(error.problems.first?.line != nil)
        }
    }

    @Test func aPartialThatIncludesItselfIsAnErrorNamingTheTemplate() throws {
        let root = try Self.theme(["theme.yml": "extends: default\n", "partials/footer.mustache": "<footer>{{> footer}}</footer>"])
        defer { try? FileManager.default.removeItem(at: root) }
        let theme = try resolve(root)
        do {
            _ = try theme.render("footer", ["chrome": ["footer": "x"]])
            Issue.record("a partial that includes itself rendered")
        } catch {
            #expect(error.reason.contains("template \"footer\" nests partials or blocks"), "\(error)")
            #expect(error.file.hasSuffix("partials/footer.mustache"), "\(error)")
        }
    }

    @Test func missingTemplatesAreErrorsNotEmptyPages() throws {
        let theme = try resolve(Self.builtin.appendingPathComponent("default"))
        #expect(throws: ThemeError.self) { try theme.render("no-such-page", TemplateValue.object([:])) }
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

@Suite("theme check")
struct ThemeCheckTests {
    @Test func aBrokenThemeGivesOneLinePerProblem() throws {
        let root = try ThemeTests.theme([
            "theme.yml": """
                extends: default
                logo: ../logo.svg
                colors:
                  accent: "#12345"
                  text: "#c0c0c0"
                """,
            "partials/footer.mustache": "<footer>{{> no-such-partial}}</footer>",
            "templates/landing.mustache": "{{<layout}}{{$content}}{{{page.learnHref}}} {{t.missing.word}}{{/content}}{{/layout}}",
            "assets/custom.css": "@import url(https://fonts.example/x.css);\nbody { background: url('../../secret.png'); }\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        do {
            _ = try ThemeLocator(builtinRoot: ThemeTests.builtin).resolve(root.path, relativeTo: root)
            Issue.record("a broken theme was accepted")
        } catch {
            let lines = error.problems.map(\.description)
            let expected = [
                "theme.yml:2", "must be a path under assets/",
                "theme.yml:4", "not a hex color",
                "contrast of text #c0c0c0 on background",
                "partials/footer.mustache:1", "partial \"no-such-partial\" does not exist",
                "templates/landing.mustache:1", "{{{page.learnHref}}} prints page.learnHref without escaping",
                "t.missing.word is not in locales/en.yml",
                "assets/custom.css:1", "@import is not allowed",
                "url(../../secret.png) loads from outside the theme",
            ]
            for phrase in expected {
                #expect(lines.contains { $0.contains(phrase) }, "no line says \(phrase): \(lines)")
            }
            #expect(!lines.contains { $0.contains("color accent is not set") }, "a malformed color is reported once")
        }
    }

    @Test func safeValuesMayBePrintedUnescapedInsideTheirSection() throws {
        let root = try ThemeTests.theme([
            "theme.yml": "extends: default\n",
            "partials/footer.mustache": "{{#chrome.footer}}<div>{{{.}}}</div>{{/chrome.footer}}{{#chrome.brandName}}{{.}}{{/chrome.brandName}}",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try ThemeLocator(builtinRoot: ThemeTests.builtin).resolve(root.path, relativeTo: root)
    }

    @Test func missingTranslationsAreWarnings() throws {
        let root = try ThemeTests.theme([
            "theme.yml": "extends: default\n",
            "locales/en.yml": "extra:\n  greeting: Hello\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let theme = try ThemeLocator(builtinRoot: ThemeTests.builtin).resolve(root.path, relativeTo: root)
        #expect(theme.warnings.map(\.reason) == ["locale ja has no extra.greeting; English is shown instead"])
    }

    @Test func theStarterThemePassesWithoutWarnings() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starter-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ThemeStarter.write(name: "acme", to: folder)
        let theme = try ThemeLocator(builtinRoot: ThemeTests.builtin).resolve(folder.path, relativeTo: folder)
        #expect(theme.warnings.isEmpty)
        #expect(theme.brand.displayName == "acme")
        #expect(throws: ThemeError.self) { try ThemeStarter.write(name: "acme", to: folder) }
    }
}

@Suite("Stylesheet references")
struct StylesheetReferenceTests {
    @Test func pointsRelativeURLsAtFingerprintedAssets() {
        let css = "a{background:url('img/x.png')} @font-face{src:url(fonts/f.woff2?v=2)} b{background:url(data:image/png;base64,AAA)} c{x:url(missing.png)}"
        let published = ["assets/img/x.png": "assets/img/x.abc.png", "assets/fonts/f.woff2": "assets/fonts/f.def.woff2"]
        let rewritten = CSSReferences.rewritingURLs(in: css, of: "assets/style.css", to: published)
        #expect(rewritten == "a{background:url('img/x.abc.png')} @font-face{src:url(fonts/f.def.woff2?v=2)} b{background:url(data:image/png;base64,AAA)} c{x:url(missing.png)}")
    }

    @Test func resolvesFromTheStylesheetsOwnFolder() {
        let rewritten = CSSReferences.rewritingURLs(in: "x{y:url(\"../img/a.svg\")} z{w:url(b.svg)}", of: "assets/css/extra.css",
                                                    to: ["assets/css/b.svg": "assets/css/b.1.svg"])
        #expect(rewritten == "x{y:url(\"../img/a.svg\")} z{w:url(b.1.svg)}")
    }
}

@Suite("SVG charts")
struct SVGChartTests {
    @Test func barsAreAccessibleEscapedAndDeterministic() {
        let bars = [SVGChart.Bar(label: "1", pass: 90, fail: 10), SVGChart.Bar(label: "<2>", pass: 0, fail: 0)]
        let chart = SVGChart.stackedBars(bars, title: "Daily <mail>", description: "day 1: 90 passed", id: "daily\"x")
        #expect(chart.html.hasPrefix("<svg class=\"chart\""))
        #expect(chart.html.contains("role=\"img\""))
        #expect(chart.html.contains("aria-labelledby=\"dailyx-title dailyx-desc\""))
        #expect(chart.html.contains("<title id=\"dailyx-title\">Daily &lt;mail&gt;</title>"))
        #expect(chart.html.contains("&lt;2&gt;"))
        #expect(!chart.html.contains("<script"))
        #expect(chart.html.contains("class=\"chart-pass\""))
        #expect(chart.html.contains("class=\"chart-fail\""))
        #expect(chart == SVGChart.stackedBars(bars, title: "Daily <mail>", description: "day 1: 90 passed", id: "daily\"x"))
    }

    @Test func linesBreakWhereThereIsNoData() {
        let points = [SVGChart.Point(label: "Jan", value: 90), SVGChart.Point(label: "Feb", value: 95), SVGChart.Point(label: "Mar", value: nil),
                      SVGChart.Point(label: "Apr", value: 99)]
        let chart = SVGChart.percentLine(points, title: "Trend", description: "d", id: "trend").html
        #expect(chart.components(separatedBy: "<polyline").count == 2, "one segment: Apr stands alone")
        #expect(chart.components(separatedBy: "<circle").count == 4)
        #expect(chart.contains(">100%</text>"))
    }
}
