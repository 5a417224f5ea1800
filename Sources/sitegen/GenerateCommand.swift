import ArgumentParser
import Foundation
import ReportModel
import SyntheticReports

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic synthetic DMARC aggregate and SMTP TLS reports (identical for the same seed).",
        discussion: """
            Writes the reports of the bundled example workspace (six domains, twelve months from \
            2025-12, Google, Microsoft, Yahoo and smaller reporters; DMARC aggregate reports as \
            .xml, .xml.gz and .zip, SMTP TLS reports as .json and .json.gz) below the given folder \
            as <reporter>/<YYYY-MM>/<file>. Files of the same name are replaced; other files are \
            left alone.

            With --hostile it writes the hostile corpus instead: files that attack the reader \
            (external entities, entity and compression bombs, zip entries named ../../etc/passwd, \
            broken encodings, absurd counts and nesting, a 200 MB file, HTML, formula and bidi \
            payloads, hostile file names). Build a workspace on them to see each one refused or \
            shown inert. The bombs are small on disk and expand to gigabytes.
            """)

    @Option(name: .long, help: ArgumentHelp("The reports folder to write into.", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "The random seed; the same seed gives byte-identical files.")
    var seed: UInt64 = 20_251_201

    @Flag(name: .long, help: "Write the hostile corpus (for contoso.example, December 2025) instead of the example reports.")
    var hostile = false

    func run() throws {
        if hostile {
            let folder = URL(fileURLWithPath: out).standardizedFileURL
            let files = try HostileCorpus().write(to: folder)
            for file in files {
                print("\(file.outcome.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(ReportSource(file: file.path)): \(file.threat)")
            }
            print("wrote \(files.count) hostile files to \(folder.path)")
            return
        }
        let folder = URL(fileURLWithPath: out).standardizedFileURL
        let summary = try SyntheticWorkspace(spec: .demo(seed: seed)).write(to: folder)
        print("wrote \(summary.files) files (\(summary.reports) DMARC reports with \(summary.records) records and \(summary.messages) messages, \(summary.tlsReports) SMTP TLS reports) to \(folder.path)")
    }
}
