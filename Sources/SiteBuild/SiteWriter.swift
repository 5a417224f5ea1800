import Foundation

/// Writes a whole output tree to a staging folder beside the destination, then swaps it in
/// with renames, so a reader sees the old site or the new one, never half of each.
struct SiteWriter {
    let destination: URL

    func write(_ files: [String: Data]) throws {
        let manager = FileManager.default
        let parent = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        let staging = parent.appendingPathComponent(".\(name).staging")
        let previous = parent.appendingPathComponent(".\(name).previous")
        try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        for leftover in [staging, previous] where manager.fileExists(atPath: leftover.path) {
            try manager.removeItem(at: leftover)
        }
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let url = staging.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        if manager.fileExists(atPath: destination.path) {
            try manager.moveItem(at: destination, to: previous)
        }
        try manager.moveItem(at: staging, to: destination)
        if manager.fileExists(atPath: previous.path) {
            try manager.removeItem(at: previous)
        }
    }
}
