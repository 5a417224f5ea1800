import ContentDigest
import Foundation
import ReportModel
import SiteBuild

/// What the phases share: the workspace, the themes, and where progress lines go.
public struct BenchContext: Sendable {
    public var workspace: BenchWorkspace
    public var builtinThemes: URL
    public var progress: @Sendable (String) -> Void

    public init(workspace: BenchWorkspace, builtinThemes: URL, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.workspace = workspace
        self.builtinThemes = builtinThemes
        self.progress = progress
    }

    /// Builds into `<work>/public` with the workspace's archive, `<work>/.sitegen/archive.sqlite`.
    func buildOptions(reuseUnchanged: Bool) -> BuildOptions {
        BuildOptions(workspace: workspace.folder, output: workspace.outputFolder, builtinThemes: builtinThemes,
                     archive: .workspace, reuseUnchanged: reuseUnchanged)
    }
}

/// One measurement of the benchmark: a name and the function that measures it. Each phase
/// uses the public API in process, so pointing a phase at another API (an archive, an
/// incremental build) is a matter of giving it another function.
public struct BenchPhase: Sendable {
    public var name: String
    public var measure: @Sendable (BenchContext) throws -> [BenchRow]

    public init(name: String, measure: @escaping @Sendable (BenchContext) throws -> [BenchRow]) {
        self.name = name
        self.measure = measure
    }

    /// Generation, ingest, full build, rebuild after one new file.
    public static let standard: [BenchPhase] = [.generate, .ingest, .fullBuild, .rebuildAfterOneNewFile]

    /// Writes the workspace unless the work folder already holds the same shape.
    public static let generate = BenchPhase(name: "generate") { context in
        let workspace = context.workspace
        guard !workspace.isReusable else {
            return [BenchRow(measurement: "generate workspace", value: "reused", note: "same shape already in \(workspace.folder.path)")]
        }
        context.progress("[bench] generating \(workspace.shape) into \(workspace.folder.path)")
        let (counts, seconds) = try BenchClock.measure { try workspace.generate() }
        return [
            BenchRow(measurement: "generate workspace", value: BenchFormat.seconds(seconds),
                     note: "\(BenchFormat.integer(counts.files)) files, \(BenchFormat.integer(counts.records)) records, \(BenchFormat.megabytes(counts.bytes))"),
        ]
    }

    /// Ingests every report into a new archive, after one read of every file to warm the page cache.
    public static let ingest = BenchPhase(name: "ingest") { context in
        try context.workspace.removeAddedReports()
        try context.workspace.removeArchive()
        context.progress("[bench] warming the page cache")
        let warm = BenchFileWarmer.readAll(below: context.workspace.reportsFolder)
        context.progress("[bench] reading and hashing \(BenchFormat.integer(warm.files)) files")
        let (hashed, hashSeconds, hashCPU) = BenchClock.measureWithCPU { BenchFileWarmer.readAndHash(warm.paths) }
        context.progress("[bench] ingesting \(BenchFormat.integer(warm.files)) files into a new archive")
        let (result, seconds, cpu) = try BenchClock.measureWithCPU {
            do {
                return try SiteBuilder(options: context.buildOptions(reuseUnchanged: true)).ingest().run
            } catch {
                throw BenchError(phase: "ingest", reason: "\(error)")
            }
        }
        let files = result.filesRead + result.filesKnown
        let skipped = result.skippedFiles.count
        return [
            BenchRow(measurement: "ingest files", value: BenchFormat.rate(Double(files), seconds, unit: "files/s"),
                     target: BenchTarget(.atLeast, 40_000, unit: "files/s"), measured: Double(files) / seconds,
                     note: "\(BenchFormat.integer(files)) files in \(BenchFormat.seconds(seconds))\(BenchClock.cpuNote(cpu)), warm cache, into SQLite"
                         + (skipped > 0 ? ", \(skipped) skipped" : "")),
            BenchRow(measurement: "ingest records", value: BenchFormat.rate(Double(result.recordsRead), seconds, unit: "records/s"),
                     note: "\(BenchFormat.integer(result.recordsRead)) records of \(BenchFormat.integer(result.added.addedReports)) reports"),
            BenchRow(measurement: "read + SHA-256 alone", value: BenchFormat.rate(Double(hashed), hashSeconds, unit: "files/s"),
                     note: "\(BenchFormat.integer(hashed)) files opened, read and hashed on all cores as the ingest does, nothing parsed or stored "
                         + "(\(BenchFormat.seconds(hashSeconds))\(BenchClock.cpuNote(hashCPU))): the part of the ingest no parser change removes"),
        ]
    }

    /// A `SiteBuilder.build` from the archive into `<work>/public` that renders every client.
    public static let fullBuild = BenchPhase(name: "full build") { context in
        context.progress("[bench] full build")
        let (report, seconds, cpu) = try BenchClock.measureWithCPU { try build(context, reuseUnchanged: false) }
        // The target is for 1,000 clients; another size is judged by linear extrapolation.
        let clients = context.workspace.shape.clients
        let perThousand = seconds * 1_000 / Double(clients)
        return [
            BenchRow(measurement: "full build", value: BenchFormat.seconds(seconds),
                     target: BenchTarget(.below, 30, unit: "s (1,000 clients)"), measured: perThousand,
                     note: "\(BenchFormat.integer(clients)) clients\(BenchClock.cpuNote(cpu))"
                         + (clients == 1_000 ? "" : ", ≈ \(BenchFormat.seconds(perThousand)) for 1,000") + failureNote(report)),
            BenchRow(measurement: "full build pages", value: BenchFormat.rate(Double(report.pages), seconds, unit: "pages/s"),
                     note: "\(BenchFormat.integer(report.pages)) pages, \(BenchFormat.integer(report.filesWritten)) files"
                         + (report.filesKept > 0 ? " (\(BenchFormat.integer(report.filesKept)) unchanged from the last build and kept)" : "")),
        ]
    }

    /// Adds one new report file and builds again: the file is ingested and only its client is
    /// rendered. The file is removed afterwards so the work folder stays reusable (its report
    /// stays in the archive until the next ingest phase starts a new one).
    public static let rebuildAfterOneNewFile = BenchPhase(name: "rebuild") { context in
        let added = try context.workspace.addOneReport()
        defer { try? context.workspace.removeAddedReports() }
        context.progress("[bench] rebuild after adding \(added.lastPathComponent)")
        let (report, seconds, cpu) = try BenchClock.measureWithCPU { try build(context, reuseUnchanged: true) }
        return [
            BenchRow(measurement: "rebuild after one new file", value: BenchFormat.seconds(seconds),
                     target: BenchTarget(.below, 1, unit: "s"), measured: seconds,
                     note: "\(report.filesRead) file read, \(report.clients - report.clientsReused) client rendered, \(report.clientsReused) carried over; "
                         + "\(report.clientFoldersReplaced) client folder and \(report.sitesReplaced) site swapped in, \(report.sitesUnchanged) sites untouched"
                         + BenchClock.cpuNote(cpu) + failureNote(report)),
        ]
    }

    private static func build(_ context: BenchContext, reuseUnchanged: Bool) throws -> BuildReport {
        do {
            return try SiteBuilder(options: context.buildOptions(reuseUnchanged: reuseUnchanged)).build { line in
                if line.hasPrefix("[render]") || line.hasPrefix("[write]") { context.progress(line) }
            }
        } catch {
            throw BenchError(phase: "build", reason: error.description)
        }
    }

    private static func failureNote(_ report: BuildReport) -> String {
        var parts: [String] = []
        if !report.failures.isEmpty { parts.append("\(report.failures.count) failures: \(report.failures[0].description)") }
        if !report.skippedFiles.isEmpty { parts.append("\(report.skippedFiles.count) files skipped") }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: "; ")
    }
}

/// Reads every file below a folder once, in parallel, so the timed ingest reads from memory.
enum BenchFileWarmer {
    static func readAll(below folder: URL) -> (files: Int, bytes: Int, paths: [String]) {
        var paths: [String] = []
        if let walker = FileManager.default.enumerator(atPath: folder.path) {
            while let path = walker.nextObject() as? String {
                var isFolder: ObjCBool = false
                let full = folder.appendingPathComponent(path).path
                if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue {
                    paths.append(full)
                }
            }
        }
        let sizes = ParallelMap.map(paths) { path in
            (try? Data(contentsOf: URL(fileURLWithPath: path)).count) ?? 0
        }
        return (paths.count, sizes.reduce(0, +), paths)
    }

    /// Reads and hashes each file with the ingest's own primitives; the number of files read.
    static func readAndHash(_ paths: [String]) -> Int {
        let read = ParallelMap.map(paths) { path in
            guard case .success(let data) = FileBytes.contents(ofPath: path, limit: InputLimits().maxFileBytes) else { return 0 }
            return SHA256.hash(data).isEmpty ? 0 : 1
        }
        return read.reduce(0, +)
    }
}

/// Wall-clock seconds of a piece of work, and with `measureWithCPU` the CPU seconds of the
/// whole process meanwhile: a loaded machine stretches wall time but hardly CPU time.
enum BenchClock {
    static func measure<T>(_ work: () throws -> T) rethrows -> (T, Double) {
        let (value, wall, _) = try measureWithCPU(work)
        return (value, wall)
    }

    static func measureWithCPU<T>(_ work: () throws -> T) rethrows -> (T, wall: Double, cpu: Double) {
        let cpuStart = ProcessStats.cpuSeconds
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try work()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (value, max(elapsed, 1e-9), ProcessStats.cpuSeconds - cpuStart)
    }

    /// ", 12.3 s CPU".
    static func cpuNote(_ cpu: Double) -> String {
        ", " + BenchFormat.seconds(cpu) + " CPU"
    }
}
