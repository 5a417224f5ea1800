import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `dir` target: a local folder, e.g. a web server's document root. The new tree is written
/// to `<path>.staging` beside it and exchanged with the live folder in one rename (Linux
/// `RENAME_EXCHANGE`), so a reader sees the old site or the new one, never a mix or nothing.
/// The replaced version is kept in `<path>.previous` for `--rollback`.
struct PublishDirectory {
    /// Marks a folder as sitegen's, so publish never replaces (and later deletes) someone else's.
    static let marker = ".sitegen-published"

    let resellerID: String
    let destination: URL

    var staging: URL { PublishPaths.sibling(of: destination, suffix: ".staging") }
    var previous: URL { PublishPaths.sibling(of: destination, suffix: ".previous") }

    private var display: String { "dir \(destination.path)" }

    func publish(from source: URL, dryRun: Bool) throws(PublishError) -> PublishResult {
        guard !PublishPaths.isSameOrInside(destination, source), !PublishPaths.isSameOrInside(source, destination) else {
            throw PublishError(step: .dir, subject: destination.path, reason: "the target folder and the build output \(source.path) must not contain each other")
        }
        let new = try PublishTree.read(source, step: .source, ignoring: [Self.marker])
        let live = try ownedTree(destination)
        var result = PublishResult(
            reseller: resellerID, destination: display, changes: PublishChanges(from: live?.files ?? [:], to: new.files), dryRun: dryRun)
        if live != nil, result.changes.isEmpty {
            result.notes.append("already up to date: nothing replaced")
            return result
        }
        if dryRun { return result }

        _ = try ownedTree(previous)
        try removeOwned(staging)
        try write(new, from: source, to: staging)
        try swapIn()
        if live != nil { result.notes.append("previous version kept in \(previous.path) (sitegen publish --rollback)") }
        return result
    }

    /// Exchanges the live folder and `<path>.previous`; running it again undoes the rollback.
    func rollback(dryRun: Bool) throws(PublishError) -> PublishResult {
        guard let older = try ownedTree(previous) else {
            throw PublishError(step: .rollback, subject: previous.path, reason: "nothing to roll back to: no previous version is kept here")
        }
        let live = try ownedTree(destination)
        var result = PublishResult(
            reseller: resellerID, destination: display, changes: PublishChanges(from: live?.files ?? [:], to: older.files), dryRun: dryRun)
        if dryRun { return result }
        do {
            try FolderSwap.replace(destination, with: previous)
        } catch {
            throw PublishError(step: .rollback, subject: destination.path, reason: "\(error)")
        }
        if live != nil {
            result.notes.append("the replaced version is now in \(previous.path); --rollback again returns to it")
        }
        return result
    }

    // MARK: steps

    /// The tree of a folder sitegen published for this reseller; nil when the folder does not
    /// exist. A non-empty folder without the marker, or another reseller's, is refused.
    private func ownedTree(_ folder: URL) throws(PublishError) -> PublishTree? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else {
            throw PublishError(step: .dir, subject: folder.path, reason: "exists and is not a folder")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        if contents.isEmpty { return PublishTree() }
        let markerURL = folder.appendingPathComponent(Self.marker)
        guard let text = try? String(contentsOf: markerURL, encoding: .utf8) else {
            throw PublishError(step: .dir, subject: folder.path,
                               reason: "holds files sitegen did not publish (no \(Self.marker)); empty it or choose another folder, sitegen replaces the whole folder")
        }
        let owner = Self.reseller(inMarker: text)
        guard owner == resellerID else {
            throw PublishError(step: .dir, subject: folder.path, reason: "holds the site of reseller \(owner ?? "(unknown)"), not \(resellerID)")
        }
        return try PublishTree.read(folder, step: .dir, ignoring: [Self.marker])
    }

    private static func reseller(inMarker text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix("reseller: ") }.map { String($0.dropFirst("reseller: ".count)) }
    }

    private func removeOwned(_ folder: URL) throws(PublishError) {
        guard try ownedTree(folder) != nil else { return }
        do {
            try FileManager.default.removeItem(at: folder)
        } catch {
            throw PublishError(step: .dir, subject: folder.path, reason: "cannot remove a leftover (\(error.localizedDescription))")
        }
    }

    /// The marker goes first, so even a staging folder left by a killed run is known as ours.
    private func write(_ tree: PublishTree, from source: URL, to folder: URL) throws(PublishError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("sitegen publish\nreseller: \(resellerID)\n".utf8).write(to: folder.appendingPathComponent(Self.marker))
            for path in tree.files.keys.sorted() {
                let target = folder.appendingPathComponent(path)
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try manager.copyItem(at: source.appendingPathComponent(path), to: target)
            }
        } catch {
            throw PublishError(step: .dir, subject: folder.path, reason: "cannot write the new version (\(error.localizedDescription)); the live site is unchanged")
        }
    }

    private func swapIn() throws(PublishError) {
        let replacing = FileManager.default.fileExists(atPath: destination.path)
        do {
            try FolderSwap.replace(destination, with: staging)
        } catch {
            throw PublishError(step: .dir, subject: destination.path, reason: "\(error)")
        }
        guard replacing else { return }
        // staging now holds the version just replaced: it becomes the previous one.
        if FileManager.default.fileExists(atPath: previous.path) {
            do {
                try FileManager.default.removeItem(at: previous)
            } catch {
                throw PublishError(step: .dir, subject: previous.path, reason: "published, but cannot remove the older previous version (\(error.localizedDescription))")
            }
        }
        try move(staging, to: previous, step: .dir)
    }

    private func move(_ from: URL, to: URL, step: PublishError.Step) throws(PublishError) {
        do {
            try FolderSwap.move(from, to: to)
        } catch {
            throw PublishError(step: step, subject: to.path, reason: "\(error)")
        }
    }
}
