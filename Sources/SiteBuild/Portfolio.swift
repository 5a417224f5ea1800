import Foundation
import ReportModel
import Templating

struct PortfolioRow: Codable, Hashable {
    var reseller: String
    var client: String
    var href: String
    var month: String
    var messages: String
    var passRate: String
    var passTone: String
    var policies: String
    var tls: String
    var critical: Int
    var warnings: Int
    var topFinding: String
}

struct PortfolioPage {
    var rows: [PortfolioRow]
    var clientCount: String
}

/// One client's line of the portfolio, with the pass rate it is sorted by. Kept in the
/// archive's render state, so a build that reuses a client's pages needs not its data.
struct PortfolioEntry: Codable, Hashable {
    var row: PortfolioRow
    var rate: Double

    func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array((try? encoder.encode(self)) ?? Data())
    }

    static func decoded(_ bytes: [UInt8]) -> PortfolioEntry? {
        try? JSONDecoder().decode(PortfolioEntry.self, from: Data(bytes))
    }
}

/// The MSP's roll-up at `public/_portfolio/`: every client of every reseller on one page,
/// most urgent first. It lives outside every reseller root, so no reseller publishes it.
struct PortfolioRenderer {
    static let folder = "_portfolio"

    let entries: [PortfolioEntry]
    let theme: ResolvedTheme

    func render() throws(ThemeError) -> [String: Data] {
        let words = try theme.strings(for: PortfolioRowBuilder.locale)
        let format = LocaleFormatter(locale: PortfolioRowBuilder.locale)
        let portal = ResellerConfig(id: Self.folder, name: words.text("portfolio.title"), theme: "default", baseURL: nil,
                                    locale: PortfolioRowBuilder.locale, privateClientFolders: false, clients: [])
        let assets = try ThemeAssets(theme: theme)
        let shell = PageShell(reseller: portal, theme: theme, assets: assets, markdown: MarkdownRenderer())
        var files: [String: Data] = [:]
        for (path, data) in assets.files { files["\(Self.folder)/\(path)"] = data }

        let rows = entries.sorted { a, b in
            (-a.row.critical, -a.row.warnings, a.rate, a.row.reseller, a.row.client)
                < (-b.row.critical, -b.row.warnings, b.rate, b.row.reseller, b.row.client)
        }
        let page = PortfolioPage(rows: rows.map(\.row), clientCount: format.integer(rows.count))
        let chrome = shell.chrome(path: "index.html", title: words.text("portfolio.title"), words: words, breadcrumbs: [], noindex: true)
        files["\(Self.folder)/index.html"] = try theme.renderData("portfolio", PageContext(chrome: chrome, t: words.templateTree, page: page).templateValue)
        let learnChrome = shell.chrome(path: "learn/dmarc.html", title: words.text("learn.title"), words: words,
                                       breadcrumbs: [Link(label: words.text("portfolio.title"), href: "../index.html")], noindex: true)
        let learn = ContentPage(body: MarkdownRenderer().render(theme.content(named: "what-is-dmarc", locale: PortfolioRowBuilder.locale) ?? ""))
        files["\(Self.folder)/learn/dmarc.html"] = try theme.renderData("content", PageContext(chrome: learnChrome, t: words.templateTree, page: learn).templateValue)
        return files
    }
}

/// Works out one client's portfolio line from its months, in the portfolio's language.
struct PortfolioRowBuilder: Sendable {
    static let locale = "en"

    let words: LocaleStrings
    private var format: LocaleFormatter { LocaleFormatter(locale: Self.locale) }

    init(theme: ResolvedTheme) throws(ThemeError) {
        words = try theme.strings(for: Self.locale)
    }

    func entry(
        reseller: ResellerConfig, client: ClientConfig, months: [ReportMonth: OwnerMonth], senders: ClientSenders, folder: String
    ) -> PortfolioEntry {
        let href = "../\(reseller.id)/\(folder)/index.html"
        guard let latest = months.keys.max(), let data = months[latest] else {
            return PortfolioEntry(row: PortfolioRow(reseller: reseller.name, client: client.name, href: href, month: "–", messages: "0", passRate: "–",
                                 passTone: "neutral", policies: "–", tls: "–", critical: 0, warnings: 0,
                                 topFinding: words.text("portfolio.no_reports")), rate: 101)
        }
        let total = data.total
        // The month page compares with the previous month that has data; so does the portfolio.
        let previousMonth = months.keys.filter { $0 < latest }.max()
        let previous = previousMonth.flatMap { months[$0] }
        let findings = FindingsAnalyzer(client: client, format: format).findings(
            current: data, previous: previous, senders: senders.senders(in: latest),
            previousSenders: previousMonth.map(senders.senders(in:)))
        let policies = client.domains.compactMap { domain in
            FindingsAnalyzer.dominantPolicy(data.domains[domain]).map { "\(domain): \(FindingsAnalyzer.policyLabel($0))" }
        }
        let tls = data.tlsTotal
        let rate = total.messages > 0 ? Double(total.dmarcPass) * 100 / Double(total.messages) : 100
        return PortfolioEntry(row: PortfolioRow(
            reseller: reseller.name, client: client.name, href: href,
            month: format.month(year: latest.year, month: latest.month),
            messages: format.integer(total.messages), passRate: format.percent(total.dmarcPass, of: total.messages),
            passTone: rate >= 95 ? "good" : (rate >= 80 ? "warn" : "bad"),
            policies: policies.isEmpty ? "–" : policies.joined(separator: "; "),
            tls: tls.total > 0 ? format.percent(tls.successful, of: tls.total) : "–",
            critical: findings.filter { $0.severity == .critical }.count,
            warnings: findings.filter { $0.severity == .warning }.count,
            topFinding: findings.first.map { "\($0.domain): \($0.row(words).text)" } ?? ""), rate: rate)
    }
}
