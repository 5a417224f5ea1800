import Foundation
import SiteBuild
import Testing

enum CorpusBuildEnvironment {
    static let corpus: URL? = {
        let url = URL(fileURLWithPath: #filePath).appendingPathComponent("../../../../shared/corpus").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// python3 from PATH.
    static let python: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
        .split(separator: ":").map { "\($0)/python3" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Builds a workspace whose reports folder holds the shared corpus of real report files, and
/// checks every per-domain total against an independent count made by a small Python program
/// that shares no code with sitegen (`Support/independent_count.py`).
@Suite("Building the real corpus", .enabled(if: CorpusBuildEnvironment.corpus != nil && CorpusBuildEnvironment.python != nil,
                                             "needs ../shared/corpus and python3"))
struct CorpusBuildTests {
    static var corpus: URL? { CorpusBuildEnvironment.corpus }
    static var python: String? { CorpusBuildEnvironment.python }

    static let domains = [
        "example.com", "example.net", "example.org", "example.de", "example.test", "borschow.com", "twlnet.com",
        "stalw.art", "freitagsrunde.org", "georgestarcher.com", "website.com", "patrickkerrigan.uk", "ab.id.au",
    ]

    @Test func everyFileIsAccountedForAndTotalsMatchAnIndependentCount() throws {
        let corpus = try #require(Self.corpus)
        let workspace = try FixtureWorkspace(config: """
            resellers:
              - id: msp
                clients:
                  - id: corpus
                    domains: [\(Self.domains.joined(separator: ", "))]
            """, reports: [:])
        defer { workspace.remove() }
        let reports = workspace.root.appendingPathComponent("reports/corpus")
        try FileManager.default.copyItem(at: corpus, to: reports)
        let build = try workspace.build()

        let inputFiles = workspace.files(under: "reports")
        #expect(build.filesRead == inputFiles.count)
        #expect(build.uniqueReports + build.uniqueTLSReports + build.duplicates.count == build.reportsRead)
        #expect(build.duplicates.count > 20)
        for file in build.skippedFiles {
            #expect(!file.problems.isEmpty && file.problems.allSatisfy { !$0.reason.isEmpty }, "\(file.file) skipped without a reason")
        }
        #expect(build.failures.isEmpty, "\(build.failures)")

        let independent = try Self.independentCount(of: workspace.root.appendingPathComponent("reports"))
        var compared = 0
        for month in workspace.files(under: "public/msp/corpus").filter({ $0.hasSuffix("/summary.json") }) {
            let data = try Data(contentsOf: workspace.root.appendingPathComponent("public/msp/corpus/" + month))
            let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let monthKey = try #require(summary["month"] as? String)
            let tls = summary["tls"] as? [String: Any] ?? [:]
            for domain in tls["domains"] as? [[String: Any]] ?? [] {
                let name = domain["domain"] as? String ?? ""
                let expected = independent["tls \(name) \(monthKey)"] ?? [:]
                #expect(domain["successful"] as? Int == expected["successful"], "TLS \(name) \(monthKey)")
                #expect(domain["failed"] as? Int == expected["failed"], "TLS \(name) \(monthKey)")
                compared += 1
            }
            for domain in summary["domains"] as? [[String: Any]] ?? [] {
                let name = domain["domain"] as? String ?? ""
                let expected = independent["\(name) \(monthKey)"] ?? [:]
                for key in ["messages", "dmarc_pass", "spf_aligned", "dkim_aligned", "reports"] {
                    #expect((domain[key] as? Int ?? -1) == (expected[key] ?? 0), "\(name) \(monthKey) \(key)")
                }
                if !expected.isEmpty { compared += 1 }
            }
        }
        #expect(compared == independent.count, "every domain-month the independent count found has a summary")
        #expect(compared > 20)
    }

    static func independentCount(of folder: URL) throws -> [String: [String: Int]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(python))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/independent_count.py")
        process.arguments = [script.path, folder.path] + domains
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode([String: [String: Int]].self, from: data)
    }
}
