import Foundation
import ReportModel
import Templating

/// What rendering one reseller's site produced.
struct RenderedSite {
    /// Path relative to the reseller root → bytes.
    var files: [String: Data] = [:]
    var pages = 0
    var failures: [BuildFailure] = []
}

/// Renders one reseller's deploy root: landing page, learn page, assets and host files
/// (`rootFiles`), and each client's pages and downloads (`renderClient`). Reads only; every
/// client is rendered on its own so one failing client does not stop the others, and so a
/// build can render only the clients whose data changed.
struct ResellerSiteRenderer: Sendable {
    let reseller: ResellerConfig
    let theme: ResolvedTheme
    let folders: ClientFolders
    private let assets: ThemeAssets
    private let words: LocaleStrings
    private let shell: PageShell

    private let markdown = MarkdownRenderer()

    init(reseller: ResellerConfig, theme: ResolvedTheme, folders: ClientFolders) throws(ThemeError) {
        self.reseller = reseller
        self.theme = theme
        self.folders = folders
        assets = try ThemeAssets(theme: theme)
        words = try theme.strings(for: reseller.locale)
        shell = PageShell(reseller: reseller, theme: theme, assets: assets, markdown: markdown)
    }

    /// Everything of the deploy root that is not a client's: paths relative to the root.
    func rootFiles() throws(ThemeError) -> RenderedSite {
        var site = RenderedSite()
        site.files.merge(assets.files) { _, new in new }
        try addPage(&site, path: "index.html", template: "landing", shell: shell, words: words,
                    title: words.text("landing.title"), breadcrumbs: [], noindex: false,
                    page: LandingPage(intro: markdown.render(content("intro", words)), learnHref: "learn/dmarc.html"))
        try addPage(&site, path: "learn/dmarc.html", template: "content", shell: shell, words: words,
                    title: words.text("learn.title"), breadcrumbs: [Link(label: words.text("site.home"), href: "../index.html")],
                    noindex: false, page: ContentPage(body: markdown.render(content("what-is-dmarc", words))))
        try addPage(&site, path: "404.html", template: "404", shell: shell.forErrorPage(), words: words,
                    title: words.text("notfound.title"), breadcrumbs: [], noindex: true,
                    page: NotFoundPage(homeHref: shell.absoluteRoot))
        site.files.merge(HostFiles(baseURL: shell.baseURL, publicPages: ["", "learn/dmarc.html"]).files) { _, new in new }
        return site
    }

    /// One client's folder: paths relative to the deploy root.
    func renderClient(_ client: ClientConfig, months: [ReportMonth: OwnerMonth], senders: ClientSenders) throws -> RenderedSite {
        var site = RenderedSite()
        let clientWords = client.locale == reseller.locale ? words : try theme.strings(for: client.locale)
        let folder = folders.folder(ClientKey(reseller: reseller.id, client: client.id))
        let clientPages = ClientPagesRenderer(
            client: client, folder: folder, months: months, shell: shell, words: clientWords,
            resellerID: reseller.id, senders: senders)
        for (path, bytes) in try clientPages.render() {
            site.files["\(folder)/\(path)"] = bytes
            if path.hasSuffix(".html") { site.pages += 1 }
        }
        return site
    }

    private func content(_ name: String, _ words: LocaleStrings) -> String {
        theme.content(named: name, locale: words.locale) ?? ""
    }

    private func addPage<Page: TemplateRepresentable>(
        _ site: inout RenderedSite, path: String, template: String, shell: PageShell, words: LocaleStrings,
        title: String, breadcrumbs: [Link], noindex: Bool, page: Page
    ) throws(ThemeError) {
        let chrome = shell.chrome(path: path, title: title, words: words, breadcrumbs: breadcrumbs, noindex: noindex)
        site.files[path] = try theme.renderData(template, PageContext(chrome: chrome, t: words.templateTree, page: page).templateValue)
        site.pages += 1
    }
}

/// Builds the shared chrome of every page of one reseller.
struct PageShell {
    let reseller: ResellerConfig
    let theme: ResolvedTheme
    let assets: ThemeAssets
    let markdown: MarkdownRenderer
    /// Set for the 404 page, which is served at any depth and so links from the site root.
    var rootOverride: String?
    /// The brand's footer and legal text, rendered once for every page.
    private let footer: SafeHTML?
    private let legal: SafeHTML?

    init(reseller: ResellerConfig, theme: ResolvedTheme, assets: ThemeAssets, markdown: MarkdownRenderer) {
        self.reseller = reseller
        self.theme = theme
        self.assets = assets
        self.markdown = markdown
        footer = theme.brand.footer.map(markdown.render)
        legal = theme.brand.legal.map(markdown.render)
    }

    /// The config's base_url, else the theme's.
    var baseURL: String? {
        guard let url = reseller.baseURL ?? theme.brand.baseURL else { return nil }
        return url.hasSuffix("/") ? url : url + "/"
    }

    /// Where the site root is for a page that cannot use relative links.
    var absoluteRoot: String {
        guard let baseURL, let path = URL(string: baseURL)?.path, !path.isEmpty else { return "/" }
        return path.hasSuffix("/") ? path : path + "/"
    }

    func forErrorPage() -> PageShell {
        var shell = self
        shell.rootOverride = absoluteRoot
        return shell
    }

    func chrome(path: String, title: String, words: LocaleStrings, breadcrumbs: [Link], noindex: Bool) -> PageChrome {
        let root = rootOverride ?? String(repeating: "../", count: path.split(separator: "/").count - 1)
        let brand = theme.brand
        let canonicalPath = path.hasSuffix("index.html") ? String(path.dropLast("index.html".count)) : path
        return PageChrome(
            lang: words.locale,
            title: title,
            brandName: brand.displayName,
            root: root,
            stylesheet: root + assets.stylesheet,
            logo: brand.logo.flatMap { assets.published[$0] }.map { root + $0 },
            logoDark: brand.logoDark.flatMap { assets.published[$0] }.map { root + $0 },
            favicon: brand.favicon.flatMap { assets.published[$0] }.map { root + $0 },
            canonical: noindex ? nil : baseURL.map { $0 + canonicalPath },
            noindex: noindex,
            footer: footer,
            legal: legal,
            contactEmail: brand.contactEmail,
            contactURL: brand.contactURL,
            breadcrumbs: breadcrumbs)
    }
}

/// `robots.txt`, `sitemap.xml` and `CNAME` for the reseller root.
struct HostFiles {
    let baseURL: String?
    /// Pages that may be indexed; client reports never are.
    let publicPages: [String]

    var files: [String: Data] {
        var robots = "User-agent: *\n"
        for page in publicPages { robots += "Allow: /\(page)\(page.isEmpty ? "$" : "")\n" }
        robots += "Disallow: /\n"
        guard let baseURL, let host = URL(string: baseURL)?.host else {
            return ["robots.txt": Data(robots.utf8)]
        }
        robots += "Sitemap: \(baseURL)sitemap.xml\n"
        var sitemap = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for page in publicPages {
            sitemap += "  <url><loc>\((baseURL + page).htmlEscaped)</loc></url>\n"
        }
        sitemap += "</urlset>\n"
        return [
            "robots.txt": Data(robots.utf8),
            "sitemap.xml": Data(sitemap.utf8),
            "CNAME": Data((host + "\n").utf8),
        ]
    }
}
