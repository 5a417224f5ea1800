import CSiteSystem
import Foundation
import ReportModel

/// Writes the output folder's sites into a staging folder beside it, then swaps what changed
/// in with renames, so a visitor sees an old version or a new one, never half of each. A site
/// is one entry of the output folder: a reseller's deploy root, the portfolio.
///
/// Files are written as they are rendered (so a build holds one client's pages at a time, not
/// the whole site). Client folders whose content would not change are only noted. At the end,
/// each site is compared with its current version:
/// - the same files, byte for byte, and the same folders: left in place, untouched;
/// - only client folders rendered again (the reseller root's own files, assets and the other
///   client folders are the same): each such client folder, its client's report site, is
///   swapped in with one rename;
/// - anything else (a theme change, a client added or gone): the whole site is swapped in
///   with one rename, its unchanged client folders carried into it as hard links.
final class SiteWriter: @unchecked Sendable {
    let destination: URL
    private let staging: URL
    private let manager = FileManager.default
    private let lock = NSLock()
    private var created: Set<String> = []
    private var plans: [String: SitePlan] = [:]

    init(destination: URL) throws {
        self.destination = destination
        let parent = destination.deletingLastPathComponent()
        staging = parent.appendingPathComponent(".\(destination.lastPathComponent).staging")
        // `.previous` is where sitegen before 0.5 kept the replaced site while swapping.
        let older = parent.appendingPathComponent(".\(destination.lastPathComponent).previous")
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        for leftover in [staging, older] where manager.fileExists(atPath: leftover.path) {
            try FolderRemoval.remove(leftover)
        }
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
    }

    /// Writes files at paths relative to the output root. Safe to call from several threads
    /// for different paths.
    func write(_ files: [String: Data]) throws {
        var kept: [String] = []
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let url = staging.appendingPathComponent(path)
            try makeFolder(url.deletingLastPathComponent())
            if SiteFile.linkIfUnchanged(destination.appendingPathComponent(path).path, holding: data, to: url.path) {
                kept.append(path)
            } else {
                try SiteFile.save(data, to: url.path)
            }
        }
        lock.withLock {
            for path in files.keys {
                let (site, inner) = Self.split(path)
                plans[site, default: SitePlan()].written.insert(inner)
            }
            for path in kept {
                let (site, inner) = Self.split(path)
                plans[site, default: SitePlan()].kept.insert(inner)
            }
        }
    }

    /// Writes one client's folder: `folder` and the paths of `files` are relative to the output
    /// root, the files inside the folder. Safe to call from several threads.
    func write(_ files: [String: Data], clientFolder folder: String) throws {
        try write(files)
        let (site, inner) = Self.split(folder)
        lock.withLock { _ = plans[site, default: SitePlan()].clients.insert(inner) }
    }

    /// Whether the current site has this folder (relative to the output root) to carry over.
    func canCarryOver(_ folder: String) -> Bool {
        var isFolder: ObjCBool = false
        return manager.fileExists(atPath: destination.appendingPathComponent(folder).path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Takes a folder of the current site (relative to the output root, inside a site) into the
    /// new version unchanged. Safe to call from several threads.
    func carryOver(_ folder: String) {
        let (site, inner) = Self.split(folder)
        lock.withLock { _ = plans[site, default: SitePlan()].carried.insert(inner) }
    }

    /// Swaps each changed site, or each changed client folder, in for its current version,
    /// removes the sites this build did not produce, and says what it did.
    func commit() throws -> SiteWriteResult {
        try manager.createDirectory(at: destination, withIntermediateDirectories: true)
        // Pages go live, and the build's render records say they are current, only once
        // their bytes are on disk: after a power cut, a carried-over client folder must not
        // hold files the disk never got.
        try syncFileSystem("write to disk the new pages of")
        var result = SiteWriteResult()
        let sites = plans.sorted { $0.key < $1.key }.map { (name: $0.key, plan: $0.value) }
        let changes = ParallelMap.map(sites) { site in
            SiteComparison(current: destination.appendingPathComponent(site.name), staged: staging.appendingPathComponent(site.name), plan: site.plan).change
        }
        let whole = sites.indices.filter { changes[$0] == .whole }.map { sites[$0] }
        let carried = whole.flatMap { site, plan in plan.carried.sorted().map { (site, $0, plan.written) } }
        let linked = ParallelMap.map(carried) { site, folder, written in
            Result {
                try linkTree(destination.appendingPathComponent(site).appendingPathComponent(folder),
                             to: staging.appendingPathComponent(site).appendingPathComponent(folder),
                             relative: folder, skipping: written)
            }
        }
        for files in linked { result.filesWritten += try files.get() }
        for (index, (site, plan)) in sites.enumerated() {
            let current = destination.appendingPathComponent(site)
            let staged = staging.appendingPathComponent(site)
            switch changes[index] {
            case .none:
                result.sitesUnchanged += 1
            case .clientFolders:
                for folder in plan.clients.sorted() {
                    try FolderSwap.replace(current.appendingPathComponent(folder), with: staged.appendingPathComponent(folder))
                    result.filesWritten += plan.written.filter { $0.hasPrefix(folder + "/") }.count
                    result.filesKept += plan.kept.filter { $0.hasPrefix(folder + "/") }.count
                }
                result.sitesUpdated += 1
                result.clientFoldersReplaced += plan.clients.count
            case .whole:
                try FolderSwap.replace(current, with: staged)
                result.filesWritten += plan.written.count
                result.filesKept += plan.kept.count
                result.sitesReplaced += 1
            }
        }
        try moveUnproducedEntries()
        try syncFileSystem("write to disk the swap of")
        try FolderRemoval.remove(staging)
        return result
    }

    private func syncFileSystem(_ step: String) throws {
        let folder = open(staging.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw SiteFileError(path: staging.path, step: "open", code: errno) }
        defer { close(folder) }
        guard sitegen_sync_file_system(folder) == 0 else { throw SiteFileError(path: destination.path, step: step, code: errno) }
    }

    /// Entries of the output folder this build did not produce (a reseller no longer in the
    /// config) go into the staging folder, which holds the replaced versions and is removed
    /// next. Names are taken as raw bytes: they need not be UTF-8.
    private func moveUnproducedEntries() throws {
        let output = open(destination.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard output >= 0 else { throw SiteFileError(path: destination.path, step: "open", code: errno) }
        defer { close(output) }
        let stagingFolder = open(staging.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard stagingFolder >= 0 else { throw SiteFileError(path: staging.path, step: "open", code: errno) }
        defer { close(stagingFolder) }
        for raw in try FolderEntries.names(atPath: destination.path) {
            if let name = String(validating: raw, as: UTF8.self), plans[name] != nil { continue }
            let cName = raw.map { CChar(bitPattern: $0) } + [0]
            guard renameat(output, cName, stagingFolder, cName) == 0 else {
                throw SiteFileError(path: destination.path + "/" + String(decoding: raw, as: UTF8.self), step: "remove", code: errno)
            }
        }
    }

    /// Removes the staging folder after a failed build; the current site stays as it was.
    func discard() {
        try? FolderRemoval.remove(staging)
    }

    /// "site/inner/path" → ("site", "inner/path"); a file at the root is its own site.
    private static func split(_ path: String) -> (site: String, inner: String) {
        guard let slash = path.firstIndex(of: "/") else { return (path, "") }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// Links the files of a folder tree with plain system calls: a carried-over site has
    /// thousands of folders, and FileManager checks every path component of each. Files this
    /// build wrote (`skipping`, paths relative to the site) keep the new version.
    private func linkTree(_ source: URL, to target: URL, relative: String, skipping written: Set<String>) throws -> Int {
        guard let folder = opendir(source.path) else { return 0 }
        defer { closedir(folder) }
        guard mkdir(target.path, 0o755) == 0 || errno == EEXIST else {
            throw SiteFileError(path: target.path, step: "create the folder", code: errno)
        }
        var count = 0
        for bytes in FolderEntries.names(of: folder) {
            let name = String(decoding: bytes, as: UTF8.self)
            let path = relative + "/" + name
            let from = source.appendingPathComponent(name)
            let to = target.appendingPathComponent(name)
            var info = stat()
            guard fstatat(dirfd(folder), name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                count += try linkTree(from, to: to, relative: path, skipping: written)
            case S_IFREG where !written.contains(path):
                if link(from.path, to.path) != 0 { try manager.copyItem(at: from, to: to) }
                count += 1
            default:
                continue
            }
        }
        return count
    }

    private func makeFolder(_ url: URL) throws {
        let path = url.path
        if lock.withLock({ created.contains(path) }) { return }
        try manager.createDirectory(at: url, withIntermediateDirectories: true)
        lock.withLock { _ = created.insert(path) }
    }
}

/// What the build puts in one site, as paths relative to the site: the files it wrote (those
/// `kept` among them were linked from the current version, whose bytes they have), the client
/// folders it rendered (their files are among those written) and the client folders it carries
/// over from the current version.
struct SitePlan: Sendable {
    var written: Set<String> = []
    var kept: Set<String> = []
    var clients: Set<String> = []
    var carried: Set<String> = []
}

/// What `SiteWriter.commit` did.
struct SiteWriteResult: Sendable {
    /// Files written or carried into what was replaced.
    var filesWritten = 0
    /// Of those, files rendered with the bytes the current version already had, linked into
    /// the new version instead of being written again.
    var filesKept = 0
    /// Sites swapped in whole.
    var sitesReplaced = 0
    /// Sites of which only client folders were swapped in, and how many folders.
    var sitesUpdated = 0
    var clientFoldersReplaced = 0
    var sitesUnchanged = 0
}

/// How a site's new version differs from its current one. Reads the site's own files and
/// folders, not the client folders in it.
struct SiteComparison {
    enum Change: Sendable, Equatable {
        /// The same files, byte for byte, and the same folders.
        case none
        /// Only the client folders rendered again differ (or are new).
        case clientFolders
        case whole
    }

    let current: URL
    let staged: URL
    let plan: SitePlan

    var change: Change {
        if plan.written == [""] { return sameBytes("") ? .none : .whole }
        let outside = plan.written.filter { path in !plan.clients.contains { path.hasPrefix($0 + "/") } }
        var expectedFolders: Set<String> = [""]
        for path in outside.union(plan.carried).union(plan.clients) {
            var folder = path
            while let slash = folder.lastIndex(of: "/") {
                folder = String(folder[..<slash])
                expectedFolders.insert(folder)
            }
        }
        guard outside.sorted().allSatisfy(sameBytes),
              holdsOnlyExpected("", outside: outside, folders: expectedFolders)
        else { return .whole }
        return plan.clients.isEmpty ? .none : .clientFolders
    }

    private func sameBytes(_ path: String) -> Bool {
        let old = path.isEmpty ? current : current.appendingPathComponent(path)
        let new = path.isEmpty ? staged : staged.appendingPathComponent(path)
        var oldInfo = stat(), newInfo = stat()
        if lstat(old.path, &oldInfo) == 0, lstat(new.path, &newInfo) == 0,
           oldInfo.st_dev == newInfo.st_dev, oldInfo.st_ino == newInfo.st_ino {
            return true
        }
        guard let oldBytes = FileManager.default.contents(atPath: old.path),
              let newBytes = FileManager.default.contents(atPath: new.path)
        else { return false }
        return oldBytes == newBytes
    }

    /// Walks the current site, not into client folders: each entry must be a file written, a
    /// carried or rendered client folder, or a folder on the way to one of them; every carried
    /// folder must be there (a rendered one may be new).
    private func holdsOnlyExpected(_ relative: String, outside: Set<String>, folders: Set<String>) -> Bool {
        let url = relative.isEmpty ? current : current.appendingPathComponent(relative)
        guard let names = try? FolderEntries.names(atPath: url.path) else { return false }
        var seen = 0
        for raw in names {
            guard let name = String(validating: raw, as: UTF8.self) else { return false }
            let path = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(url.appendingPathComponent(name).path, &info) == 0 else { return false }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                guard outside.contains(path) else { return false }
            case S_IFDIR where plan.carried.contains(path):
                seen += 1
            case S_IFDIR where plan.clients.contains(path):
                continue
            case S_IFDIR where folders.contains(path):
                guard holdsOnlyExpected(path, outside: outside, folders: folders) else { return false }
            default:
                return false
            }
        }
        return seen == plan.carried.filter { Self.parent(of: $0) == relative }.count
    }

    private static func parent(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
    }
}

/// Replaces a file-system entry with another in one step.
enum FolderSwap {
    /// Puts `new` at `current`'s place; the replaced version ends up at `new`'s path. Where the
    /// file system cannot swap, falls back to two renames through a third name (a moment
    /// without the current entry).
    static func replace(_ current: URL, with new: URL) throws {
        guard FileManager.default.fileExists(atPath: current.path) else {
            try move(new, to: current)
            return
        }
        try exchange(new, current)
    }

    static func exchange(_ first: URL, _ second: URL) throws {
        if sitegen_exchange_paths(first.path, second.path) == 0 { return }
        let code = errno
        guard code == EINVAL || code == ENOSYS || code == ENOTSUP else {
            throw SiteFileError(path: second.path, step: "swap in \(first.path) for", code: code)
        }
        let aside = PublishPaths.sibling(of: second, suffix: ".swap")
        try move(second, to: aside)
        try move(first, to: second)
        try move(aside, to: first)
    }

    static func move(_ from: URL, to: URL) throws {
        guard rename(from.path, to.path) == 0 else {
            throw SiteFileError(path: to.path, step: "rename \(from.path) to", code: errno)
        }
    }
}

/// Removes a folder tree with `unlinkat` relative to each open folder. A site of a thousand
/// clients is tens of thousands of entries; FileManager's removal took seconds for them.
enum FolderRemoval {
    static func remove(_ folder: URL) throws {
        let parent = open(folder.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { throw SiteFileError(path: folder.path, step: "open the folder above", code: errno) }
        defer { close(parent) }
        try remove(Array(folder.lastPathComponent.utf8CString), in: parent, shownAs: folder.path)
    }

    /// `name` is the raw entry name, NUL-terminated: entries need not be UTF-8.
    private static func remove(_ name: [CChar], in parent: Int32, shownAs path: String) throws {
        let folder = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if folder < 0 {
            // Not a folder (or a link to one): an entry to unlink.
            guard unlinkat(parent, name, 0) == 0 || errno == ENOENT else {
                throw SiteFileError(path: path, step: "remove", code: errno)
            }
            return
        }
        guard let listing = fdopendir(folder) else {
            close(folder)
            throw SiteFileError(path: path, step: "list", code: errno)
        }
        defer { closedir(listing) }
        for entryName in FolderEntries.names(of: listing) {
            try remove(entryName.map { CChar(bitPattern: $0) } + [0], in: folder, shownAs: path + "/" + String(decoding: entryName, as: UTF8.self))
        }
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
            throw SiteFileError(path: path, step: "remove the folder", code: errno)
        }
    }
}

/// A staged file written with plain system calls. `Data.write(to:)` also waits for each file to
/// reach the disk, which a build of thousands of pages paid for in CPU and idle cores. Here each
/// file's writing to disk is only started, and `SiteWriter.commit` waits once for all of them.
enum SiteFile {
    static func save(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw SiteFileError(path: path, step: "create the file", code: errno) }
        var failure: Int32?
        data.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count, let base = buffer.baseAddress {
                let written = write(descriptor, base + done, buffer.count - done)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += written
            }
        }
        if failure == nil { _ = sitegen_start_writeback(descriptor) }
        let closed = close(descriptor) == 0 ? nil : errno
        if let code = failure ?? closed { throw SiteFileError(path: path, step: "write the file", code: code) }
    }
}

extension SiteFile {
    /// Links the current version's file at `current` to `path` when it holds exactly `data`,
    /// and says whether it did. An unchanged file then keeps its blocks and modification time
    /// (rsync and web caches see it unchanged), and removing the replaced version frees
    /// nothing: on a file system mounted with `discard`, freeing the blocks of a site's large
    /// downloads made that removal wait seconds for the disk.
    static func linkIfUnchanged(_ current: String, holding data: Data, to path: String) -> Bool {
        let descriptor = open(current, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == data.count,
              holds(descriptor, data)
        else { return false }
        return link(current, path) == 0
    }

    /// Whether the rest of the open file is exactly `data`.
    private static func holds(_ descriptor: Int32, _ data: Data) -> Bool {
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        let matched = data.withUnsafeBytes { expected -> Bool in
            var offset = 0
            while offset < expected.count, let base = expected.baseAddress {
                let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, min(chunk, expected.count - offset)) }
                if got < 0, errno == EINTR { continue }
                guard got > 0, buffer.withUnsafeBytes({ $0.baseAddress.map { memcmp($0, base + offset, got) == 0 } ?? false }) else { return false }
                offset += got
            }
            return true
        }
        return matched && buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 1) } == 0
    }
}

struct SiteFileError: Error, CustomStringConvertible {
    var path: String
    var step: String
    var code: Int32
    var description: String { "cannot \(step) \(path): \(String(cString: strerror(code)))" }
}
