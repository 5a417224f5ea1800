import Foundation

/// Notices changes below some folders by comparing modification times and sizes between polls
/// (no file-system events needed). Hidden entries and the excluded folders are not looked at.
struct PreviewWatcher: Sendable {
    struct Stamp: Hashable, Sendable {
        var modified: Double
        var size: Int64
    }

    let roots: [URL]
    let excluded: [URL]

    /// Path → stamp for every file below the roots.
    func snapshot() -> [String: Stamp] {
        var stamps: [String: Stamp] = [:]
        let excludedPaths = Set(excluded.map { $0.standardizedFileURL.path })
        for root in roots {
            walk(root.standardizedFileURL, excluded: excludedPaths, into: &stamps)
        }
        return stamps
    }

    private func walk(_ folder: URL, excluded: Set<String>, into stamps: inout [String: Stamp]) {
        guard !excluded.contains(folder.path) else { return }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            // A single watched file, such as sitegen.yml itself.
            if let stamp = Self.stamp(folder.path) { stamps[folder.path] = stamp }
            return
        }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { continue }
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                walk(url, excluded: excluded, into: &stamps)
            } else if let stamp = Self.stamp(attributes) {
                stamps[url.path] = stamp
            }
        }
    }

    private static func stamp(_ path: String) -> Stamp? {
        (try? FileManager.default.attributesOfItem(atPath: path)).flatMap(stamp)
    }

    private static func stamp(_ attributes: [FileAttributeKey: Any]) -> Stamp? {
        guard let date = attributes[.modificationDate] as? Date else { return nil }
        return Stamp(modified: date.timeIntervalSince1970, size: (attributes[.size] as? NSNumber)?.int64Value ?? 0)
    }
}
