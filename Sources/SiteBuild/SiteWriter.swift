import Foundation

/// Writes a whole output tree to a staging folder beside the destination, then swaps it in
/// with renames, so a reader sees the old site or the new one, never half of each.
///
/// `write` does it in one go. A build can also prepare the staging folder first, stage each
/// client's files as soon as they are rendered (so the whole site is never held in memory),
/// and commit at the end.
struct SiteWriter: Sendable {
    let destination: URL

    private var parent: URL { destination.deletingLastPathComponent() }
    private var staging: URL { parent.appendingPathComponent(".\(destination.lastPathComponent).staging") }
    private var previous: URL { parent.appendingPathComponent(".\(destination.lastPathComponent).previous") }

    func write(_ files: [String: Data]) throws {
        try prepareStaging()
        try stage(files)
        try commit()
    }

    /// An empty staging folder; leftovers of an interrupted run are removed.
    func prepareStaging() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        for leftover in [staging, previous] where manager.fileExists(atPath: leftover.path) {
            try manager.removeItem(at: leftover)
        }
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
    }

    /// Writes files into the staging folder, by path relative to the site root. Calls from
    /// several threads are safe when they write into different folders that already exist
    /// or that only one of them creates.
    func stage(_ files: [String: Data]) throws {
        let manager = FileManager.default
        var createdFolders: Set<String> = []
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let url = staging.appendingPathComponent(path)
            let folder = url.deletingLastPathComponent()
            if createdFolders.insert(folder.path).inserted {
                try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            try data.write(to: url)
        }
    }

    /// Creates a folder of the staging tree, e.g. a reseller root before its clients are
    /// staged in parallel.
    func stageFolder(_ path: String) throws {
        try FileManager.default.createDirectory(at: staging.appendingPathComponent(path), withIntermediateDirectories: true)
    }

    /// Swaps the staging folder in and removes the replaced site.
    func commit() throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: destination.path) {
            try manager.moveItem(at: destination, to: previous)
        }
        try manager.moveItem(at: staging, to: destination)
        if manager.fileExists(atPath: previous.path) {
            try manager.removeItem(at: previous)
        }
    }
}
