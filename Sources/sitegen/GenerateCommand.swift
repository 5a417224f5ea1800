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

            --as packs the same reports differently, to try the other inputs sitegen reads: \
            mbox writes report e-mails to reports.mbox; maildir writes them to a Maildir folder \
            Maildir/ (with messages in tmp/ that must not be read); parsedmarc-json and \
            parsedmarc-csv write the DMARC reports as parsedmarc's aggregate.json or \
            aggregate.csv (parsedmarc has no output sitegen reads for SMTP TLS reports).

            With --hostile it writes the hostile corpus instead: files that attack the reader \
            (external entities, entity and compression bombs, zip entries named ../../etc/passwd, \
            broken encodings, absurd counts and nesting, a 200 MB file, HTML, formula and bidi \
            payloads, hostile file names). Build a workspace on them to see each one refused or \
            shown inert. The bombs are small on disk and expand to gigabytes.
            """)

    enum Packing: String, ExpressibleByArgument, CaseIterable {
        case files, mbox, maildir
        case parsedmarcJSON = "parsedmarc-json"
        case parsedmarcCSV = "parsedmarc-csv"
    }

    @Option(name: .long, help: ArgumentHelp("The reports folder to write into.", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "The random seed; the same seed gives byte-identical files.")
    var seed: UInt64 = 20_251_201

    @Option(name: .customLong("as"), help: "How to pack the reports: files, mbox, maildir, parsedmarc-json or parsedmarc-csv.")
    var packing: Packing = .files

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
        let workspace = SyntheticWorkspace(spec: .demo(seed: seed))
        guard packing == .files else {
            let output = try workspace.generate()
            let export = SyntheticMailExport(seed: seed)
            let files: [(relativePath: String, bytes: Data)] = switch packing {
            case .files: []
            case .mbox: [("reports.mbox", export.mbox(for: output))]
            case .maildir: export.maildir(for: output).map { ("Maildir/" + $0.relativePath, $0.bytes) }
            case .parsedmarcJSON: [("parsedmarc/aggregate.json", try ParsedmarcOutputWriter.json(output.files.map(\.report)))]
            case .parsedmarcCSV: [("parsedmarc/aggregate.csv", ParsedmarcOutputWriter.csv(output.files.map(\.report)))]
            }
            for file in files {
                let url = folder.appendingPathComponent(file.relativePath)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.bytes.write(to: url)
            }
            let summary = output.summary
            print("wrote \(files.count) files (\(summary.reports) DMARC reports\(packing == .mbox || packing == .maildir ? " and \(summary.tlsReports) SMTP TLS reports" : "") as \(packing.rawValue)) to \(folder.path)")
            return
        }
        let summary = try workspace.write(to: folder)
        print("wrote \(summary.files) files (\(summary.reports) DMARC reports with \(summary.records) records and \(summary.messages) messages, \(summary.tlsReports) SMTP TLS reports) to \(folder.path)")
    }
}
