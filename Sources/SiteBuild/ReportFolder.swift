#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import ReportArchive
import ReportModel

/// An input file found below the reports folder.
struct ListedFile: Sendable {
    var path: String
    var stamp: FileStamp
    var inode: UInt64
}

/// What listing the reports folder found.
struct FolderListing: Sendable {
    /// The files to compare with the archive's stamps: every file, or with a listing memory,
    /// those that are not settled files known by name and inode.
    var files: [ListedFile] = []
    var problems: [FileLoad] = []
    /// Every folder seen, to remember once the files listed in it are committed; a folder that
    /// must be read again next time has the stamp `.readAgain`.
    var folders: [String: RememberedFolder] = [:]

    /// Input files below the reports folder, listed or remembered.
    var fileCount: Int { folders.values.reduce(0) { $0 + $1.files } }

    /// Marks the folders holding these paths to be read again (files that were not recorded).
    mutating func readAgain(foldersOf paths: some Sequence<String>) {
        for path in paths {
            let folder = String(PreparedFile.folder(of: path))
            folders[folder]?.stamp = .readAgain
        }
    }
}

/// Lists the input files of a reports folder.
///
/// Regular files are inputs; hidden files and folders (`.name`) are not. Symbolic links are not
/// followed and are reported as skipped.
///
/// A Maildir (a folder holding `cur/` and `new/`) is read as a mailbox: the messages in
/// `cur/` and `new/`, never `tmp/` (messages still being delivered), and its sub-mailboxes
/// (Maildir++ `.Folder`s, hidden by name, and Dovecot's plain-named ones); the server's
/// own files beside them (`dovecot-uidlist`, `subscriptions`, indexes) are not inputs.
///
/// With a listing memory, a folder whose stamp is unchanged is not read: only its remembered
/// subfolders are visited and its unsettled files looked at. In a folder that is read, a
/// settled file with the same name and inode as before is taken as known without a `stat`.
struct ReportFolder {
    private let memory: ListingMemory?
    private let settledFiles: @Sendable (String) throws -> [UInt64: String]
    /// A folder changed at or after this time (ns since 1970) is read again next time: another
    /// change within the same tick of its clock would leave its stamp as it is.
    private let changedBefore: Int64
    private var listing = FolderListing()
    /// Remembered subfolders and unsettled files, by their folder.
    private let subfolders: [String: [String]]
    private let unsettledNames: [String: [String]]

    /// Every file is listed and `stat`ed.
    init() {
        self.init(memory: nil, settledFiles: { _ in [:] })
    }

    init(memory: ListingMemory?, settledFiles: @escaping @Sendable (String) throws -> [UInt64: String], now: Date = Date()) {
        self.memory = memory
        self.settledFiles = settledFiles
        changedBefore = Int64((now.timeIntervalSince1970 - 2) * 1_000_000_000)
        // The reports folder ("") is nobody's subfolder.
        subfolders = Dictionary(grouping: memory?.folders.keys.filter { !$0.isEmpty } ?? []) { String(PreparedFile.folder(of: $0)) }
        unsettledNames = Dictionary(grouping: (memory?.unsettledFiles.keys).map(Array.init) ?? []) { String(PreparedFile.folder(of: $0)) }
    }

    /// Files sorted by relative path.
    static func list(_ folder: URL) -> (files: [ListedFile], problems: [FileLoad]) {
        var walker = ReportFolder()
        let listing = (try? walker.list(folder)) ?? FolderListing()
        return (listing.files.sorted { $0.path < $1.path }, listing.problems)
    }

    /// Files in the order the folders give them: callers go on with a few of them and sort
    /// those (a month of reports is tens of thousands of files).
    mutating func list(_ folder: URL) throws -> FolderListing {
        listing = FolderListing()
        try walk(folder, relative: "")
        listing.problems.sort { $0.file < $1.file }
        return listing
    }

    static func isMaildir(_ folder: URL) -> Bool {
        ["cur", "new"].allSatisfy { name in
            let values = try? folder.appendingPathComponent(name).resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
            return values?.isDirectory == true && values?.isSymbolicLink != true
        }
    }

    private mutating func walkMaildir(_ folder: URL, relative: String) throws {
        // Its own entries are not inputs, and its mailboxes are found anew on every run.
        listing.folders[relative] = RememberedFolder(stamp: .readAgain, files: 0)
        let prefix = relative.isEmpty ? "" : relative + "/"
        for messages in ["cur", "new"] {
            try walk(folder.appendingPathComponent(messages), relative: prefix + messages)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where !["cur", "new", "tmp"].contains(name) {
            let url = folder.appendingPathComponent(name)
            let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isDirectoryKey])
            if values?.isDirectory == true, values?.isSymbolicLink != true, Self.isMaildir(url) {
                try walkMaildir(url, relative: prefix + name)
            }
        }
    }

    private mutating func walk(_ folder: URL, relative: String) throws {
        if Self.isMaildir(folder) {
            try walkMaildir(folder, relative: relative)
            return
        }
        // A folder that cannot be opened now is still remembered as a subfolder to visit, so a
        // parent that does not change meanwhile does not hide it once it can be read.
        let unreadable = RememberedFolder(stamp: .readAgain, files: 0)
        guard let directory = opendir(folder.path) else {
            listing.folders[relative] = unreadable
            return
        }
        defer { closedir(directory) }
        var info = stat()
        guard fstat(dirfd(directory), &info) == 0 else {
            listing.folders[relative] = unreadable
            return
        }
        let stamp = FolderStamp(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
            modified: Self.nanoseconds(info.st_mtim), changed: Self.nanoseconds(info.st_ctim))
        if let remembered = memory?.folders[relative], remembered.stamp == stamp {
            try walkUnchanged(directory, folder: folder, relative: relative, remembered: remembered)
            return
        }

        let prefix = relative.isEmpty ? "" : relative + "/"
        // Looked up while the folder is read: both take a while for a month of reports.
        let settledLookup = memory == nil ? nil : BackgroundTask { [settledFiles] in try settledFiles(relative) }
        let names = FolderEntries.list(of: directory)
        let settled = try settledLookup?.wait() ?? [:]
        var files = 0
        var complete = true
        for entry in Self.entries(names, of: directory, prefix: prefix, settled: settled) {
            switch entry {
            case .file(let file):
                files += 1
                listing.files.append(file)
            case .settledFile:
                files += 1
            case .folder(let name, let path):
                try walk(folder.appendingPathComponent(name), relative: path)
            case .link(let path):
                complete = false
                var load = FileLoad(file: path)
                load.problems.append(LoadProblem(source: ReportSource(file: path), step: .read, reason: "a symbolic link; links are not followed"))
                listing.problems.append(load)
            case .undecodable(let path):
                complete = false
                var load = FileLoad(file: path)
                load.problems.append(LoadProblem(
                    source: ReportSource(file: path), step: .read,
                    reason: "the name is not valid UTF-8 (shown with \u{FFFD} for the bad bytes), so it cannot be read; rename it"))
                listing.problems.append(load)
            case .gone:
                complete = false
            case .other:
                continue
            }
        }
        // A folder with problems is read again, so they are reported on every run.
        let settles = complete && stamp.modified < changedBefore && stamp.changed < changedBefore
        listing.folders[relative] = RememberedFolder(stamp: settles ? stamp : .readAgain, files: files)
    }

    /// A folder with no entry added, removed or renamed since it was read: its subfolders as
    /// remembered, and its unsettled files, which may have grown in place.
    private mutating func walkUnchanged(_ directory: OpaquePointer, folder: URL, relative: String, remembered: RememberedFolder) throws {
        listing.folders[relative] = remembered
        let prefix = relative.isEmpty ? "" : relative + "/"
        for path in unsettledNames[relative] ?? [] {
            var info = stat()
            let name = String(path.utf8.dropFirst(prefix.utf8.count)) ?? path
            guard fstatat(dirfd(directory), name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            listing.files.append(ListedFile(path: path, stamp: Self.stamp(info), inode: UInt64(info.st_ino)))
        }
        for path in (subfolders[relative] ?? []).sorted() {
            let name = String(path.utf8.dropFirst(prefix.utf8.count)) ?? path
            try walk(folder.appendingPathComponent(name), relative: path)
        }
    }

    private enum Entry: Sendable {
        case file(ListedFile)
        /// A settled file with the name and inode the archive knows: not looked up.
        case settledFile
        case folder(name: String, path: String)
        case link(path: String)
        case undecodable(path: String)
        /// Removed between the listing and its lookup.
        case gone
        /// Not an input: a device, a socket, a pipe, a hidden entry.
        case other
    }

    /// The entries of an open folder, each `lstat`ed relative to the folder (no path walk per
    /// file) in slices on all cores: a month of reports is tens of thousands of files in one
    /// folder.
    private static func entries(_ names: FolderEntries.List, of directory: OpaquePointer, prefix: String, settled: [UInt64: String]) -> [Entry] {
        let folder = dirfd(directory)
        let prefixLength = prefix.utf8.count
        let slice = 2_048
        return ParallelMap.map(Array(stride(from: 0, to: names.count, by: slice))) { start in
            (start..<min(start + slice, names.count)).map { index in
                names.withName(index) { raw, cName -> Entry in
                    guard raw.first != UInt8(ascii: ".") else { return .other }
                    func isSettled(_ inode: UInt64) -> Bool {
                        guard let path = settled[inode], path.utf8.count == prefixLength + raw.count else { return false }
                        return path.utf8.withContiguousStorageIfAvailable { stored in
                            guard let storedBase = stored.baseAddress, let rawBase = raw.baseAddress else { return false }
                            return memcmp(storedBase + prefixLength, rawBase, raw.count) == 0
                        } ?? path.utf8.dropFirst(prefixLength).elementsEqual(raw)
                    }
                    if names.isRegularFile(index), isSettled(names.inode(index)) { return .settledFile }
                    guard let name = String(validating: raw, as: UTF8.self) else {
                        return .undecodable(path: prefix + String(decoding: raw, as: UTF8.self))
                    }
                    var info = stat()
                    guard fstatat(folder, cName, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return .gone }
                    let path = prefix + name
                    switch info.st_mode & S_IFMT {
                    // The folder's own inode numbers can differ from `stat`'s (overlay file systems).
                    case S_IFREG where isSettled(UInt64(info.st_ino)): return .settledFile
                    case S_IFREG: return .file(ListedFile(path: path, stamp: stamp(info), inode: UInt64(info.st_ino)))
                    case S_IFDIR: return .folder(name: name, path: path)
                    case S_IFLNK: return .link(path: path)
                    default: return .other
                    }
                } ?? .other
            }
        }.flatMap { $0 }
    }

    private static func stamp(_ info: stat) -> FileStamp {
        FileStamp(size: Int64(info.st_size), modified: nanoseconds(info.st_mtim))
    }

    private static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
