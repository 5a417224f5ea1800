import Foundation
import Mustache
@testable import SiteBuild
@testable import Templating
import Testing

extension SafeHTML: MustacheCustomRenderable {
    public var renderText: String { html }
    public var isNull: Bool { html.isEmpty }
}

/// Every template and partial of every bundled theme, of the example workspace's themes and of
/// reseller-style fixture themes, rendered with page models by sitegen's engine and by
/// swift-mustache (the engine sitegen used before), which is given the models as it was: by
/// reflection of the model structs. Both must give the same bytes.
@Suite("Templates render as swift-mustache rendered them")
struct TemplateDifferentialTests {
    static let builtin = FixtureWorkspace.builtinThemes
    static let examples = builtin.appendingPathComponent("../Examples/demo/themes").standardizedFileURL

    /// Reseller themes as resellers write them: a page that overrides one block of the base
    /// page, partials replaced, indented partials and blocks, words of their own.
    static let fixtureThemes: [String: [String: String]] = [
        "blocks": [
            "theme.yml": "extends: default\n",
            "templates/month.mustache": """
                {{<base-month}}
                {{$content}}
                  <h1>{{page.clientName}}</h1>
                  {{#page}}
                    {{> kpis}}
                  {{/page}}
                  {{^page.sources}}<p>{{t.section.no_sources}}</p>{{/page.sources}}
                {{/content}}
                {{/base-month}}

                """,
            "partials/footer.mustache": "<footer>reseller footer {{t.site.home}}\n  {{#chrome.footer}}<div>{{{.}}}</div>{{/chrome.footer}}\n</footer>\n",
            "partials/kpis.mustache": "<ul>\n{{#kpis}}\n  <li class=\"tone-{{tone}}\">{{label}}: {{value}}{{#first()}} (first){{/first()}}</li>\n{{/kpis}}\n</ul>\n  {{> base-kpis}}\n",
        ],
        "layered": [
            "theme.yml": "extends: harbor\n",
            "templates/layout.mustache": "{{<base-layout}}\n  {{$sidebar}}\n    <nav>\n      {{> month-nav}}\n    </nav>\n  {{/sidebar}}\n{{/base-layout}}\n",
            "partials/header.mustache": "<header>{{chrome.brandName}}{{#chrome.logo}} <img src=\"{{chrome.root}}{{.}}\" alt=\"\">{{/chrome.logo}}</header>\n",
        ],
    ]

    static func themes() throws -> [(String, ResolvedTheme, [String: String])] {
        let locator = ThemeLocator(builtinRoot: builtin)
        var themes: [(String, ResolvedTheme, [String: String])] = []
        for name in locator.builtinNames.sorted() {
            themes.append((name, try locator.resolve(name, relativeTo: builtin), [:]))
        }
        for name in ["acme-it", "sakura-net"] {
            let folder = examples.appendingPathComponent(name)
            themes.append((name, try locator.resolve(folder.path, relativeTo: folder), [:]))
        }
        let starter = FileManager.default.temporaryDirectory.appendingPathComponent("starter-\(UUID().uuidString)")
        try ThemeStarter.write(name: "starter", to: starter)
        themes.append(("starter", try locator.resolve(starter.path, relativeTo: starter), [:]))
        for (name, files) in fixtureThemes.sorted(by: { $0.key < $1.key }) {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("theme-\(name)-\(UUID().uuidString)")
            for (path, text) in files {
                let url = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
            themes.append((name, try locator.resolve(root.path, relativeTo: root), [:]))
        }
        return themes.map { name, theme, _ in (name, theme, templateTexts(theme)) }
    }

    /// The theme's templates registered as `ResolvedTheme` registers them: each name with the
    /// top layer's file, and `base-<name>` with the file one layer below.
    static func templateTexts(_ theme: ResolvedTheme) -> [String: String] {
        var versions: [String: [URL]] = [:]
        for layer in theme.layers {
            for (path, url) in layer.files.sorted(by: { $0.key < $1.key }) {
                guard let name = ResolvedTheme.templateName(path) else { continue }
                versions[name, default: []].append(url)
            }
        }
        var texts: [String: String] = [:]
        for (name, urls) in versions {
            texts[name] = try? String(contentsOf: urls[0], encoding: .utf8)
            texts["base-" + name] = try? String(contentsOf: urls.count > 1 ? urls[1] : urls[0], encoding: .utf8)
        }
        return texts
    }

    @Test func everyTemplateOfEveryThemeRendersTheSameBytes() throws {
        var compared = 0
        var unordered = 0
        for (themeName, theme, texts) in try Self.themes() {
            var library = MustacheLibrary()
            for (name, text) in texts {
                library.register(try MustacheTemplate(string: text), named: name)
            }
            #expect(Set(texts.keys) == theme.templateNames, "\(themeName)")
            for locale in ["en", "ja"] {
                let words = try theme.strings(for: locale)
                for (pageName, context) in PageSamples.contexts(words: words) {
                    let reference = ModelReflection.reflect(context)
                    let engineContext = context.templateValue
                    for name in texts.keys.sorted() {
                        // A page template renders its own kind of page; layouts and partials
                        // render with every kind.
                        let page = name.hasPrefix("base-") ? String(name.dropFirst(5)) : name
                        if PageSamples.pageTemplates.contains(page), !pageName.hasPrefix(page + "-") { continue }
                        let engine = try theme.render(name, engineContext)
                        let expected = library.render(reference, withTemplate: name)?.bidiControlsMadeVisible
                        if let expected, engine != expected, Self.differInFieldOrderOnly(engine, expected) {
                            // A partial printed a whole model, whose fields swift-mustache listed
                            // in hash order; no page does that.
                            unordered += 1
                            continue
                        }
                        #expect(engine == expected, "\(themeName) \(locale) \(name) with \(pageName): \(Self.difference(engine, expected))")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared > 1000)
        #expect(unordered < compared / 10, "\(unordered) of \(compared) renderings printed whole models")
    }

    /// The same bytes in another order, around a printed dictionary (`[&quot;name&quot;: …]`).
    static func differInFieldOrderOnly(_ engine: String, _ reference: String) -> Bool {
        engine.utf8.count == reference.utf8.count && engine.contains("&quot;: ") && engine.utf8.sorted() == reference.utf8.sorted()
    }

    /// Where two pages part, with a little of each around it.
    static func difference(_ engine: String, _ reference: String?) -> String {
        guard let reference else { return "no reference page" }
        let left = Array(engine.utf8), right = Array(reference.utf8)
        let common = zip(left, right).prefix { $0 == $1 }.count
        func excerpt(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, common - 60)..<min(bytes.count, common + 60)], as: UTF8.self).debugDescription
        }
        return "at byte \(common): engine \(excerpt(left)) reference \(excerpt(right))"
    }

    /// Each model's template fields are exactly its stored properties, nil ones left out.
    @Test func pageModelsListEveryField() throws {
        let words = try ThemeLocator(builtinRoot: Self.builtin).resolve("default", relativeTo: Self.builtin).strings(for: "en")
        for (pageName, context) in PageSamples.contexts(words: words) {
            let reflected = ModelReflection.canonical(ModelReflection.reflect(context))
            let listed = ModelReflection.canonical(ModelReflection.reference(context.templateValue))
            #expect(reflected == listed, "\(pageName)")
        }
    }
}

/// The models as swift-mustache saw them without help: structs by reflection, nil fields
/// left out, lists as lists.
enum ModelReflection {
    static func reflect(_ value: Any) -> Any {
        switch value {
        case let tree as TemplateValue: return reference(tree)
        case is String, is Int, is Bool, is SafeHTML: return value
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct:
            var fields: [String: Any] = [:]
            for child in mirror.children {
                guard let label = child.label else { continue }
                let field = Mirror(reflecting: child.value)
                if field.displayStyle == .optional {
                    guard let wrapped = field.children.first?.value else { continue }
                    fields[label] = reflect(wrapped)
                } else {
                    fields[label] = reflect(child.value)
                }
            }
            return fields
        case .collection:
            if let texts = value as? [String] { return texts }
            return mirror.children.map { reflect($0.value) }
        default:
            return value
        }
    }

    static func reference(_ value: TemplateValue) -> Any {
        switch value {
        case .string(let text): return text
        case .int(let number): return number
        case .bool(let flag): return flag
        case .html(let html): return html
        case .list(let elements):
            let texts = elements.compactMap { element -> String? in
                if case .string(let text) = element { return text }
                return nil
            }
            if !elements.isEmpty, texts.count == elements.count { return texts }
            return elements.map(reference)
        case .object(let fields): return fields.mapValues(reference)
        }
    }

    /// A tree written out with sorted keys and types, to compare two trees.
    static func canonical(_ value: Any) -> String {
        switch value {
        case let fields as [String: Any]:
            "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription):\(canonical($0.value))" }.joined(separator: ",") + "}"
        case let texts as [String]: "[" + texts.map(\.debugDescription).joined(separator: ",") + "]"
        case let elements as [Any]: "[" + elements.map(canonical).joined(separator: ",") + "]"
        case let text as String: "s" + text.debugDescription
        case let number as Int: "i\(number)"
        case let flag as Bool: "b\(flag)"
        case let html as SafeHTML: "h" + html.html.debugDescription
        default: "?\(value)"
        }
    }
}

/// Page models of every kind, with lists empty and full, optional fields set and not, and
/// text that needs escaping.
enum PageSamples {
    /// The templates that render one kind of page, named as the sample contexts are.
    static let pageTemplates: Set<String> = ["month", "domain", "client", "tls", "landing", "content", "404", "portfolio"]

    static let hostile = "<script>alert('x')</script> & \"quotes\""

    static func chrome(_ words: LocaleStrings, full: Bool) -> PageChrome {
        PageChrome(
            lang: words.locale, title: "Contoso — \(hostile)", brandName: "ACME IT & Co", root: "../../",
            stylesheet: "../../assets/style.abc123.css", logo: full ? "assets/logo.svg" : nil,
            logoDark: full ? "assets/logo-dark.svg" : nil, favicon: full ? "assets/favicon.svg" : nil,
            canonical: full ? "https://reports.example.com/contoso/" : nil, noindex: full,
            footer: full ? SafeHTML(producedBySitegen: "<p>Footer <a href=\"https://acme.example/\">ACME</a></p>") : nil,
            legal: full ? SafeHTML(producedBySitegen: "<p>Legal</p>") : nil,
            contactEmail: full ? "help@acme.example" : nil, contactURL: full ? "https://acme.example/help" : nil,
            breadcrumbs: full ? [Link(label: "Home", href: "../../index.html"), Link(label: "Contoso <Ltd>", href: "../index.html")] : [])
    }

    static let kpis = [
        KPI(label: "Messages", value: "12,345", detail: "+3% vs last month", tone: "good"),
        KPI(label: "DMARC pass", value: "97.1%", detail: "", tone: "warn"),
        KPI(label: "Reports", value: "42", detail: "from 5 reporters", tone: "neutral"),
    ]
    static let sources = [
        SourceRow(ip: "192.0.2.1", messages: "1,000", passRate: "99.0%", spfRate: "98.0%", dkimRate: "100%", tone: "good"),
        SourceRow(ip: "2001:db8::1", messages: "12", passRate: "0.0%", spfRate: "0.0%", dkimRate: "0.0%", tone: "bad"),
    ]
    static let reporters = [ReporterRow(name: "google.com", reports: "30", messages: "10,000", passRate: "98%"),
                            ReporterRow(name: hostile, reports: "1", messages: "5", passRate: "20%")]
    static let domains = [
        DomainRow(domain: "contoso.example", href: "contoso.example/index.html", hasData: true, messages: "10,000", passRate: "98%",
                  spfRate: "97%", dkimRate: "99%", quarantine: "3", reject: "1", reports: "30"),
        DomainRow(domain: "contoso.co.jp", href: "contoso.co.jp/index.html", hasData: false, messages: "0", passRate: "–",
                  spfRate: "–", dkimRate: "–", quarantine: "0", reject: "0", reports: "0"),
    ]
    static let tlsRows = [TLSRowModel(label: "contoso.example", successful: "900", failed: "12", successRate: "98.7%", tone: "good")]
    static let tlsCounts = [TLSCountRow(label: "starttls-not-supported", sessions: "12"), TLSCountRow(label: "mx.contoso.example", sessions: "900")]
    static let findings = [FindingRow(severity: "critical", severityLabel: "Critical", domain: "contoso.example", text: "Spoofing from \(hostile)"),
                           FindingRow(severity: "warning", severityLabel: "Warning", domain: "contoso.co.jp", text: "No reports")]

    static func domainPage(full: Bool) -> DomainPage {
        DomainPage(
            clientName: "Contoso", domain: "contoso.example", monthLabel: "October 2026", hasData: full, kpis: full ? kpis : [],
            dispositions: full ? kpis : [],
            policies: full ? [PolicyRow(p: "reject", sp: "quarantine", np: "none", adkim: "r", aspf: "s", pct: "100", testing: "n", reports: "30")] : [],
            sources: full ? sources : [], reporters: full ? reporters : [],
            subdomains: full ? [SubdomainRow(name: "news.contoso.example", messages: "12", passRate: "50%")] : [],
            monthHref: "../index.html", dailyChart: SafeHTML(producedBySitegen: full ? "<svg class=\"chart\"></svg>" : ""),
            senders: full ? [SenderRow(name: "Google Workspace", category: "Mailbox", verdict: "Authorised", tone: "good", messages: "9,000",
                                       passRate: "99%", dkimRate: "99%", spfRate: "98%", sources: "12", recognisedBy: "DKIM d=google.com",
                                       fixes: ["Add include:_spf.google.com", hostile])] : [],
            readiness: ReadinessModel(level: "ready", title: "Ready for p=reject", tone: "good", explanation: "All sources pass \(hostile)",
                                      record: full ? "v=DMARC1; p=reject" : nil, blockersHeading: "Blockers", blockers: full ? ["one", "two"] : []),
            checklist: full ? [CheckRow(label: "SPF", status: "pass", statusLabel: "OK", detail: "aligned")] : [],
            failingSources: full ? sources : [], overrideReasons: full ? tlsCounts : [])
    }

    static func monthPage(full: Bool) -> MonthPage {
        MonthPage(
            clientName: "Contoso \(hostile)", monthLabel: "October 2026", kpis: kpis, dispositions: full ? kpis : [],
            domains: domains, sources: full ? sources : [], reporters: full ? reporters : [],
            previous: full ? Link(label: "September 2026", href: "../2026-09/index.html") : nil,
            next: full ? Link(label: "November 2026", href: "../2026-11/index.html") : nil,
            summaryHref: "summary.json", recordsHref: "records.csv",
            tls: full ? TLSOverview(href: "tls/index.html", sessions: "912", successRate: "98.7%", failed: "12", tone: "good") : nil,
            trendChart: SafeHTML(producedBySitegen: "<svg class=\"chart\"><title>Trend</title></svg>"),
            dailyChart: SafeHTML(producedBySitegen: full ? "<svg class=\"chart\"><title>Daily</title></svg>" : ""),
            findings: full ? findings : [])
    }

    static func contexts(words: LocaleStrings) -> [(String, any TemplateRepresentable)] {
        var contexts: [(String, any TemplateRepresentable)] = []
        for full in [true, false] {
            let chrome = chrome(words, full: full)
            let t = words.templateTree
            let suffix = full ? "full" : "empty"
            contexts.append(("month-\(suffix)", PageContext(chrome: chrome, t: t, page: monthPage(full: full))))
            contexts.append(("domain-\(suffix)", PageContext(chrome: chrome, t: t, page: domainPage(full: full))))
            contexts.append(("client-\(suffix)", PageContext(chrome: chrome, t: t, page: ClientIndexPage(
                clientName: "Contoso", domains: full ? ["contoso.example", "contoso.co.jp"] : [],
                latest: full ? MonthLink(label: "October 2026", href: "2026-10/index.html", messages: "10,000", passRate: "98%") : nil,
                kpis: full ? kpis : [], months: full ? [MonthLink(label: "October 2026", href: "2026-10/index.html", messages: "10,000", passRate: "98%")] : [],
                trendChart: full ? SafeHTML(producedBySitegen: "<svg></svg>") : nil))))
            contexts.append(("tls-\(suffix)", PageContext(chrome: chrome, t: t, page: TLSPage(
                clientName: "Contoso", monthLabel: "October 2026", hasData: full, kpis: full ? kpis : [], domains: full ? tlsRows : [],
                policyTypes: full ? tlsRows : [], failureTypes: full ? tlsCounts : [], receivingHosts: full ? tlsCounts : [],
                reporters: full ? tlsRows : [], monthHref: "../index.html", csvHref: "../tls.csv"))))
            contexts.append(("landing-\(suffix)", PageContext(chrome: chrome, t: t, page: LandingPage(
                intro: SafeHTML(producedBySitegen: full ? "<p>Intro <em>text</em></p>" : ""), learnHref: "learn/dmarc.html"))))
            contexts.append(("content-\(suffix)", PageContext(chrome: chrome, t: t, page: ContentPage(
                body: SafeHTML(producedBySitegen: full ? "<h2>What is DMARC?</h2>\n<p>Text</p>\n" : "")))))
            contexts.append(("404-\(suffix)", PageContext(chrome: chrome, t: t, page: NotFoundPage(homeHref: "https://reports.example.com/"))))
            contexts.append(("portfolio-\(suffix)", PageContext(chrome: chrome, t: t, page: PortfolioPage(
                rows: full ? [PortfolioRow(reseller: "acme-it", client: "Contoso \(hostile)", href: "../acme-it/contoso/index.html",
                                           month: "October 2026", messages: "10,000", passRate: "98%", passTone: "good",
                                           policies: "reject", tls: "98.7%", critical: 2, warnings: 0, topFinding: hostile)] : [],
                clientCount: full ? "1" : "0"))))
        }
        return contexts
    }
}
