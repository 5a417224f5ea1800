import Templating

// View models handed to the templates. They hold display-ready strings only, and list the
// fields templates see in PageModelFields.swift.

/// What every page shares: language, brand, paths and the locale's words.
struct PageChrome {
    var lang: String
    var title: String
    var brandName: String
    /// Relative path from the page to the reseller root, e.g. `../../`.
    var root: String
    var stylesheet: String
    var logo: String?
    /// The logo variant for dark backgrounds, when the theme has one.
    var logoDark: String?
    var favicon: String?
    var canonical: String?
    var noindex: Bool
    var footer: SafeHTML?
    var legal: SafeHTML?
    var contactEmail: String?
    var contactURL: String?
    var breadcrumbs: [Link]
}

/// The value a page template renders: `{{chrome.…}}`, `{{t.…}}` for words, `{{page.…}}`.
struct PageContext<Page: TemplateRepresentable> {
    var chrome: PageChrome
    var t: TemplateValue
    var page: Page
}

struct Link {
    var label: String
    var href: String
}

struct KPI {
    var label: String
    var value: String
    var detail: String
    var tone: String
}

struct DomainRow {
    var domain: String
    var href: String
    var hasData: Bool
    var messages: String
    var passRate: String
    var spfRate: String
    var dkimRate: String
    var quarantine: String
    var reject: String
    var reports: String
}

struct SourceRow {
    var ip: String
    var messages: String
    var passRate: String
    var spfRate: String
    var dkimRate: String
    var tone: String
}

struct ReporterRow {
    var name: String
    var reports: String
    var messages: String
    var passRate: String
}

struct SubdomainRow {
    var name: String
    var messages: String
    var passRate: String
}

struct PolicyRow {
    var p: String
    var sp: String
    var np: String
    var adkim: String
    var aspf: String
    var pct: String
    var testing: String
    var reports: String
}

struct MonthLink {
    var label: String
    var href: String
    var messages: String
    var passRate: String
}

struct LandingPage {
    var intro: SafeHTML
    var learnHref: String
}

struct ContentPage {
    var body: SafeHTML
}

struct ClientIndexPage {
    var clientName: String
    var domains: [String]
    var latest: MonthLink?
    var kpis: [KPI]
    var months: [MonthLink]
    var trendChart: SafeHTML?
}

struct MonthPage {
    var clientName: String
    var monthLabel: String
    var kpis: [KPI]
    var dispositions: [KPI]
    var domains: [DomainRow]
    var sources: [SourceRow]
    var reporters: [ReporterRow]
    var previous: Link?
    var next: Link?
    var summaryHref: String
    var recordsHref: String
    var tls: TLSOverview?
    var trendChart: SafeHTML
    var dailyChart: SafeHTML
    var findings: [FindingRow]
}

struct DomainPage {
    var clientName: String
    var domain: String
    var monthLabel: String
    var hasData: Bool
    var kpis: [KPI]
    var dispositions: [KPI]
    var policies: [PolicyRow]
    var sources: [SourceRow]
    var reporters: [ReporterRow]
    var subdomains: [SubdomainRow]
    var monthHref: String
    var dailyChart: SafeHTML
    var senders: [SenderRow]
    var readiness: ReadinessModel
    var checklist: [CheckRow]
    var failingSources: [SourceRow]
    var overrideReasons: [TLSCountRow]
}

struct NotFoundPage {
    var homeHref: String
}

struct TLSRowModel {
    var label: String
    var successful: String
    var failed: String
    var successRate: String
    var tone: String
}

struct TLSCountRow {
    var label: String
    var sessions: String
}

struct TLSPage {
    var clientName: String
    var monthLabel: String
    var hasData: Bool
    var kpis: [KPI]
    var domains: [TLSRowModel]
    var policyTypes: [TLSRowModel]
    var failureTypes: [TLSCountRow]
    var receivingHosts: [TLSCountRow]
    var reporters: [TLSRowModel]
    var monthHref: String
    var csvHref: String
}

/// The TLS summary a month page shows, with its link.
struct TLSOverview {
    var href: String
    var sessions: String
    var successRate: String
    var failed: String
    var tone: String
}

struct SenderRow {
    var name: String
    var category: String
    var verdict: String
    var tone: String
    var messages: String
    var passRate: String
    var dkimRate: String
    var spfRate: String
    var sources: String
    var recognisedBy: String
    var fixes: [String]
}

struct ReadinessModel {
    var level: String
    var title: String
    var tone: String
    var explanation: String
    var record: String?
    var blockersHeading: String
    var blockers: [String]
}

struct CheckRow {
    var label: String
    var status: String
    var statusLabel: String
    var detail: String
}
