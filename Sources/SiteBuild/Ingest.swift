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

/// An input file found below the reports folder.
struct ListedFile: Sendable {
    var path: String
    var stamp: FileStamp
}

/// Lists the input files of a reports folder.
enum ReportFolder {
    /// Regular files, sorted by relative path; hidden files and folders (`.name`) are not
    /// inputs. Symbolic links are not followed and are reported as skipped.
    ///
    /// A Maildir (a folder holding `cur/` and `new/`) is read as a mailbox: the messages in
    /// `cur/` and `new/`, never `tmp/` (messages still being delivered), and its sub-mailboxes
    /// (Maildir++ `.Folder`s, hidden by name, and Dovecot's plain-named ones); the server's
    /// own files beside them (`dovecot-uidlist`, `subscriptions`, indexes) are not inputs.
    static func list(_ folder: URL) -> (files: [ListedFile], problems: [FileLoad]) {
        let listing = listUnsorted(folder)
        return (listing.files.sorted { $0.path < $1.path }, listing.problems)
    }

    /// As `list`, in the order the folders give their entries: for callers that go on with a
    /// few of the files and sort those (a month of reports is tens of thousands of files).
    static func listUnsorted(_ folder: URL) -> (files: [ListedFile], problems: [FileLoad]) {
        var files: [ListedFile] = []
        var problems: [FileLoad] = []
        walk(folder, relative: "", files: &files, problems: &problems)
        return (files, problems.sorted { $0.file < $1.file })
    }

    static func isMaildir(_ folder: URL) -> Bool {
        ["cur", "new"].allSatisfy { name in
            let values = try? folder.appendingPathComponent(name).resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
            return values?.isDirectory == true && values?.isSymbolicLink != true
        }
    }

    private static func walkMaildir(_ folder: URL, relative: String, files: inout [ListedFile], problems: inout [FileLoad]) {
        let prefix = relative.isEmpty ? "" : relative + "/"
        for messages in ["cur", "new"] {
            walk(folder.appendingPathComponent(messages), relative: prefix + messages, files: &files, problems: &problems)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where !["cur", "new", "tmp"].contains(name) {
            let url = folder.appendingPathComponent(name)
            let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isDirectoryKey])
            if values?.isDirectory == true, values?.isSymbolicLink != true, isMaildir(url) {
                walkMaildir(url, relative: prefix + name, files: &files, problems: &problems)
            }
        }
    }

    private static func walk(_ folder: URL, relative: String, files: inout [ListedFile], problems: inout [FileLoad]) {
        if isMaildir(folder) {
            walkMaildir(folder, relative: relative, files: &files, problems: &problems)
            return
        }
        guard let directory = opendir(folder.path) else { return }
        defer { closedir(directory) }
        let prefix = relative.isEmpty ? "" : relative + "/"
        for entry in entries(of: directory, prefix: prefix) {
            switch entry {
            case .file(let file):
                files.append(file)
            case .folder(let name, let path):
                walk(folder.appendingPathComponent(name), relative: path, files: &files, problems: &problems)
            case .link(let path):
                var load = FileLoad(file: path)
                load.problems.append(LoadProblem(source: ReportSource(file: path), step: .read, reason: "a symbolic link; links are not followed"))
                problems.append(load)
            case .undecodable(let path):
                var load = FileLoad(file: path)
                load.problems.append(LoadProblem(
                    source: ReportSource(file: path), step: .read,
                    reason: "the name is not valid UTF-8 (shown with \u{FFFD} for the bad bytes), so it cannot be read; rename it"))
                problems.append(load)
            case .other:
                continue
            }
        }
    }

    private enum Entry: Sendable {
        case file(ListedFile)
        case folder(name: String, path: String)
        case link(path: String)
        case undecodable(path: String)
        case other
    }

    /// The visible entries of an open folder, each `lstat`ed relative to the folder (no path
    /// walk per file) in slices on all cores: a month of reports is tens of thousands of files
    /// in one folder, and this runs on every build. Names stay in one buffer until a path is
    /// made for them.
    private static func entries(of directory: OpaquePointer, prefix: String) -> [Entry] {
        let names = FolderNameBuffer(FolderEntries.names(of: directory).filter { $0.first != UInt8(ascii: ".") })
        let folder = dirfd(directory)
        let slice = 2_048
        return ParallelMap.map(Array(stride(from: 0, to: names.count, by: slice))) { start in
            (start..<min(start + slice, names.count)).map { index in
                names.withName(index) { raw, cName -> Entry in
                    guard let name = String(validating: raw, as: UTF8.self) else {
                        return .undecodable(path: prefix + String(decoding: raw, as: UTF8.self))
                    }
                    var info = stat()
                    guard fstatat(folder, cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return .other }
                    let path = prefix + name
                    switch info.st_mode & S_IFMT {
                    case S_IFREG:
                        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
                        return .file(ListedFile(path: path, stamp: FileStamp(size: Int64(info.st_size), modified: modified)))
                    case S_IFDIR: return .folder(name: name, path: path)
                    case S_IFLNK: return .link(path: path)
                    default: return .other
                    }
                } ?? .other
            }
        }.flatMap { $0 }
    }
}

/// Raw entry names in one NUL-separated buffer, so looking each one up needs no copy of it.
private struct FolderNameBuffer: Sendable {
    private var bytes: [UInt8] = []
    private var starts: [Int] = []

    init(_ names: [[UInt8]]) {
        bytes.reserveCapacity(names.reduce(0) { $0 + $1.count + 1 })
        for name in names {
            starts.append(bytes.count)
            bytes += name
            bytes.append(0)
        }
    }

    var count: Int { starts.count }

    /// The name's bytes (without the NUL) and the same bytes as a C string.
    func withName<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<CChar>) -> Result) -> Result? {
        let start = starts[index]
        let end = index + 1 < starts.count ? starts[index + 1] - 1 : bytes.count - 1
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let name = UnsafeBufferPointer(rebasing: buffer[start..<end])
            return UnsafeRawPointer(base + start).withMemoryRebound(to: CChar.self, capacity: end - start + 1) { body(name, $0) }
        }
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
