#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ReportArchive
import ReportModel

/// What reading the reports folder produced.
public struct IngestResult: Sendable {
    /// One entry per file, sorted by relative path.
    public var files: [FileLoad]
    public var unique: [LoadedReport]
    public var uniqueTLS: [LoadedTLSReport]
    /// Repeated reports of both kinds, in path order.
    public var duplicates: [DuplicateReport]

    /// Reports of both kinds, duplicates included.
    public var reportsRead: Int { files.reduce(0) { $0 + $1.reportCount } }
    public var problems: [LoadProblem] { files.flatMap(\.problems) }
    /// Files that gave no report at all.
    public var skippedFiles: [FileLoad] { files.filter { $0.reportCount == 0 } }
    /// Files that gave reports but also had parts that could not be used (e.g. a bad zip entry).
    public var partlySkippedFiles: [FileLoad] { files.filter { $0.reportCount > 0 && !$0.problems.isEmpty } }
}

/// Reads every file below a folder, in parallel, and removes duplicate reports.
public struct ReportIngester: Sendable {
    public var loader: ReportLoader

    public init(limits: InputLimits = .standard) {
        loader = ReportLoader(limits: limits)
    }

    public func ingest(folder: URL, progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> IngestResult {
        let (listed, listingProblems) = ReportFolder.list(folder)
        let paths = listed.map(\.path)
        let counter = ProgressCounter()
        var files = ParallelMap.map(paths) { path in
            let load = loader.load(contentsOf: folder.appendingPathComponent(path), as: path)
            progress(counter.increment(), paths.count)
            return load
        } + listingProblems
        files.sort { $0.file < $1.file }
        var aggregate = ReportDeduplicator<LoadedReport>()
        var tls = ReportDeduplicator<LoadedTLSReport>()
        var budget = CountBudget(limit: loader.limits.maxTotalCount)
        for index in files.indices {
            var refused: [LoadProblem] = []
            func admit(_ count: Int, _ source: ReportSource) -> Bool {
                guard let problem = budget.admit(count, source) else { return true }
                refused.append(problem)
                return false
            }
            var reports: [LoadedReport] = []
            for loaded in files[index].reports.sorted(by: { $0.source < $1.source })
            where aggregate.contains(loaded.report.identity) || admit(loaded.report.messageCount, loaded.source) {
                aggregate.add(loaded)
                reports.append(loaded)
            }
            var tlsReports: [LoadedTLSReport] = []
            for loaded in files[index].tlsReports.sorted(by: { $0.source < $1.source })
            where tls.contains(loaded.report.identity) || admit(loaded.report.countedSessions, loaded.source) {
                tls.add(loaded)
                tlsReports.append(loaded)
            }
            files[index].reports = reports
            files[index].tlsReports = tlsReports
            files[index].problems += refused
        }
        return IngestResult(
            files: files, unique: aggregate.unique, uniqueTLS: tls.unique,
            duplicates: (aggregate.duplicates + tls.duplicates).sorted { $0.dropped < $1.dropped })
    }
}

final class ProgressCounter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()

    func increment() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
}

/// Admits reports while the messages and sessions they count stay within a limit together,
/// so that no total (or percentage of one) can overflow.
struct CountBudget {
    let limit: Int
    private(set) var counted: Int

    init(limit: Int, counted: Int = 0) {
        self.limit = limit
        self.counted = counted
    }

    /// nil when admitted; else why the report is left out.
    mutating func admit(_ count: Int, _ source: ReportSource) -> LoadProblem? {
        let (sum, overflow) = counted.addingReportingOverflow(count)
        guard !overflow, sum <= limit else {
            return LoadProblem(
                source: source, step: .total,
                reason: "left out: with its \(count) messages or sessions the reports would count more than \(limit) together, "
                    + "so no total could be trusted")
        }
        counted = sum
        return nil
    }

    /// The file's reports that fit, in source order; the others become problems of the file.
    mutating func admit(_ load: FileLoad) -> FileLoad {
        var admitted = load
        admitted.reports = load.reports.sorted { $0.source < $1.source }.filter { loaded in
            guard let problem = admit(loaded.report.messageCount, loaded.source) else { return true }
            admitted.problems.append(problem)
            return false
        }
        admitted.tlsReports = load.tlsReports.sorted { $0.source < $1.source }.filter { loaded in
            guard let problem = admit(loaded.report.countedSessions, loaded.source) else { return true }
            admitted.problems.append(problem)
            return false
        }
        return admitted
    }
}
