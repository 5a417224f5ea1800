import Foundation

/// One theme folder on disk, read but not yet layered.
public struct ThemeFolder: Sendable, Hashable {
    public var name: String
    public var root: URL
    public var settings: YAMLValue
    /// Relative path inside the folder (`templates/month.mustache`) → file.
    public var files: [String: URL]

    public static let settingsFile = "theme.yml"
    public static let sections = ["templates", "partials", "assets", "content", "locales"]

    public static func read(at root: URL, name: String) throws(ThemeError) -> ThemeFolder {
        let settingsURL = root.appendingPathComponent(settingsFile)
        let text: String
        do {
            text = try String(contentsOf: settingsURL, encoding: .utf8)
        } catch {
            throw ThemeError(file: settingsURL.path, reason: "cannot read the theme settings (\(error.localizedDescription))")
        }
        let settings: YAMLValue
        do {
            settings = try YAMLValue.parse(text, file: settingsURL.path)
        } catch {
            throw ThemeError(file: settingsURL.path, line: error.line, reason: error.reason)
        }
        guard settings.entries != nil else {
            throw ThemeError(file: settingsURL.path, reason: "must be a mapping of settings")
        }
        var files: [String: URL] = [:]
        for section in sections {
            try collectFiles(in: root.appendingPathComponent(section), prefix: section, into: &files)
        }
        return ThemeFolder(name: name, root: root, settings: settings, files: files)
    }

    /// Regular files only: symbolic links are refused so nothing outside the folder is read.
    private static func collectFiles(in folder: URL, prefix: String, into files: inout [String: URL]) throws(ThemeError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: folder.path).sorted()
        } catch {
            throw ThemeError(file: folder.path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let relative = prefix + "/" + name
            let values = try? url.resourceValues(forKeys: [.isSymbolicLinkKey, .isDirectoryKey, .isRegularFileKey])
            if values?.isSymbolicLink == true {
                throw ThemeError(file: url.path, reason: "symbolic links are not allowed in a theme folder")
            }
            if values?.isDirectory == true {
                try collectFiles(in: url, prefix: relative, into: &files)
            } else if values?.isRegularFile == true {
                files[relative] = url
            }
        }
    }
}

/// A problem with a theme: the file, the line where known, and why.
public struct ThemeError: Error, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        "[theme] \(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
    }
}

/// Finds theme folders: built-in ones by name, others by path.
public struct ThemeLocator: Sendable {
    /// The folder holding the built-in themes (`Themes/` of the package).
    public var builtinRoot: URL

    public init(builtinRoot: URL) {
        self.builtinRoot = builtinRoot
    }

    public var builtinNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: builtinRoot.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: builtinRoot.appendingPathComponent($0).appendingPathComponent(ThemeFolder.settingsFile).path) }
            .sorted()
    }

    /// `reference` is a built-in theme name (`default`) or a folder path, relative to `base`.
    public func locate(_ reference: String, relativeTo base: URL) -> (url: URL, name: String) {
        if !reference.contains("/"), builtinNames.contains(reference) {
            return (builtinRoot.appendingPathComponent(reference), reference)
        }
        let url = reference.hasPrefix("/") ? URL(fileURLWithPath: reference) : base.appendingPathComponent(reference)
        return (url.standardizedFileURL, reference)
    }

    /// Reads the theme and its `extends` chain, top first, ending with a theme that extends
    /// nothing (normally `default`).
    public func chain(for reference: String, relativeTo base: URL) throws(ThemeError) -> [ThemeFolder] {
        var folders: [ThemeFolder] = []
        var seen: [String] = []
        var next: (url: URL, name: String)? = locate(reference, relativeTo: base)
        while let (url, name) = next {
            let key = url.standardizedFileURL.path
            if seen.contains(key) {
                throw ThemeError(file: url.path, reason: "the extends chain loops: \((seen + [key]).joined(separator: " → "))")
            }
            seen.append(key)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                let from = folders.last.map { $0.root.appendingPathComponent(ThemeFolder.settingsFile).path } ?? base.path
                throw ThemeError(file: from, reason: "theme \"\(name)\" not found (no folder \(url.path) and no built-in theme of that name)")
            }
            let folder = try ThemeFolder.read(at: url, name: name)
            folders.append(folder)
            if let parent = folder.settings["extends"] {
                guard let parentName = parent.string, !parentName.isEmpty else {
                    throw ThemeError(file: url.appendingPathComponent(ThemeFolder.settingsFile).path, line: parent.line,
                                     reason: "extends must name a theme")
                }
                next = locate(parentName, relativeTo: url)
            } else {
                next = nil
            }
        }
        return folders
    }
}

extension ThemeLocator {
    /// Reads the theme and its chain and runs every check.
    public func resolve(_ reference: String, relativeTo base: URL) throws(ThemeCheckFailure) -> ResolvedTheme {
        let folders: [ThemeFolder]
        do {
            folders = try chain(for: reference, relativeTo: base)
        } catch {
            throw ThemeCheckFailure(problems: [error])
        }
        return try ResolvedTheme(chain: folders)
    }
}
