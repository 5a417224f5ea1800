import ArgumentParser
import Foundation
import ReportArchive
import ReportModel
import SiteBuild

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Read the workspace's reports and write the report sites.",
        discussion: """
            Exit status: 0 when everything was read and written; 1 when some input was skipped or a \
            client could not be rendered (everything else is still written); 2 for bad usage, a bad \
            sitegen.yml or a broken theme (no site is written; the new reports are still archived).
            """)

    @Option(name: .long, help: ArgumentHelp("The workspace folder holding sitegen.yml and reports/.", valueName: "dir"))
    var workspace: String

    @Option(name: .long, help: ArgumentHelp("Where to write the sites (default: <workspace>/public).", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Publish up to this month (YYYY-MM); later reports are left out.", valueName: "YYYY-MM"))
    var month: String?

    @Option(name: .long, help: ArgumentHelp("The folder of built-in themes (default: found next to sitegen).", valueName: "dir"))
    var themes: String?

    @OptionGroup var archive: ArchiveOptions

    @Flag(name: .customLong("no-ingest"), help: "Render from the archive only; do not read the reports folder.")
    var noIngest = false

    @Flag(name: .long, help: "Render every client, also those whose data, config and theme did not change.")
    var full = false

    @Flag(name: .long, help: RescanFlag.help)
    var rescan = false

    func validate() throws {
        if noIngest && archive.noArchive {
            throw ValidationError("--no-ingest renders from the archive, which --no-archive turns off")
        }
        if let month, ReportMonth(month) == nil {
            throw ValidationError("--month must be a month written YYYY-MM, not \"\(month)\"")
        }
    }

    func run() throws {
        let started = Date()
        let workspaceURL = URL(fileURLWithPath: workspace).standardizedFileURL
        guard let builtinThemes = BuiltinThemes.locate(explicit: themes) else {
            FileHandle.standardError.write(Data("sitegen: cannot find the built-in themes; pass --themes DIR or set SITEGEN_THEMES\n".utf8))
            throw ExitCode(2)
        }
        var options = BuildOptions(
            workspace: workspaceURL, output: out.map { URL(fileURLWithPath: $0).standardizedFileURL },
            month: month.flatMap(ReportMonth.init), builtinThemes: builtinThemes,
            archive: try archive.location, ingest: !noIngest, reuseUnchanged: !full)
        options.rescan = rescan
        let printer = ProgressPrinter()
        let report: BuildReport
        do {
            report = try SiteBuilder(options: options).build(progress: printer.line, stepProgress: printer.step)
        } catch {
            FileHandle.standardError.write(Data("sitegen: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        print(RunSummary(report: report, month: month, elapsed: Date().timeIntervalSince(started)).text)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

/// Where the report archive is, shared by `build` and `ingest`.
struct ArchiveOptions: ParsableArguments {
    @Option(name: .long, help: ArchiveArgument.help)
    var archive: String?

    @Flag(name: .customLong("no-archive"), help: "Keep no archive: read every file and render every client.")
    var noArchive = false

    func validate() throws {
        if noArchive && archive != nil { throw ValidationError("--archive and --no-archive cannot go together") }
        _ = try ArchiveArgument.location(archive)
    }

    var location: ArchiveLocation {
        get throws {
            if noArchive { return .memory }
            return try ArchiveArgument.location(archive)
        }
    }
}

/// `--rescan`, shared by `build` and `ingest`.
enum RescanFlag {
    static let help = ArgumentHelp(
        """
        Look at every report file again, also finished ones in folders that did not change: finds a \
        report file rewritten in place under the same name.
        """)
}

/// The `--archive` value: a SQLite file, or a PostgreSQL URL.
enum ArchiveArgument {
    static let help = ArgumentHelp(
        """
        The report archive: a SQLite file (default: <workspace>/.sitegen/archive.sqlite), or \
        postgres://user@host:port/database for several ingest workers sharing one archive (password \
        from PGPASSWORD; needs sitegen built with --traits PostgreSQL).
        """,
        valueName: "file|url")

    static func location(_ argument: String?) throws -> ArchiveLocation {
        guard let argument else { return .workspace }
        guard PostgresAddress.isPostgresURL(argument) else {
            return .file(URL(fileURLWithPath: argument).standardizedFileURL)
        }
        guard ArchiveLocation.postgresAvailable else {
            throw ValidationError("--archive \(argument.prefix { $0 != ":" })://…: \(ArchiveLocation.postgresUnavailable)")
        }
        do {
            return .postgres(try PostgresAddress(url: argument))
        } catch {
            throw ValidationError("--archive: \(error.reason)")
        }
    }
}

/// Finds the package's `Themes/` folder.
enum BuiltinThemes {
    static func locate(explicit: String?) -> URL? {
        var candidates: [URL] = []
        if let explicit { candidates.append(URL(fileURLWithPath: explicit)) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SITEGEN_THEMES"] {
            candidates.append(URL(fileURLWithPath: fromEnvironment))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(executable.appendingPathComponent("../share/sitegen/Themes"))
        // A binary run from the package's own build folder (`swift run`, .build/debug/sitegen).
        candidates.append(URL(fileURLWithPath: #filePath).appendingPathComponent("../../../Themes"))
        return candidates.map(\.standardizedFileURL).first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("default/theme.yml").path)
        }
    }
}
