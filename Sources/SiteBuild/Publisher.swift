import Foundation

public struct PublishOptions: Sendable {
    public var workspace: URL
    /// The folder `build` wrote to; defaults to `<workspace>/public`.
    public var siteFolder: URL?
    /// Only this reseller; default: every reseller with a `publish:` target.
    public var reseller: String?
    public var dryRun: Bool
    /// Return a `dir` target to its previous version instead of publishing.
    public var rollback: Bool

    public init(workspace: URL, siteFolder: URL? = nil, reseller: String? = nil, dryRun: Bool = false, rollback: Bool = false) {
        self.workspace = workspace
        self.siteFolder = siteFolder
        self.reseller = reseller
        self.dryRun = dryRun
        self.rollback = rollback
    }

    public var builtSites: URL { siteFolder ?? workspace.appendingPathComponent("public") }
}

/// One reseller to publish: its target and its built root.
public struct PublishJob: Sendable {
    public var reseller: String
    public var target: PublishTarget
    public var source: URL
}

/// Problems found before anything is published: the config, the reseller asked for, a missing build.
public struct PublishSetupError: Error, CustomStringConvertible {
    public var failures: [PublishError]
    public var description: String { failures.map(\.description).joined(separator: "\n") }
}

/// `sitegen publish`: sends the reseller roots that `build` wrote to each reseller's target.
/// Publishing never builds: it ships exactly what was built (and checked) last.
public struct Publisher: Sendable {
    public var options: PublishOptions

    public init(options: PublishOptions) {
        self.options = options
    }

    /// Reads the config and checks that every selected reseller has a target and a built root.
    public func plan() throws(PublishSetupError) -> [PublishJob] {
        let configURL = options.workspace.appendingPathComponent(WorkspaceConfig.fileName)
        let config: WorkspaceConfig
        do {
            config = try WorkspaceConfigReader().read(configURL)
        } catch {
            let place = (error.line.map { "line \($0): " } ?? "") + (error.key.map { "\($0): " } ?? "")
            throw PublishSetupError(failures: [PublishError(step: .config, subject: error.file, reason: place + error.reason)])
        }
        var resellers = config.resellers
        if let wanted = options.reseller {
            guard let reseller = config.resellers.first(where: { $0.id == wanted }) else {
                throw PublishSetupError(failures: [PublishError(
                    step: .config, subject: configURL.path,
                    reason: "no reseller \"\(wanted)\" (known: \(config.resellers.map(\.id).joined(separator: ", ")))")])
            }
            guard reseller.publish != nil else {
                throw PublishSetupError(failures: [PublishError(
                    step: .config, subject: configURL.path, reason: "reseller \(wanted) has no publish: target (dir, rsync or archive)")])
            }
            resellers = [reseller]
        }
        var jobs: [PublishJob] = []
        var failures: [PublishError] = []
        for reseller in resellers {
            guard let target = reseller.publish else { continue }
            let source = options.builtSites.appendingPathComponent(reseller.id)
            if options.rollback {
                guard case .directory = target else {
                    // Without --reseller, rollback means every dir target.
                    guard options.reseller != nil else { continue }
                    failures.append(PublishError(step: .rollback, subject: reseller.id,
                                                 reason: "rollback works for dir targets only; for \(target.kindName), build and publish an earlier month (--month) instead"))
                    continue
                }
            } else if !FileManager.default.fileExists(atPath: source.appendingPathComponent("index.html").path) {
                failures.append(PublishError(step: .source, subject: source.path,
                                             reason: "no built site for reseller \(reseller.id): run `sitegen build --workspace \(options.workspace.path)` first"))
                continue
            }
            jobs.append(PublishJob(reseller: reseller.id, target: target, source: source))
        }
        guard failures.isEmpty else { throw PublishSetupError(failures: failures) }
        guard !jobs.isEmpty else {
            throw PublishSetupError(failures: [PublishError(
                step: .config, subject: configURL.path,
                reason: options.rollback ? "no reseller publishes to a dir target, the only kind --rollback can return"
                    : "no reseller has a publish: target (dir, rsync or archive); see README, Publishing")])
        }
        return jobs
    }

    public func run(_ job: PublishJob) throws(PublishError) -> PublishResult {
        switch job.target {
        case .directory(let path):
            let folder = PublishDirectory(resellerID: job.reseller, destination: PublishPaths.resolve(path, in: options.workspace))
            return options.rollback ? try folder.rollback(dryRun: options.dryRun) : try folder.publish(from: job.source, dryRun: options.dryRun)
        case .rsync(let destination):
            return try PublishRsync(resellerID: job.reseller, destination: destination, workspace: options.workspace)
                .publish(from: job.source, dryRun: options.dryRun)
        case .archive(let path, let format):
            return try PublishArchive(resellerID: job.reseller, destination: PublishPaths.resolve(path, in: options.workspace), format: format)
                .publish(from: job.source, dryRun: options.dryRun)
        }
    }
}
