import ContentDigest
import Foundation

/// Paths, resolved for publishing.
enum PublishPaths {
    /// An absolute path, or one relative to the workspace.
    static func resolve(_ path: String, in workspace: URL) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : workspace.appendingPathComponent(expanded)
        return url.standardizedFileURL
    }

    /// `/var/www/site` → `/var/www/site<suffix>`.
    static func sibling(of url: URL, suffix: String) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + suffix)
    }

    /// Whether `inner` is `outer` or lies below it (after resolving symbolic links).
    static func isSameOrInside(_ inner: URL, _ outer: URL) -> Bool {
        let innerPath = inner.resolvingSymlinksInPath().standardizedFileURL.path
        let outerPath = outer.resolvingSymlinksInPath().standardizedFileURL.path
        return innerPath == outerPath || innerPath.hasPrefix(outerPath.hasSuffix("/") ? outerPath : outerPath + "/")
    }
}

/// Why a publish step could not finish: the step, the path or target, and the reason.
public typealias PublishError = BuildFailure

/// One file of a published tree.
struct PublishedFile: Sendable, Hashable {
    var size: Int64
    /// A content fingerprint; trees compared with each other use the same kind.
    var digest: String
}

/// The regular files below a folder: relative path → size and SHA-256.
struct PublishTree: Sendable {
    var files: [String: PublishedFile] = [:]

    /// Reads every file below `root`. Symbolic links and other special files are refused: a
    /// published site is plain files, and a link could reach outside it.
    static func read(_ root: URL, step: PublishError.Step, ignoring ignored: Set<String> = []) throws(PublishError) -> PublishTree {
        var tree = PublishTree()
        try walk(root, relative: "", into: &tree, step: step, ignored: ignored)
        return tree
    }

    private static func walk(_ folder: URL, relative: String, into tree: inout PublishTree, step: PublishError.Step, ignored: Set<String>) throws(PublishError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw PublishError(step: step, subject: folder.path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        for name in names.sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            if ignored.contains(path) { continue }
            let url = folder.appendingPathComponent(name)
            let attributes: [FileAttributeKey: Any]
            do {
                attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            } catch {
                throw PublishError(step: step, subject: url.path, reason: "cannot read (\(error.localizedDescription))")
            }
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                try walk(url, relative: path, into: &tree, step: step, ignored: ignored)
            case .typeRegular?:
                let data: Data
                do {
                    data = try Data(contentsOf: url)
                } catch {
                    throw PublishError(step: step, subject: url.path, reason: "cannot read (\(error.localizedDescription))")
                }
                tree.files[path] = PublishedFile(size: Int64(data.count), digest: SHA256.hexDigest(data))
            default:
                throw PublishError(step: step, subject: url.path, reason: "not a regular file or folder (symbolic links are not published)")
            }
        }
    }
}

/// What publishing changes at the target, by relative path.
public struct PublishChanges: Sendable, Hashable {
    public var added: [String] = []
    public var updated: [String] = []
    public var removed: [String] = []
    /// The size of the added and updated files.
    public var bytes: Int64 = 0
    public var unchanged = 0

    public init() {}

    init(from old: [String: PublishedFile], to new: [String: PublishedFile]) {
        for (path, file) in new.sorted(by: { $0.key < $1.key }) {
            switch old[path] {
            case nil:
                added.append(path)
                bytes += file.size
            case let previous? where previous != file:
                updated.append(path)
                bytes += file.size
            default:
                unchanged += 1
            }
        }
        removed = old.keys.filter { new[$0] == nil }.sorted()
    }

    public var isEmpty: Bool { added.isEmpty && updated.isEmpty && removed.isEmpty }
}

/// What one reseller's publish did (or, in a dry run, would do).
public struct PublishResult: Sendable {
    public var reseller: String
    /// The target as people read it: `dir /var/www/site`, `rsync deploy@host:/srv/site/`.
    public var destination: String
    public var changes: PublishChanges
    public var dryRun: Bool
    /// Further facts worth a line: where the previous version is kept, why nothing changed.
    public var notes: [String] = []
}
