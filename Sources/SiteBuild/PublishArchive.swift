import ContentDigest
import Foundation
import ReportModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `archive` target: a reproducible `.tar.gz` or `.zip` of the reseller root, for hosts with
/// an upload form. Entries are sorted, with fixed times, modes and owner, so the same site gives
/// the same bytes. What changed is measured against the archive already at the path.
struct PublishArchive {
    let resellerID: String
    let destination: URL
    let format: ArchiveFormat

    private var display: String { "archive \(destination.path)" }

    func publish(from source: URL, dryRun: Bool) throws(PublishError) -> PublishResult {
        guard !PublishPaths.isSameOrInside(destination, source) else {
            throw PublishError(step: .archive, subject: destination.path, reason: "the archive must not be written inside the site it packs (\(source.path))")
        }
        let tree = try PublishTree.read(source, step: .source)
        let entries = try ArchiveEntry.entries(for: tree.files.keys.sorted()) { path throws(PublishError) in
            do {
                return try Data(contentsOf: source.appendingPathComponent(path))
            } catch {
                throw PublishError(step: .source, subject: source.appendingPathComponent(path).path, reason: "cannot read (\(error.localizedDescription))")
            }
        }
        let (bytes, listing) = try archive(entries, tree: tree)
        let old = try? Data(contentsOf: destination)
        var result = PublishResult(reseller: resellerID, destination: display, changes: PublishChanges(), dryRun: dryRun)
        if let old {
            if let oldListing = self.listing(of: old) {
                result.changes = PublishChanges(from: oldListing, to: listing)
            } else {
                result.changes = PublishChanges(from: [:], to: listing)
                result.notes.append("the file there is not an archive sitegen can read: every file counts as added")
            }
        } else {
            result.changes = PublishChanges(from: [:], to: listing)
        }
        if old == bytes {
            result.notes.append("already up to date: the archive is byte-identical")
            return result
        }
        result.notes.append("\(bytes.count) bytes, \(listing.count) files, SHA-256 \(SHA256.hexDigest(bytes))")
        if dryRun { return result }
        try write(bytes)
        return result
    }

    private func archive(_ entries: [ArchiveEntry], tree: PublishTree) throws(PublishError) -> (Data, [String: PublishedFile]) {
        switch format {
        case .tarGzip:
            return (Self.gzip(TarArchive.bytes(entries)), tree.files)
        case .zip:
            let (data, listing) = try ZipArchive.bytes(entries)
            return (data, listing.mapValues { PublishedFile(size: $0.size, digest: $0.fingerprint) })
        }
    }

    /// The files of the archive already at the path, fingerprinted as the new one is.
    private func listing(of data: Data) -> [String: PublishedFile]? {
        switch format {
        case .tarGzip:
            guard let tar = try? Inflater.inflate(data, limit: Int(Int32.max)), let files = TarArchive.files(in: tar) else { return nil }
            return files.mapValues { PublishedFile(size: Int64($0.count), digest: SHA256.hexDigest($0)) }
        case .zip:
            return ZipArchive.listing(in: data)?.mapValues { PublishedFile(size: $0.size, digest: $0.fingerprint) }
        }
    }

    /// zlib's gzip header holds no name and a zero time; the OS byte is set to Unix (3) so
    /// every platform writes the same bytes.
    private static func gzip(_ data: Data) -> Data {
        var compressed = Inflater.gzip(data, level: 9)
        if compressed.count > 9 { compressed[compressed.startIndex + 9] = 3 }
        return compressed
    }

    /// Written beside the destination, then renamed over it: a reader sees the old file or the new one.
    private func write(_ bytes: Data) throws(PublishError) {
        let temporary = PublishPaths.sibling(of: destination, suffix: ".sitegen-tmp")
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bytes.write(to: temporary)
        } catch {
            throw PublishError(step: .archive, subject: temporary.path, reason: "cannot write (\(error.localizedDescription))")
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw PublishError(step: .archive, subject: destination.path, reason: "cannot replace (\(reason))")
        }
    }
}
