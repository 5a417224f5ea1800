import Foundation
import ReportModel
import SiteBuild
import Testing

@Suite("Building a fixture workspace end to end")
struct SiteBuildTests {
    static let config = """
        resellers:
          - id: acme-it
            name: ACME IT
            base_url: https://reports.acme-it.example
            clients:
              - id: contoso
                name: Contoso Ltd
                domains: [contoso.example, contoso.co.jp]
              - id: fabrikam
                name: Fabrikam
                locale: ja
                domains: [fabrikam.example]
          - id: blue
            theme: themes/blue
            clients:
              - id: northwind
                domains: [northwind.example]
        """

    static let blueTheme = [
        "themes/blue/theme.yml": """
            extends: default
            display_name: Blue Reports
            logo: assets/blue-logo.svg
            colors:
              primary: "#003366"
            footer: "Blue footer **text**"
            """,
        "themes/blue/assets/blue-logo.svg": "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>",
    ]

    static let tlsReport = """
        {"organization-name": "Google Inc.", "date-range": {"start-datetime": "2025-12-02T00:00:00Z", "end-datetime": "2025-12-02T23:59:59Z"},
         "contact-info": "smtp-tls-reporting@google.com", "report-id": "2025-12-02T00:00:00Z_contoso.example",
         "policies": [{"policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce"], "policy-domain": "contoso.example",
                                  "mx-host": ["mx1.contoso.example"]},
                       "summary": {"total-successful-session-count": 980, "total-failure-session-count": 20},
                       "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "209.85.220.41",
                                            "receiving-mx-hostname": "mx2.contoso.example", "failed-session-count": 20}]}]}
        """

    static func reports() -> [String: Data] {
        let f = ReportFactory.self
        let december = f.report(id: "g-1", records: [
            f.record(count: 90),
            f.record(ip: "198.51.100.7", count: 10, from: "news.contoso.example", dkim: .fail, spf: .fail, disposition: .quarantine),
            f.record(ip: "203.0.113.5", count: 4, from: "contoso.co.jp", dkim: .fail, spf: .pass),
            f.record(ip: "203.0.113.9", count: 6, from: "unrelated.example", dkim: .fail, spf: .fail),
        ])
        let decemberYahoo = f.report(org: "Yahoo", id: "y-1", begin: f.december2025 + 86_400 * 3, records: [
            f.record(ip: "192.0.2.11", count: 20, dkim: .pass, spf: .fail, disposition: .none),
        ])
        let january = f.report(id: "g-2", begin: f.december2025 + 86_400 * 31, records: [f.record(count: 50)])
        let fabrikam = f.report(id: "g-3", domain: "fabrikam.example", records: [f.record(count: 1_234, from: "fabrikam.example")])
        let northwind = f.report(id: "g-4", domain: "northwind.example", records: [f.record(count: 7, from: "northwind.example", dkim: .fail, spf: .fail, disposition: .reject)])
        return [
            "google/december.xml": f.xml(december),
            "google/december-again.xml.gz": Inflater.gzip(f.xml(december)),
            "yahoo/december.xml": f.xml(decemberYahoo),
            "google/january.xml": f.xml(january),
            "fabrikam.xml": f.xml(fabrikam),
            "nested/deeper/northwind.xml.gz": Inflater.gzip(f.xml(northwind)),
            "broken.xml": Data("<feedback><report_metadata>".utf8),
            "tls/google.json.gz": Inflater.gzip(Data(Self.tlsReport.utf8)),
        ]
    }

    @Test func writesEveryPageOfTheOutputContractWithTheRightNumbers() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.reports(), files: Self.blueTheme)
        defer { workspace.remove() }
        let report = try workspace.build()

        #expect(report.filesRead == 8)
        #expect(report.uniqueReports == 5)
        #expect(report.uniqueTLSReports == 1)
        #expect(report.duplicates.map(\.dropped.file) == ["google/december.xml"], "the first copy in path order is kept")
        #expect(report.skippedFiles.map(\.file) == ["broken.xml"])
        #expect(report.unassigned.map(\.headerFrom) == ["unrelated.example"])
        #expect(report.unassigned.first?.messages == 6)
        #expect(report.exitCode == 1)
        #expect(report.failures.isEmpty)

        for path in [
            "public/acme-it/index.html", "public/acme-it/learn/dmarc.html", "public/acme-it/404.html",
            "public/acme-it/robots.txt", "public/acme-it/sitemap.xml", "public/acme-it/CNAME",
            "public/acme-it/contoso/index.html", "public/acme-it/contoso/2025-12/index.html",
            "public/acme-it/contoso/2025-12/contoso.example/index.html", "public/acme-it/contoso/2025-12/contoso.co.jp/index.html",
            "public/acme-it/contoso/2025-12/summary.json", "public/acme-it/contoso/2025-12/records.csv",
            "public/acme-it/contoso/2026-01/index.html", "public/acme-it/fabrikam/2025-12/index.html",
            "public/blue/index.html", "public/blue/northwind/2025-12/northwind.example/index.html",
        ] {
            #expect(workspace.exists(path), "missing \(path)")
        }
        #expect(!workspace.exists("public/blue/CNAME"), "no base_url, no CNAME")
        #expect(workspace.text("public/acme-it/CNAME") == "reports.acme-it.example\n")

        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: workspace.root.appendingPathComponent("public/acme-it/contoso/2025-12/summary.json"))) as? [String: Any]
        #expect(summary?["reseller"] as? String == "acme-it")
        #expect(summary?["client"] as? String == "contoso")
        #expect(summary?["month"] as? String == "2025-12")
        let domains = summary?["domains"] as? [[String: Any]] ?? []
        #expect(domains.map { $0["domain"] as? String } == ["contoso.example", "contoso.co.jp"])
        let contoso = domains.first ?? [:]
        #expect(contoso["messages"] as? Int == 120)
        #expect(contoso["dmarc_pass"] as? Int == 110)
        #expect(contoso["spf_aligned"] as? Int == 90)
        #expect(contoso["dkim_aligned"] as? Int == 110)
        #expect(contoso["reports"] as? Int == 2)
        #expect((contoso["disposition"] as? [String: Int])?["quarantine"] == 10)
        #expect((contoso["disposition"] as? [String: Int])?["none"] == 110)
        let japan = domains.last ?? [:]
        #expect(japan["messages"] as? Int == 4)
        #expect(japan["spf_aligned"] as? Int == 4)

        let month = workspace.text("public/acme-it/contoso/2025-12/index.html") ?? ""
        #expect(month.contains("<html lang=\"en\">"))
        #expect(month.contains("124"), "messages of the client-month")
        #expect(month.contains("91.9%"), "DMARC pass 114 of 124")
        #expect(month.contains("198.51.100.7"))
        #expect(month.contains("Yahoo"))
        #expect(month.contains("href=\"../2026-01/index.html\""))
        #expect(month.contains("../../assets/style."))

        let domainPage = workspace.text("public/acme-it/contoso/2025-12/contoso.example/index.html") ?? ""
        #expect(domainPage.contains("news.contoso.example"))
        #expect(domainPage.contains("../../../assets/style."))

        let csv = workspace.text("public/acme-it/contoso/2025-12/records.csv") ?? ""
        #expect(csv.split(separator: "\r\n").count == 1 + 4)

        let japanese = workspace.text("public/acme-it/fabrikam/2025-12/index.html") ?? ""
        #expect(japanese.contains("<html lang=\"ja\">"))
        #expect(japanese.contains("2025年12月"))
        #expect(japanese.contains("1,234"))

        let blue = workspace.text("public/blue/northwind/2025-12/index.html") ?? ""
        #expect(blue.contains("Blue Reports"))
        #expect(blue.contains("Blue footer <strong>text</strong>"))
        let defaultPage = workspace.text("public/acme-it/index.html") ?? ""
        #expect(!defaultPage.contains("Blue Reports"))
        #expect(defaultPage.contains("<link rel=\"canonical\" href=\"https://reports.acme-it.example/\">"))
        let blueCSS = workspace.files(under: "public/blue/assets").first { $0.hasPrefix("style.") }
        let blueStyle = blueCSS.flatMap { workspace.text("public/blue/assets/\($0)") } ?? ""
        #expect(blueStyle.contains("--color-primary: #003366;"))
        #expect(workspace.files(under: "public/blue/assets").contains { $0.hasPrefix("blue-logo.") && $0.hasSuffix(".svg") })

        let tls = workspace.text("public/acme-it/contoso/2025-12/tls/index.html") ?? ""
        #expect(tls.contains("1,000"), "sessions")
        #expect(tls.contains("98.0%"), "success rate")
        #expect(tls.contains("certificate-expired"))
        #expect(tls.contains("mx2.contoso.example"))
        #expect(month.contains("href=\"tls/index.html\""))
        let tlsSummary = summary?["tls"] as? [String: Any]
        #expect(tlsSummary?["successful"] as? Int == 980)
        #expect(tlsSummary?["failed"] as? Int == 20)
        let tlsCSV = workspace.text("public/acme-it/contoso/2025-12/tls.csv") ?? ""
        #expect(tlsCSV.split(separator: "\r\n").count == 1 + 2, "header, the policy and its failure detail")

        let landing = workspace.text("public/acme-it/index.html") ?? ""
        #expect(!landing.contains("contoso"), "the landing page lists no clients")

        let portfolio = workspace.text("public/_portfolio/index.html") ?? ""
        for client in ["Contoso Ltd", "Fabrikam", "northwind"] {
            #expect(portfolio.contains(client), "the portfolio lists \(client)")
        }
        #expect(portfolio.contains("href=\"../acme-it/contoso/index.html\""))
        #expect(portfolio.contains("href=\"../blue/northwind/index.html\""))
        #expect(!workspace.files(under: "public/acme-it").contains { $0.contains("portfolio") }, "never inside a reseller root")
    }

    @Test func twoBuildsOfTheSameInputAreByteIdentical() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.reports(), files: Self.blueTheme)
        defer { workspace.remove() }
        _ = try workspace.build(out: "first")
        _ = try workspace.build(out: "second")
        let first = workspace.files(under: "first")
        #expect(first == workspace.files(under: "second"))
        #expect(first.count > 20)
        for path in first {
            let a = try Data(contentsOf: workspace.root.appendingPathComponent("first/" + path))
            let b = try Data(contentsOf: workspace.root.appendingPathComponent("second/" + path))
            #expect(a == b, "\(path) differs between builds")
        }
    }

    @Test func monthOptionLeavesOutLaterReports() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.reports(), files: Self.blueTheme)
        defer { workspace.remove() }
        let report = try workspace.build(month: "2025-12")
        #expect(report.reportsAfterMonth == 1)
        #expect(!workspace.exists("public/acme-it/contoso/2026-01/index.html"))
        #expect(workspace.exists("public/acme-it/contoso/2025-12/index.html"))
    }

    @Test func aCleanRunExitsZero() throws {
        var reports = Self.reports()
        reports["broken.xml"] = nil
        let workspace = try FixtureWorkspace(config: Self.config, reports: reports, files: Self.blueTheme)
        defer { workspace.remove() }
        #expect(try workspace.build().exitCode == 0)
    }

    @Test func brokenConfigStopsTheBuildNamingFileLineAndKey() throws {
        let workspace = try FixtureWorkspace(config: """
            resellers:
              - id: acme
                clients:
                  - id: contoso
                    domains: [contoso.example]
                    colour: blue
            """, reports: [:])
        defer { workspace.remove() }
        do {
            _ = try workspace.build()
            Issue.record("a config with an unknown key was accepted")
        } catch {
            #expect(error.failures.map(\.step) == [.config])
            #expect(error.description.contains("sitegen.yml"))
            #expect(error.description.contains("line 6"))
            #expect(error.description.contains("resellers[0].clients[0].colour"))
        }
        #expect(!workspace.exists("public"))
    }

    @Test func brokenThemeStopsTheBuild() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: [:], files: [
            "themes/blue/theme.yml": "extends: default\nlogo: ../../etc/passwd\n",
        ])
        defer { workspace.remove() }
        do {
            _ = try workspace.build()
            Issue.record("a logo outside the theme was accepted")
        } catch {
            #expect(error.failures.map(\.step) == [.theme])
            #expect(error.description.contains("logo"))
        }
    }
}
