import Foundation
import ReportModel
import Templating

public struct BuildOptions: Sendable {
    public var workspace: URL
    /// Defaults to `<workspace>/public`.
    public var output: URL?
    /// Publish up to and including this month; later reports are left out. Default: all.
    public var month: ReportMonth?
    /// The package's `Themes/` folder.
    public var builtinThemes: URL
    public var limits: InputLimits

    public init(workspace: URL, output: URL? = nil, month: ReportMonth? = nil, builtinThemes: URL, limits: InputLimits = .standard) {
        self.workspace = workspace
        self.output = output
        self.month = month
        self.builtinThemes = builtinThemes
        self.limits = limits
    }

    public var outputFolder: URL { output ?? workspace.appendingPathComponent("public") }
}

/// Stops the build before anything is written: the config or a theme is wrong.
public struct BuildSetupError: Error, CustomStringConvertible {
    /// One line per problem.
    public var failures: [BuildFailure]
    public var description: String { failures.map(\.description).joined(separator: "\n") }
}

/// What a build did, for the run summary and `summary.json` consumers.
public struct BuildReport: Sendable {
    public var filesRead = 0
    public var reportsRead = 0
    /// Unique DMARC aggregate reports.
    public var uniqueReports = 0
    /// Unique SMTP TLS reports.
    public var uniqueTLSReports = 0
    public var duplicates: [DuplicateReport] = []
    public var skippedFiles: [FileLoad] = []
    public var partlySkippedFiles: [FileLoad] = []
    public var unassigned: [UnassignedDomain] = []
    /// TLS policy domains no client owns (`records`: policy results, `messages`: sessions).
    public var unassignedTLS: [UnassignedDomain] = []
    /// Reports left out because they begin after `--month`.
    public var reportsAfterMonth = 0
    public var resellers = 0
    public var clients = 0
    public var pages = 0
    public var filesWritten = 0
    public var failures: [BuildFailure] = []
    /// Theme problems that do not stop the build, e.g. words a locale lacks.
    public var themeWarnings: [String] = []
    public var output: URL?

    /// 0: all went well; 1: some input was skipped or a client failed (the rest was written).
    public var exitCode: Int32 {
        skippedFiles.isEmpty && partlySkippedFiles.isEmpty && failures.isEmpty ? 0 : 1
    }
}

/// The build as named steps: config → themes → ingest → aggregate → render → write.
public struct SiteBuilder: Sendable {
    public var options: BuildOptions

    public init(options: BuildOptions) {
        self.options = options
    }

    public func build(progress: @Sendable (String) -> Void = { _ in }) throws(BuildSetupError) -> BuildReport {
        var report = BuildReport()
        let config = try loadConfig()
        let themes = try resolveThemes(config)
        report.themeWarnings = config.resellers.flatMap { reseller in
            (themes[reseller.id]?.warnings ?? []).map { "reseller \(reseller.id): \($0.file): \($0.reason)" }
        }
        let folders = try ClientFolders(config: config, workspace: options.workspace)
        let classifier = try loadSenderCatalog()
        let hostConfig = try HostConfigFiles(config: config, themes: themes, folders: folders, workspace: options.workspace)

        let reportsFolder = options.workspace.appendingPathComponent("reports")
        progress("[ingest] reading \(reportsFolder.path)")
        let ingest = ReportIngester(limits: options.limits).ingest(folder: reportsFolder) { done, total in
            if done == total || done % max(1, total / 10) == 0 { progress("[ingest] \(done)/\(total) files") }
        }
        report.filesRead = ingest.files.count
        report.reportsRead = ingest.reportsRead
        report.uniqueReports = ingest.unique.count
        report.uniqueTLSReports = ingest.uniqueTLS.count
        report.duplicates = ingest.duplicates
        report.skippedFiles = ingest.skippedFiles
        report.partlySkippedFiles = ingest.partlySkippedFiles

        progress("[aggregate] \(ingest.unique.count) reports")
        var aggregator = ReportAggregator(router: DomainRouter(owners: config.domainOwners))
        for loaded in ingest.unique {
            if isAfterPublishedMonth(loaded.report.metadata.dateRange) {
                report.reportsAfterMonth += 1
                continue
            }
            aggregator.add(loaded.report)
        }
        for loaded in ingest.uniqueTLS {
            if isAfterPublishedMonth(loaded.report.dateRange) {
                report.reportsAfterMonth += 1
                continue
            }
            aggregator.add(loaded.report)
        }
        report.unassigned = aggregator.unassigned.values.sorted { $0.headerFrom < $1.headerFrom }
        report.unassignedTLS = aggregator.unassignedTLS.values.sorted { $0.headerFrom < $1.headerFrom }

        // Client files go to the staging folder as soon as they are rendered, so the whole
        // site is never in memory; without a staging folder they are kept and written at the end.
        let writer = SiteWriter(destination: options.outputFolder)
        let staged = (try? writer.prepareStaging()) != nil
        var stagedFiles = 0
        var files: [String: Data] = [:]
        for reseller in config.resellers {
            progress("[render] \(reseller.id): \(reseller.clients.count) clients")
            var clientData: [String: [ReportMonth: OwnerMonth]] = [:]
            for client in reseller.clients {
                clientData[client.id] = aggregator.owners[ClientKey(reseller: reseller.id, client: client.id)]
            }
            guard let theme = themes[reseller.id] else { continue }
            do {
                var renderer = ResellerSiteRenderer(reseller: reseller, theme: theme, data: clientData, folders: folders, classifier: classifier)
                if staged, (try? writer.stageFolder(reseller.id)) != nil {
                    let resellerID = reseller.id
                    renderer.stage = { clientFiles in
                        try writer.stage(Dictionary(uniqueKeysWithValues: clientFiles.map { ("\(resellerID)/\($0.key)", $0.value) }))
                    }
                }
                let site = try renderer.render()
                for (path, data) in site.files { files["\(reseller.id)/\(path)"] = data }
                stagedFiles += site.stagedFiles
                report.pages += site.pages
                report.failures += site.failures
                report.clients += reseller.clients.count - site.failures.count
                report.resellers += 1
            } catch {
                report.failures.append(BuildFailure(step: .render, subject: reseller.id, reason: error.description))
            }
        }

        files.merge(hostConfig.files) { _, new in new }

        do {
            let theme = try ThemeLocator(builtinRoot: options.builtinThemes).resolve("default", relativeTo: options.builtinThemes)
            let portfolio = PortfolioRenderer(
                config: config, owners: aggregator.owners, folders: folders, theme: theme, classifier: classifier)
            files.merge(try portfolio.render()) { _, new in new }
        } catch {
            report.failures.append(BuildFailure(step: .render, subject: PortfolioRenderer.folder, reason: "\(error)"))
        }
        if config.resellers.contains(where: \.privateClientFolders) {
            files["_portfolio/client-links.csv"] = ClientLinks.csv(config: config, folders: folders)
        }

        let output = options.outputFolder
        progress("[write] \(files.count + stagedFiles) files to \(output.path)")
        do {
            if staged {
                try writer.stage(files)
                try writer.commit()
            } else {
                try writer.write(files)
            }
            report.filesWritten = files.count + stagedFiles
            report.output = output
        } catch {
            report.failures.append(BuildFailure(step: .write, subject: output.path, reason: "\(error.localizedDescription)"))
        }
        return report
    }

    /// The shipped catalog of known senders, extended by the workspace's `known-senders.json`.
    private func loadSenderCatalog() throws(BuildSetupError) -> SenderClassifier {
        let extra = options.workspace.appendingPathComponent(SenderCatalog.workspaceFileName)
        do {
            let catalog = try SenderCatalog.load(extending: FileManager.default.fileExists(atPath: extra.path) ? extra : nil)
            return SenderClassifier(catalog: catalog)
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .config, subject: extra.path, reason: "known senders: \(error)")])
        }
    }

    private func isAfterPublishedMonth(_ range: DateRange) -> Bool {
        guard let limit = options.month else { return false }
        return ReportMonth(unixTime: range.begin) > limit
    }

    private func loadConfig() throws(BuildSetupError) -> WorkspaceConfig {
        let url = options.workspace.appendingPathComponent(WorkspaceConfig.fileName)
        do {
            return try WorkspaceConfigReader().read(url)
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .config, subject: error.file, reason: Self.place(error) + error.reason)])
        }
    }

    private static func place(_ error: YAMLReadError) -> String {
        var text = ""
        if let line = error.line { text += "line \(line): " }
        if let key = error.key { text += "\(key): " }
        return text
    }

    private func resolveThemes(_ config: WorkspaceConfig) throws(BuildSetupError) -> [String: ResolvedTheme] {
        let locator = ThemeLocator(builtinRoot: options.builtinThemes)
        var themes: [String: ResolvedTheme] = [:]
        var failures: [BuildFailure] = []
        for reseller in config.resellers {
            do {
                themes[reseller.id] = try locator.resolve(reseller.theme, relativeTo: options.workspace)
            } catch {
                failures += error.problems.map {
                    BuildFailure(step: .theme, subject: $0.file + ($0.line.map { ":\($0)" } ?? ""), reason: "reseller \(reseller.id): \($0.reason)")
                }
            }
        }
        guard failures.isEmpty else { throw BuildSetupError(failures: failures) }
        return themes
    }
}
