import ArgumentParser
import Foundation
import ReportArchive
import SiteBuild

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Add the workspace's new report files to its archive, without rendering.",
        discussion: """
            A folder with no entry added, removed or renamed since the last run is not read again. A \
            finished report file (it gave reports and no problem, and is not an mbox or parsedmarc's \
            output, which grow in place) is not looked at again while it keeps its name and inode; \
            other files are read again when their size or modification time changed (--rescan looks \
            at every file). Files whose bytes the archive already holds are not parsed again; a report already in the \
            archive (same reporter org_name and report_id) is listed as a duplicate. Each batch of \
            files is one transaction: an interrupted run keeps what it committed. `build` runs this \
            step first unless given --no-ingest. Exit status: 0, or 1 when some file was skipped.
            """)

    @Option(name: .long, help: ArgumentHelp("The workspace folder holding sitegen.yml and reports/.", valueName: "dir"))
    var workspace: String

    @Option(name: .long, help: ArchiveArgument.help)
    var archive: String?

    @Option(name: .long, help: ArgumentHelp("Files per transaction.", valueName: "n"))
    var batchSize = ArchiveIngester.defaultBatchSize

    @Flag(name: .long, help: RescanFlag.help)
    var rescan = false

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        _ = try ArchiveArgument.location(archive)
    }

    func run() throws {
        let started = Date()
        let workspaceURL = URL(fileURLWithPath: workspace).standardizedFileURL
        var options = BuildOptions(
            workspace: workspaceURL, builtinThemes: workspaceURL,
            archive: try ArchiveArgument.location(archive))
        options.rescan = rescan
        let printer = ProgressPrinter()
        let result: (run: ArchiveIngestResult, archive: ArchiveCounts)
        do {
            result = try SiteBuilder(options: options).ingest(batchSize: batchSize, progress: printer.line, stepProgress: printer.step)
        } catch {
            FileHandle.standardError.write(Data("sitegen: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        print(IngestSummary(run: result.run, archive: result.archive, elapsed: Date().timeIntervalSince(started)).text)
        if !result.run.skippedFiles.isEmpty || !result.run.partlySkippedFiles.isEmpty { throw ExitCode(1) }
    }
}
