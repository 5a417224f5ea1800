import Foundation
import Templating

/// `sitegen serve`: builds the workspace into the output folder, serves that folder on
/// loopback, and rebuilds when `sitegen.yml`, a theme, a report or a secret changes. A build
/// that stops before writing (config or theme errors) replaces the site with its error lines.
public final class PreviewSession: Sendable {
    public let options: BuildOptions
    public let server: PreviewServer
    private let state = PreviewStateBox()
    private let log: @Sendable (String) -> Void

    public init(options: BuildOptions, host: String, port: UInt16, log: @escaping @Sendable (String) -> Void) throws(PreviewError) {
        self.options = options
        self.log = log
        let root = options.outputFolder
        let state = self.state
        server = try PreviewServer(host: host, port: port) { request in
            PreviewResponder(root: root, state: state.current).respond(to: request)
        }
    }

    public var current: PreviewState { state.current }

    /// Starts serving (a "building" page until the first build is done).
    public func start() {
        server.start()
    }

    public func stop() {
        server.stop()
    }

    /// Builds now and shows the result.
    public func rebuild() {
        // The config may name other theme folders now; they are found once per build.
        let watcher = makeWatcher()
        state.watcher = watcher
        state.stamps = watcher.snapshot()
        let started = Date()
        log("[serve] building \(options.workspace.path)")
        do {
            let report = try SiteBuilder(options: options).build()
            state.current = .site
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            log("[serve] built \(report.pages) pages in \(seconds) s")
            for failure in report.failures { log("[serve] \(failure)") }
            for file in report.skippedFiles + report.partlySkippedFiles {
                for problem in file.problems { log("[serve] skipped: \(problem)") }
            }
        } catch {
            state.current = .failed(error.failures.map(\.description))
            log("[serve] the build failed; the browser shows why:")
            for failure in error.failures { log("  \(failure)") }
        }
    }

    /// Rebuilds when an input changed since the last build; returns whether it did.
    @discardableResult
    public func rebuildIfChanged() -> Bool {
        guard (state.watcher ?? makeWatcher()).snapshot() != state.stamps else { return false }
        log("[serve] a file changed: rebuilding")
        rebuild()
        return true
    }

    /// Polls the inputs every `interval` seconds, for ever.
    public func watch(interval: TimeInterval = 1) -> Never {
        while true {
            Thread.sleep(forTimeInterval: interval)
            rebuildIfChanged()
        }
    }

    /// What a build reads: sitegen.yml, reports/, the secrets and theme folders the config
    /// names (wherever they are) and the built-in themes. Without a readable config, the whole
    /// workspace except the output folder. Publish targets inside the workspace are not inputs.
    private func makeWatcher() -> PreviewWatcher {
        let workspace = options.workspace
        let configURL = workspace.appendingPathComponent(WorkspaceConfig.fileName)
        guard let config = try? WorkspaceConfigReader().read(configURL) else {
            return PreviewWatcher(roots: [workspace, options.builtinThemes], excluded: [options.outputFolder])
        }
        var roots = [configURL, workspace.appendingPathComponent("reports"), options.builtinThemes]
        roots += [config.clientFolderKey, config.basicAuthFile].map { PublishPaths.resolve($0, in: workspace) }
        let locator = ThemeLocator(builtinRoot: options.builtinThemes)
        for reseller in config.resellers {
            if !locator.builtinNames.contains(reseller.theme) {
                roots.append(PublishPaths.resolve(reseller.theme, in: workspace))
            }
            // A theme that resolves may extend folders elsewhere; a broken one is watched above.
            if let theme = try? locator.resolve(reseller.theme, relativeTo: workspace) {
                roots += theme.layers.map(\.root)
            }
        }
        var unique: [URL] = []
        for root in roots.map(\.standardizedFileURL) where !unique.contains(where: { PublishPaths.isSameOrInside(root, $0) }) {
            unique.removeAll { PublishPaths.isSameOrInside($0, root) }
            unique.append(root)
        }
        return PreviewWatcher(roots: unique, excluded: [options.outputFolder])
    }
}

/// The state the server threads read and the build loop writes.
private final class PreviewStateBox: @unchecked Sendable {
    private let lock = NSLock()
    private var state = PreviewState.building
    private var lastStamps: [String: PreviewWatcher.Stamp] = [:]
    private var lastWatcher: PreviewWatcher?

    var current: PreviewState {
        get { lock.withLock { state } }
        set { lock.withLock { state = newValue } }
    }

    var watcher: PreviewWatcher? {
        get { lock.withLock { lastWatcher } }
        set { lock.withLock { lastWatcher = newValue } }
    }

    var stamps: [String: PreviewWatcher.Stamp] {
        get { lock.withLock { lastStamps } }
        set { lock.withLock { lastStamps = newValue } }
    }
}
