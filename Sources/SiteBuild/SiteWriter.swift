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
            try manager.removeItem(at: leftover)
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
            try manager.removeItem(at: previous)
        }
    }

    /// Removes the staging folder after a failed build; the current site stays as it was.
    func discard() {
        try? manager.removeItem(at: staging)
    }

    private func linkTree(_ source: URL, to target: URL) throws -> Int {
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: source.path, isDirectory: &isFolder) else { return 0 }
        guard isFolder.boolValue else {
            if link(source.path, target.path) != 0 {
                try manager.copyItem(at: source, to: target)
            }
            return 1
        }
        try makeFolder(target)
        var count = 0
        for name in try manager.contentsOfDirectory(atPath: source.path).sorted() {
            count += try linkTree(source.appendingPathComponent(name), to: target.appendingPathComponent(name))
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
