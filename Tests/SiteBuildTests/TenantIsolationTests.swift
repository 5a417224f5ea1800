import Foundation
import ReportModel
import SiteBuild
import Testing

/// Two clients of different resellers with look-alike domains and shared sending IPs: each
/// client's folder holds that client's data only, and no reseller root lists any client.
@Suite("Tenant isolation between look-alike clients")
struct TenantIsolationTests {
    static let config = """
        resellers:
          - id: acme-it
            name: ACME IT
            base_url: https://reports.acme-it.example/
            clients:
              - id: contoso
                name: Contoso Ltd
                domains: [contoso.example]
          - id: blue
            name: Blue Reports
            base_url: https://reports.blue.example/
            clients:
              - id: lookalike
                name: Zeta Lookalike Holdings
                domains: [c0ntoso.example, contoso-example.example, evil.example]
        """

    /// What only one client may see.
    struct Tenant {
        var folder: String
        /// The client's name, id and links to its folder.
        var names: [String]
        var resellerName: String
        /// Written as patterns: `contoso.example` must not match inside `contoso.example.evil.example`.
        var domainPatterns: [String]
        var ownIPs: [String]
        var counts: [Int]
        var reportIDs: [String]
    }

    static let shared = "192.0.2.10"  // e.g. a mail provider's outbound IP both clients use
    static let contoso = Tenant(
        folder: "public/acme-it/contoso", names: ["Contoso Ltd", "acme-it/contoso", "../contoso/"], resellerName: "ACME IT",
        domainPatterns: [#"(?<![A-Za-z0-9.-])contoso\.example(?![A-Za-z0-9-]|\.[A-Za-z0-9])"#],
        ownIPs: ["198.51.100.71", "2001:db8:a::71"], counts: [31_337, 27_182, 19_391, 58_519, 77_910], reportIDs: ["acme-secret-report-1"])
    static let lookalike = Tenant(
        folder: "public/blue/lookalike", names: ["Zeta Lookalike Holdings", "lookalike"], resellerName: "Blue Reports",
        domainPatterns: [#"c0ntoso\.example"#, #"contoso-example\.example"#, #"evil\.example"#],
        ownIPs: ["203.0.113.99", "2001:db8:b::99"], counts: [16_180, 17_003, 12_139, 23_417, 68_739], reportIDs: ["blue-secret-report-2"])

    static func reports() -> [String: Data] {
        let f = ReportFactory.self
        return [
            "google/contoso.xml": f.xml(f.report(id: "acme-secret-report-1", records: [
                f.record(ip: shared, count: 31_337),
                f.record(ip: "198.51.100.71", count: 27_182, dkim: .fail, spf: .fail),
            ])),
            "google/lookalike.xml": f.xml(f.report(id: "blue-secret-report-2", domain: "c0ntoso.example", records: [
                f.record(ip: shared, count: 16_180, from: "c0ntoso.example"),
                f.record(ip: "203.0.113.99", count: 17_003, from: "contoso-example.example", dkim: .fail, spf: .fail),
                f.record(ip: "203.0.113.99", count: 12_139, from: "contoso.example.evil.example", dkim: .fail, spf: .fail),
            ])),
            // One report with records for both clients: each gets its own rows only.
            "yahoo/mixed.xml": f.xml(f.report(org: "yahoo.com", id: "mixed-1", records: [
                f.record(ip: "2001:db8:a::71", count: 19_391, from: "contoso.example"),
                f.record(ip: "2001:db8:b::99", count: 23_417, from: "c0ntoso.example", dkim: .fail, spf: .pass),
                f.record(ip: "192.0.2.200", count: 5, from: "evilcontoso.example"),
            ])),
        ]
    }

    @Test func noClientFolderHoldsTheOtherClientsData() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.reports())
        defer { workspace.remove() }
        let report = try workspace.build()
        #expect(report.skippedFiles.isEmpty)
        #expect(report.unassigned.map(\.headerFrom) == ["evilcontoso.example"], "a name that merely ends in contoso.example belongs to no one")

        for (own, other) in [(Self.contoso, Self.lookalike), (Self.lookalike, Self.contoso)] {
            let files = workspace.files(under: own.folder)
            #expect(files.contains("2025-12/summary.json"), "\(own.folder) was built")
            for path in files {
                let text = String(decoding: try Data(contentsOf: workspace.root.appendingPathComponent(own.folder + "/" + path)), as: UTF8.self)
                let place = "\(own.folder)/\(path)"
                for name in other.names + [other.resellerName] { #expect(!text.contains(name), "\(place) names \(name)") }
                for pattern in other.domainPatterns {
                    #expect(text.range(of: pattern, options: .regularExpression) == nil, "\(place) holds a domain matching \(pattern)")
                }
                for ip in other.ownIPs { #expect(!text.contains(ip), "\(place) holds \(ip)") }
                for id in other.reportIDs { #expect(!text.contains(id), "\(place) holds report \(id)") }
                for count in other.counts {
                    for written in Self.spellings(count) { #expect(!text.contains(written), "\(place) holds the count \(written)") }
                }
            }
        }
        let contosoSummary = workspace.text("public/acme-it/contoso/2025-12/summary.json") ?? ""
        #expect(contosoSummary.contains("\"messages\" : 77910") || contosoSummary.contains("\"messages\":77910"),
                "contoso counts its own records only: 31,337 + 27,182 + 19,391")
        let lookalikeSummary = workspace.text("public/blue/lookalike/2025-12/summary.json") ?? ""
        #expect(lookalikeSummary.contains("contoso.example.evil.example") || lookalikeSummary.contains("\"evil.example\""),
                "the subdomain trap counts for the client owning evil.example")
    }

    @Test func noResellerRootListsClients() throws {
        let workspace = try FixtureWorkspace(config: Self.config, reports: Self.reports())
        defer { workspace.remove() }
        _ = try workspace.build()
        for (reseller, clientFolder) in [("acme-it", "contoso"), ("blue", "lookalike")] {
            let rootFiles = workspace.files(under: "public/\(reseller)").filter { !$0.hasPrefix(clientFolder + "/") }
            #expect(rootFiles.contains("index.html") && rootFiles.contains("sitemap.xml") && rootFiles.contains("robots.txt")
                    && rootFiles.contains("404.html"), "\(reseller): \(rootFiles)")
            #expect(rootFiles.contains { $0.hasPrefix("assets/") })
            for path in rootFiles {
                let text = String(decoding: try Data(contentsOf: workspace.root.appendingPathComponent("public/\(reseller)/\(path)")), as: UTF8.self)
                for tenant in [Self.contoso, Self.lookalike] {
                    for name in tenant.names { #expect(!text.contains(name), "public/\(reseller)/\(path) names \(name)") }
                    for pattern in tenant.domainPatterns {
                        #expect(text.range(of: pattern, options: .regularExpression) == nil, "public/\(reseller)/\(path) holds \(pattern)")
                    }
                    for ip in tenant.ownIPs + [Self.shared] { #expect(!text.contains(ip), "public/\(reseller)/\(path) holds \(ip)") }
                }
            }
        }
        let outputs = workspace.files(under: "public")
        #expect(!outputs.contains { $0.hasPrefix("acme-it/lookalike") || $0.hasPrefix("blue/contoso") }, "a client lives under its own reseller only")
    }

    /// A count as the pages and files may write it.
    static func spellings(_ count: Int) -> [String] {
        let plain = String(count)
        var grouped = ""
        for (index, digit) in plain.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return [plain, String(grouped.reversed())]
    }
}
