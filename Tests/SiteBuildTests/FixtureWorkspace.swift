import Foundation
import ReportModel
import SiteBuild
import SyntheticReports

/// A small workspace written to a temporary folder, Zola-style: config, reports, themes.
struct FixtureWorkspace {
    let root: URL

    static var builtinThemes: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Themes").standardizedFileURL
    }

    init(config: String, reports: [String: Data], files: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try Data(config.utf8).write(to: root.appendingPathComponent("sitegen.yml"))
        for (path, data) in reports {
            try write(data, to: "reports/" + path)
        }
        for (path, text) in files {
            try write(Data(text.utf8), to: path)
        }
    }

    func write(_ data: Data, to path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func build(
        out: String = "public", month: String? = nil, archive: ArchiveLocation = .memory, ingest: Bool = true
    ) throws(BuildSetupError) -> BuildReport {
        try SiteBuilder(options: BuildOptions(
            workspace: root, output: root.appendingPathComponent(out), month: month.flatMap(ReportMonth.init),
            builtinThemes: Self.builtinThemes, archive: archive, ingest: ingest)).build()
    }

    func text(_ path: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    func data(_ path: String) -> Data? {
        try? Data(contentsOf: root.appendingPathComponent(path))
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    /// Every file below `folder`, relative to it, sorted.
    func files(under folder: String) -> [String] {
        let base = root.appendingPathComponent(folder)
        let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        var paths: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
                paths.append(String(url.standardizedFileURL.path.dropFirst(base.standardizedFileURL.path.count + 1)))
            }
        }
        return paths.sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

/// Reports written from model values, so each test states exactly what it counts.
enum ReportFactory {
    static let december2025: Int64 = 1_764_547_200  // 2025-12-01T00:00:00Z

    static func report(
        org: String = "google.com", id: String, begin: Int64 = december2025, domain: String = "contoso.example",
        records: [ReportRecord]
    ) -> AggregateReport {
        AggregateReport(
            schema: .rfc7489, version: "1.0",
            metadata: ReportMetadata(orgName: org, email: "dmarc@\(org.isEmpty ? "example.net" : org)", reportID: id,
                                     dateRange: DateRange(begin: begin, end: begin + 86_399)),
            policy: PublishedPolicy(domain: domain, adkim: .relaxed, aspf: .relaxed, p: PolicyAction.none, sp: PolicyAction.none, pct: 100),
            records: records)
    }

    static func record(
        ip: String = "192.0.2.10", count: Int, from: String = "contoso.example", dkim: PolicyResult = .pass,
        spf: PolicyResult = .pass, disposition: Disposition = .none
    ) -> ReportRecord {
        ReportRecord(
            sourceIP: ip, count: count, disposition: disposition, dkimAligned: dkim, spfAligned: spf, headerFrom: from,
            dkimResults: [DKIMAuthResult(domain: from, selector: "s1", result: dkim == .pass ? .pass : .fail)],
            spfResults: [SPFAuthResult(domain: from, scope: "mfrom", result: spf == .pass ? .pass : .fail)])
    }

    static func xml(_ report: AggregateReport) -> Data {
        ReportXMLWriter().data(for: report)
    }
}
