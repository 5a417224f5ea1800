import Foundation

/// Writes a whole output tree into a staging folder beside the destination, then swaps it in
/// with renames, so a reader sees the old site or the new one, never half of each.
///
/// Files are written as they are rendered (so a build holds one client's pages at a time, not
/// the whole site), and folders of the current site whose content would not change are carried
/// into the staging folder as hard links instead of being rendered again.
final class SiteWriter: @unchecked Sendable {
    let destination: URL
    private let staging: URL
    private let previous: URL
    private let manager = FileManager.default
    private let lock = NSLock()
    private var created: Set<String> = []
    private(set) var filesWritten = 0

    init(destination: URL) throws {
        self.destination = destination
        let parent = destination.deletingLastPathComponent()
        staging = parent.appendingPathComponent(".\(destination.lastPathComponent).staging")
        previous = parent.appendingPathComponent(".\(destination.lastPathComponent).previous")
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        for leftover in [staging, previous] where manager.fileExists(atPath: leftover.path) {
            try FolderRemoval.remove(leftover)
        }
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
    }

    /// Writes files at paths relative to the output root. Safe to call from several threads
    /// for different paths.
    func write(_ files: [String: Data]) throws {
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let url = staging.appendingPathComponent(path)
            try makeFolder(url.deletingLastPathComponent())
            try data.write(to: url)
        }
        lock.withLock { filesWritten += files.count }
    }

    /// Whether the current site has this folder (relative to the output root) to carry over.
    func canCarryOver(_ folder: String) -> Bool {
        var isFolder: ObjCBool = false
        return manager.fileExists(atPath: destination.appendingPathComponent(folder).path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// Takes a folder of the current site into the new one unchanged (hard links; a copy where
    /// links are not possible). Returns the number of files carried.
    @discardableResult
    func carryOver(_ folder: String) throws -> Int {
        let source = destination.appendingPathComponent(folder)
        let target = staging.appendingPathComponent(folder)
        try makeFolder(target.deletingLastPathComponent())
        let count = try linkTree(source, to: target)
        lock.withLock { filesWritten += count }
        return count
    }

    /// Swaps the staging folder in for the destination.
    func commit() throws {
        if manager.fileExists(atPath: destination.path) {
            try manager.moveItem(at: destination, to: previous)
        }
        try manager.moveItem(at: staging, to: destination)
        if manager.fileExists(atPath: previous.path) {
            try FolderRemoval.remove(previous)
        }
    }

    /// Removes the staging folder after a failed build; the current site stays as it was.
    func discard() {
        try? FolderRemoval.remove(staging)
    }

    /// Links the files of a folder tree with plain system calls: a carried-over site has
    /// thousands of folders, and FileManager checks every path component of each.
    private func linkTree(_ source: URL, to target: URL) throws -> Int {
        guard let folder = opendir(source.path) else { return 0 }
        defer { closedir(folder) }
        guard mkdir(target.path, 0o755) == 0 || errno == EEXIST else {
            throw CarryOverError(path: target.path, step: "create the folder", code: errno)
        }
        var count = 0
        for bytes in FolderEntries.names(of: folder) {
            let name = String(decoding: bytes, as: UTF8.self)
            let from = source.appendingPathComponent(name)
            let to = target.appendingPathComponent(name)
            var info = stat()
            guard fstatat(dirfd(folder), name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                count += try linkTree(from, to: to)
            case S_IFREG:
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

/// Removes a folder tree with `unlinkat` relative to each open folder. A site of a thousand
/// clients is tens of thousands of entries; FileManager's removal took seconds for them.
enum FolderRemoval {
    static func remove(_ folder: URL) throws {
        let parent = open(folder.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { throw CarryOverError(path: folder.path, step: "open the folder above", code: errno) }
        defer { close(parent) }
        try remove(Array(folder.lastPathComponent.utf8CString), in: parent, shownAs: folder.path)
    }

    /// `name` is the raw entry name, NUL-terminated: entries need not be UTF-8.
    private static func remove(_ name: [CChar], in parent: Int32, shownAs path: String) throws {
        let folder = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if folder < 0 {
            // Not a folder (or a link to one): an entry to unlink.
            guard unlinkat(parent, name, 0) == 0 || errno == ENOENT else {
                throw CarryOverError(path: path, step: "remove", code: errno)
            }
            return
        }
        guard let listing = fdopendir(folder) else {
            close(folder)
            throw CarryOverError(path: path, step: "list", code: errno)
        }
        defer { closedir(listing) }
        for entryName in FolderEntries.names(of: listing) {
            try remove(entryName.map { CChar(bitPattern: $0) } + [0], in: folder, shownAs: path + "/" + String(decoding: entryName, as: UTF8.self))
        }
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
            throw CarryOverError(path: path, step: "remove the folder", code: errno)
        }
    }
}

private struct CarryOverError: Error, CustomStringConvertible {
    var path: String
    var step: String
    var code: Int32
    var description: String { "cannot \(step) \(path): \(String(cString: strerror(code)))" }
}
