import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        let (paths, listingProblems) = ReportFolder.list(folder)
        let counter = ProgressCounter()
        var files = ParallelMap.map(paths) { path in
            let load = loader.load(contentsOf: folder.appendingPathComponent(path), as: path)
            progress(counter.increment(), paths.count)
            return load
        } + listingProblems
        files.sort { $0.file < $1.file }
        var aggregate = ReportDeduplicator<LoadedReport>()
        var tls = ReportDeduplicator<LoadedTLSReport>()
        var counted = 0
        let limit = loader.limits.maxTotalCount
        var refused: [LoadProblem] = []
        /// Admits a new report while the build's total stays within the limit.
        func admit(_ count: Int, _ source: ReportSource) -> Bool {
            let (sum, overflow) = counted.addingReportingOverflow(count)
            guard !overflow, sum <= limit else {
                refused.append(LoadProblem(
                    source: source, step: .total,
                    reason: "left out: with its \(count) messages or sessions the reports would count more than \(limit) together, "
                        + "so no total could be trusted"))
                return false
            }
            counted = sum
            return true
        }
        for index in files.indices {
            refused = []
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

/// Lists the input files of a reports folder.
enum ReportFolder {
    /// Relative paths of regular files, sorted; hidden files and folders (`.name`) are not
    /// inputs. Symbolic links are not followed and are reported as skipped.
    static func list(_ folder: URL) -> (paths: [String], problems: [FileLoad]) {
        var paths: [String] = []
        var problems: [FileLoad] = []
        walk(folder, relative: "", paths: &paths, problems: &problems)
        return (paths.sorted(), problems)
    }

    private static func walk(_ folder: URL, relative: String, paths: inout [String], problems: inout [FileLoad]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        // Foundation leaves out names that are not UTF-8; they are listed as skipped instead.
        for name in undecodableNames(in: folder) where !name.hasPrefix(".") {
            let path = relative.isEmpty ? name : relative + "/" + name
            var load = FileLoad(file: path)
            load.problems.append(LoadProblem(
                source: ReportSource(file: path), step: .read,
                reason: "the name is not valid UTF-8 (shown with \u{FFFD} for the bad bytes), so it cannot be read; rename it"))
            problems.append(load)
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let path = relative.isEmpty ? name : relative + "/" + name
            let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isDirectoryKey, .isRegularFileKey])
            if values?.isSymbolicLink == true {
                var load = FileLoad(file: path)
                load.problems.append(LoadProblem(source: ReportSource(file: path), step: .read, reason: "a symbolic link; links are not followed"))
                problems.append(load)
            } else if values?.isDirectory == true {
                walk(url, relative: path, paths: &paths, problems: &problems)
            } else if values?.isRegularFile == true {
                paths.append(path)
            }
        }
    }
}

extension ReportFolder {
    /// Entries of `folder` whose names are not valid UTF-8, decoded with U+FFFD for the bad bytes.
    static func undecodableNames(in folder: URL) -> [String] {
        guard let directory = opendir(folder.path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if String(validating: bytes, as: UTF8.self) == nil {
                names.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        return names.sorted()
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

extension TLSReport {
    /// Everything the aggregation adds up from this report: the summary counts and the failure
    /// details' counts (each bounded by the parser, so the sum cannot overflow).
    var countedSessions: Int {
        policies.reduce(0) { sum, policy in
            sum + policy.totalSuccessfulSessions + policy.totalFailureSessions + policy.failures.reduce(0) { $0 + $1.failedSessionCount }
        }
    }
}
