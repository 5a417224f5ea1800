import ArgumentParser
import Benchmark
import Foundation
import SyntheticReports

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure generation, ingest, full build, memory and rebuild on a synthetic workspace.",
        discussion: """
            Generates a workspace of clients × domains × days × reporters plain XML DMARC reports \
            (default 1,000 × 3 × 30 × 3 = 270,000 files) into the work folder, unless it already \
            holds the same shape, then measures: ingest (files/s and records/s, warm cache), a full \
            build (seconds and pages/s), a rebuild after one new report file, and the process's peak \
            memory, each beside its target. Build a release binary for meaningful figures \
            (swift build -c release).

            --volume small makes every domain a small one (10 to 70 messages a day), so each \
            report holds a few records and is about 3 KB, the size of most real reports; the \
            default domains send 600 to 3,500 messages a day (reports of about 16 KB).
            """)

    @Option(name: .long, help: ArgumentHelp("The work folder (reused when it holds the same shape).", valueName: "dir"))
    var work: String = ".build/bench"

    @Option(name: .long, help: "Clients.")
    var clients: Int = 1_000

    @Option(name: .long, help: "Domains per client.")
    var domains: Int = 3

    @Option(name: .long, help: "Days of reports, from 2026-11-01.")
    var days: Int = 30

    @Option(name: .long, help: "Reporters sending a report per domain and day (1 to 8).")
    var reporters: Int = 3

    @Option(name: .long, help: "How much mail each domain sends: standard (reports of about 16 KB) or small (about 3 KB).")
    var volume: BenchmarkVolume = .standard

    @Option(name: .long, help: ArgumentHelp("The folder of built-in themes (default: found next to sitegen).", valueName: "dir"))
    var themes: String?

    var shape: BenchmarkShape {
        BenchmarkShape(clients: clients, domainsPerClient: domains, days: days, reporters: reporters, volume: volume)
    }

    func validate() throws {
        if let problem = shape.problems.first { throw ValidationError(problem) }
    }

    func run() throws {
        guard let builtinThemes = BuiltinThemes.locate(explicit: themes) else {
            FileHandle.standardError.write(Data("sitegen: cannot find the built-in themes; pass --themes DIR or set SITEGEN_THEMES\n".utf8))
            throw ExitCode(2)
        }
        let folder = URL(fileURLWithPath: work).standardizedFileURL
        let context = BenchContext(
            workspace: BenchWorkspace(folder: folder, shape: shape), builtinThemes: builtinThemes,
            progress: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        do {
            print(try BenchRunner(context: context).run().text, terminator: "")
        } catch {
            FileHandle.standardError.write(Data("sitegen: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension BenchmarkVolume: ExpressibleByArgument {}
