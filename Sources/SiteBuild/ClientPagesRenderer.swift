import Foundation
import ReportModel
import Templating

/// Renders one client's folder: its index, and per month the overview, a page per domain,
/// `summary.json` and `records.csv`.
struct ClientPagesRenderer {
    let client: ClientConfig
    /// The client's folder inside the reseller root.
    let folder: String
    let months: [ReportMonth: OwnerMonth]
    let shell: PageShell
    let words: LocaleStrings
    let resellerID: String
    let senders: ClientSenders

    private var format: LocaleFormatter { LocaleFormatter(locale: words.locale) }
    private var theme: ResolvedTheme { shell.theme }

    /// Paths are relative to the client folder.
    func render() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let sortedMonths = months.keys.sorted()
        let home = Link(label: words.text("site.home"), href: "")

        let monthLinks = sortedMonths.reversed().map { month in
            let tally = months[month]?.total ?? MessageTally()
            return MonthLink(label: monthLabel(month), href: "\(month)/index.html",
                             messages: format.integer(tally.messages),
                             passRate: format.percent(tally.dmarcPass, of: tally.messages))
        }
        let latest = sortedMonths.last
        let latestKPIs = latest.flatMap { months[$0] }.map { kpis($0.total, reports: $0.reportCount, previous: nil) } ?? []
        files["index.html"] = try page(
            "client", path: "index.html", title: client.name,
            breadcrumbs: [Link(label: home.label, href: "../index.html")],
            ClientIndexPage(clientName: client.name, domains: client.domains, latest: monthLinks.first,
                            kpis: latestKPIs, months: monthLinks, trendChart: latest.map { trendChart(endingAt: $0, id: "chart-trend") }))

        var previousSenders: [String: [SenderSummary]]?
        for (index, month) in sortedMonths.enumerated() {
            guard let data = months[month] else { continue }
            let previousMonth = index > 0 ? sortedMonths[index - 1] : nil
            let nextMonth = index + 1 < sortedMonths.count ? sortedMonths[index + 1] : nil
            let folder = month.description
            let crumbs = [Link(label: home.label, href: "../../index.html"), Link(label: client.name, href: "../index.html")]
            let total = data.total
            // Merged across the domains on each read: read once, for the page and summary.json.
            let monthly = MonthAcrossDomains(sources: data.sources, reporters: data.reporters, reportCount: data.reportCount)
            let tls = TLSPageBuilder(client: client, data: data, words: words, format: format)
            let recordsByDomain = senders.records(in: month)
            let monthSenders = senders.senders(in: month)
            var analyses: [String: DomainAnalysis] = [:]
            for domain in client.domains {
                analyses[domain] = DomainAnalysis(
                    domain: domain, records: recordsByDomain[domain] ?? [], stats: data.domains[domain],
                    senders: monthSenders[domain] ?? [])
            }
            let findings = FindingsAnalyzer(client: client, format: format)
                .findings(current: data, previous: previousMonth.flatMap { months[$0] }, senders: monthSenders,
                          previousSenders: previousSenders)
            previousSenders = monthSenders
            let previousTotal = previousMonth.flatMap { months[$0]?.total }
            files["\(folder)/index.html"] = try page(
                "month", path: "\(folder)/index.html", title: "\(client.name) — \(monthLabel(month))", breadcrumbs: crumbs,
                MonthPage(
                    clientName: client.name, monthLabel: monthLabel(month),
                    kpis: kpis(total, reports: monthly.reportCount, previous: previousTotal),
                    dispositions: dispositions(total),
                    domains: client.domains.map { domainRow($0, data.domains[$0]) },
                    sources: sourceRows(monthly.sources, limit: 20),
                    reporters: reporterRows(monthly.reporters),
                    previous: previousMonth.map { Link(label: monthLabel($0), href: "../\($0)/index.html") },
                    next: nextMonth.map { Link(label: monthLabel($0), href: "../\($0)/index.html") },
                    summaryHref: "summary.json", recordsHref: "records.csv", tls: tls.overview,
                    trendChart: trendChart(endingAt: month, id: "chart-trend"),
                    dailyChart: dailyChart(data.daily, month: month, id: "chart-daily"),
                    findings: findings.map { $0.row(words) }))
            files["\(folder)/tls/index.html"] = try page(
                "tls", path: "\(folder)/tls/index.html", title: "\(words.text("tls.title")) — \(monthLabel(month))",
                breadcrumbs: [Link(label: home.label, href: "../../../index.html"),
                              Link(label: client.name, href: "../../index.html"),
                              Link(label: monthLabel(month), href: "../index.html")],
                tls.page(monthLabel: monthLabel(month)))
            files["\(folder)/tls.csv"] = TLSCSV.render(data.tlsRows)
            for domain in client.domains {
                let stats = data.domains[domain]
                guard let domainAnalysis = analyses[domain] else { continue }
                let analysis = DomainAnalysisPresenter(analysis: domainAnalysis, words: words, format: format)
                let domainTotal = stats?.tally ?? MessageTally()
                files["\(folder)/\(domain)/index.html"] = try page(
                    "domain", path: "\(folder)/\(domain)/index.html", title: "\(domain) — \(monthLabel(month))",
                    breadcrumbs: [Link(label: home.label, href: "../../../index.html"),
                                  Link(label: client.name, href: "../../index.html"),
                                  Link(label: monthLabel(month), href: "../index.html")],
                    DomainPage(
                        clientName: client.name, domain: domain, monthLabel: monthLabel(month), hasData: stats != nil,
                        kpis: kpis(domainTotal, reports: stats?.reports.count ?? 0, previous: previousMonth.flatMap { months[$0]?.domains[domain]?.tally }),
                        dispositions: dispositions(domainTotal),
                        policies: policyRows(stats),
                        sources: sourceRows(stats?.sources ?? [:], limit: 50),
                        reporters: reporterRows(stats?.reporters ?? [:]),
                        subdomains: subdomainRows(stats),
                        monthHref: "../index.html",
                        dailyChart: dailyChart(stats?.daily ?? [:], month: month, id: "chart-daily"),
                        senders: analysis.senders, readiness: analysis.readiness, checklist: analysis.checklist,
                        failingSources: failingSourceRows(stats?.sources ?? [:], limit: 20),
                        overrideReasons: (stats?.overrideReasons ?? [:]).sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
                            TLSCountRow(label: words.text("override.\($0.key)", [:], fallback: $0.key), sessions: format.integer($0.value))
                        }))
            }
            files["\(folder)/summary.json"] = try summary(month: month, data: data, monthly: monthly, findings: findings, analyses: analyses).encoded()
            files["\(folder)/records.csv"] = RecordsCSV.render(data.records)
        }
        return files
    }

    private func page<Page: TemplateRepresentable>(_ template: String, path: String, title: String, breadcrumbs: [Link], _ page: Page) throws -> Data {
        let chrome = shell.chrome(path: "\(folder)/\(path)", title: title, words: words, breadcrumbs: breadcrumbs, noindex: true)
        return try theme.renderData(template, PageContext(chrome: chrome, t: words.templateTree, page: page).templateValue)
    }

    private func monthLabel(_ month: ReportMonth) -> String {
        format.month(year: month.year, month: month.month)
    }

    /// DMARC pass rate over the twelve months ending at `month`.
    private func trendChart(endingAt month: ReportMonth, id: String) -> SafeHTML {
        var months = [month]
        while months.count < 12 { months.insert(months[0].previous, at: 0) }
        let points = months.map { month -> SVGChart.Point in
            let tally = self.months[month]?.total
            let value = tally.flatMap { $0.messages > 0 ? Double($0.dmarcPass) * 100 / Double($0.messages) : nil }
            return SVGChart.Point(label: format.shortMonth(month.month), value: value)
        }
        let description = zip(months, points).map { month, point in
            "\(monthLabel(month)): \(point.value.map { format.oneDecimal($0) + "%" } ?? words.text("chart.no_data"))"
        }.joined(separator: "; ")
        return SVGChart.percentLine(points, title: words.text("chart.trend_title"), description: description, id: id)
    }

    /// Messages per day, passing and failing DMARC.
    private func dailyChart(_ daily: [Int: MessageTally], month: ReportMonth, id: String) -> SafeHTML {
        let bars = (1...month.dayCount).map { day in
            SVGChart.Bar(label: "\(day)", pass: daily[day]?.dmarcPass ?? 0,
                         fail: (daily[day]?.messages ?? 0) - (daily[day]?.dmarcPass ?? 0))
        }
        let description = bars.filter { $0.pass + $0.fail > 0 }.map {
            words.text("chart.daily_entry", ["day": $0.label, "pass": format.integer($0.pass), "fail": format.integer($0.fail)])
        }.joined(separator: "; ")
        return SVGChart.stackedBars(bars, title: words.text("chart.daily_title"), description: description, id: id)
    }

    private func kpis(_ tally: MessageTally, reports: Int, previous: MessageTally?) -> [KPI] {
        func rate(_ key: String, _ part: Int, _ previousPart: Int?) -> KPI {
            var detail = words.text("kpi.of_messages", ["count": format.integer(part)])
            if let previous, let previousPart, previous.messages > 0, tally.messages > 0 {
                let delta = Double(part) * 100 / Double(tally.messages) - Double(previousPart) * 100 / Double(previous.messages)
                detail += " · " + words.text("kpi.change", ["change": format.pointChange(delta)])
            }
            return KPI(label: words.text("kpi.\(key)"), value: format.percent(part, of: tally.messages), detail: detail,
                       tone: tone(part, of: tally.messages))
        }
        return [
            KPI(label: words.text("kpi.messages"), value: format.integer(tally.messages),
                detail: words.text("kpi.reports", ["count": format.integer(reports)]), tone: "neutral"),
            rate("dmarc_pass", tally.dmarcPass, previous?.dmarcPass),
            rate("spf_aligned", tally.spfAligned, previous?.spfAligned),
            rate("dkim_aligned", tally.dkimAligned, previous?.dkimAligned),
        ]
    }

    private func tone(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "neutral" }
        let share = Double(part) / Double(whole)
        return share >= 0.95 ? "good" : (share >= 0.8 ? "warn" : "bad")
    }

    private func dispositions(_ tally: MessageTally) -> [KPI] {
        let d = tally.disposition
        var items = [("none", d.none), ("quarantine", d.quarantine), ("reject", d.reject)]
        if d.pass > 0 { items.append(("pass", d.pass)) }
        if d.other > 0 { items.append(("other", d.other)) }
        return items.map { key, count in
            KPI(label: words.text("disposition.\(key)"), value: format.integer(count),
                detail: format.percent(count, of: tally.messages), tone: key == "reject" || key == "quarantine" ? "warn" : "neutral")
        }
    }

    private func domainRow(_ domain: String, _ stats: DomainMonth?) -> DomainRow {
        let t = stats?.tally ?? MessageTally()
        return DomainRow(
            domain: domain, href: "\(domain)/index.html", hasData: stats != nil,
            messages: format.integer(t.messages), passRate: format.percent(t.dmarcPass, of: t.messages),
            spfRate: format.percent(t.spfAligned, of: t.messages), dkimRate: format.percent(t.dkimAligned, of: t.messages),
            quarantine: format.integer(t.disposition.quarantine), reject: format.integer(t.disposition.reject),
            reports: format.integer(stats?.reports.count ?? 0))
    }

    private func sourceRows(_ sources: [String: MessageTally], limit: Int) -> [SourceRow] {
        sources.first(limit) { ($1.value.messages, $0.key) < ($0.value.messages, $1.key) }.map(sourceRow)
    }

    /// Sources with the most messages failing DMARC.
    private func failingSourceRows(_ sources: [String: MessageTally], limit: Int) -> [SourceRow] {
        func failed(_ tally: MessageTally) -> Int { tally.messages - tally.dmarcPass }
        return sources.lazy.filter { failed($0.value) > 0 }
            .first(limit) { (failed($1.value), $0.key) < (failed($0.value), $1.key) }.map(sourceRow)
    }

    private func sourceRow(ip: String, _ t: MessageTally) -> SourceRow {
        SourceRow(ip: ip, messages: format.integer(t.messages), passRate: format.percent(t.dmarcPass, of: t.messages),
                  spfRate: format.percent(t.spfAligned, of: t.messages), dkimRate: format.percent(t.dkimAligned, of: t.messages),
                  tone: tone(t.dmarcPass, of: t.messages))
    }

    private func reporterRows(_ reporters: [String: ReporterTally]) -> [ReporterRow] {
        reporters.sorted { ($1.value.tally.messages, $0.key) < ($0.value.tally.messages, $1.key) }.map { name, r in
            ReporterRow(name: name.isEmpty ? words.text("table.unnamed_reporter") : name,
                        reports: format.integer(r.reports.count), messages: format.integer(r.tally.messages),
                        passRate: format.percent(r.tally.dmarcPass, of: r.tally.messages))
        }
    }

    private func subdomainRows(_ stats: DomainMonth?) -> [SubdomainRow] {
        (stats?.headerFromDomains ?? [:]).sorted { ($1.value.messages, $0.key) < ($0.value.messages, $1.key) }.map { name, t in
            SubdomainRow(name: name, messages: format.integer(t.messages), passRate: format.percent(t.dmarcPass, of: t.messages))
        }
    }

    private func policyRows(_ stats: DomainMonth?) -> [PolicyRow] {
        let dash = "–"
        return FindingsAnalyzer.ranked(stats?.publishedPolicies ?? [:]).map { policy, count in
            PolicyRow(
                p: policy.p?.description ?? dash, sp: policy.sp?.description ?? dash, np: policy.np?.description ?? dash,
                adkim: policy.adkim?.description ?? dash, aspf: policy.aspf?.description ?? dash,
                pct: policy.pct.map { "\($0)%" } ?? dash, testing: policy.testing ?? dash, reports: format.integer(count))
        }
    }

    /// `OwnerMonth`'s totals across its domains.
    private struct MonthAcrossDomains {
        var sources: [String: MessageTally]
        var reporters: [String: ReporterTally]
        var reportCount: Int
    }

    private func summary(
        month: ReportMonth, data: OwnerMonth, monthly: MonthAcrossDomains, findings: [Finding], analyses: [String: DomainAnalysis]
    ) -> MonthSummaryDocument {
        let total = data.total
        return MonthSummaryDocument(
            reseller: resellerID, client: client.id, clientName: client.name, month: month.description,
            totals: .init(messages: total.messages, dmarcPass: total.dmarcPass, spfAligned: total.spfAligned,
                          dkimAligned: total.dkimAligned, disposition: .init(total.disposition), reports: monthly.reportCount),
            domains: client.domains.map { domain in
                let stats = data.domains[domain]
                let t = stats?.tally ?? MessageTally()
                return .init(domain: domain, messages: t.messages, dmarcPass: t.dmarcPass, spfAligned: t.spfAligned,
                             dkimAligned: t.dkimAligned, disposition: .init(t.disposition), reports: stats?.reports.count ?? 0,
                             sources: stats?.sources.count ?? 0, senders: analyses[domain]?.summarySenders ?? [],
                             readiness: analyses[domain]?.summaryReadiness ?? .init(level: "no_data"))
            },
            reporters: monthly.reporters.sorted { $0.key < $1.key }.map {
                .init(orgName: $0.key, reports: $0.value.reports.count, messages: $0.value.tally.messages, dmarcPass: $0.value.tally.dmarcPass)
            },
            sources: monthly.sources.sorted { $0.key < $1.key }.map {
                .init(sourceIp: $0.key, messages: $0.value.messages, dmarcPass: $0.value.dmarcPass,
                      spfAligned: $0.value.spfAligned, dkimAligned: $0.value.dkimAligned)
            },
            tls: .init(data),
            findings: findings.map {
                .init(severity: $0.severity.name, kind: $0.kind.rawValue, domain: $0.domain, values: $0.data,
                      message: "\($0.domain): \($0.row(words).text)")
            })
    }
}

extension Sequence {
    /// `sorted(by:).prefix(count)`, without sorting what is left out: a month's hundreds of
    /// sources are each compared with the last kept, and only those that come before it are
    /// put in place. Ties keep the sequence's order, as the stable sort keeps it.
    func first(_ count: Int, by areInIncreasingOrder: (Element, Element) -> Bool) -> [Element] {
        guard count > 0 else { return [] }
        var kept: [Element] = []
        for element in self {
            if kept.count == count, let last = kept.last, !areInIncreasingOrder(element, last) { continue }
            // After every kept element it does not come before.
            var low = 0
            var high = kept.count
            while low < high {
                let middle = (low + high) / 2
                if areInIncreasingOrder(element, kept[middle]) { high = middle } else { low = middle + 1 }
            }
            kept.insert(element, at: low)
            if kept.count > count { kept.removeLast() }
        }
        return kept
    }
}
