import ContentDigest
import Foundation
#if PostgreSQL
import PostgresArchive
#endif
import ReportArchive
import ReportModel
import Templating

/// Where a build keeps its report archive.
public enum ArchiveLocation: Sendable, Hashable {
    /// `<workspace>/.sitegen/archive.sqlite`: later runs read only new files and re-render only
    /// the clients whose data changed.
    case workspace
    case file(URL)
    /// Nothing kept: every run reads every file and renders every client.
    case memory
    /// A PostgreSQL database shared by several ingest workers (sitegen built with the
    /// `PostgreSQL` package trait).
    case postgres(PostgresAddress)

    /// Whether this sitegen was built with the `PostgreSQL` trait.
    public static var postgresAvailable: Bool {
        #if PostgreSQL
        true
        #else
        false
        #endif
    }

    public static let postgresUnavailable = """
        this sitegen was built without PostgreSQL support; build it with `swift build --traits PostgreSQL` \
        (or `swift run --traits PostgreSQL sitegen ...`) to use a postgres:// archive
        """
}

public struct BuildOptions: Sendable {
    public var workspace: URL
    /// Defaults to `<workspace>/public`.
    public var output: URL?
    /// Publish up to and including this month; later reports are left out. Default: all.
    public var month: ReportMonth?
    /// The package's `Themes/` folder.
    public var builtinThemes: URL
    public var limits: InputLimits
    public var archive: ArchiveLocation
    /// Read the reports folder into the archive before rendering.
    public var ingest: Bool
    /// Carry over the pages of clients whose data, config and theme did not change.
    public var reuseUnchanged: Bool
    /// Look at every report file, also the finished ones in folders that did not change.
    public var rescan = false

    public init(
        workspace: URL, output: URL? = nil, month: ReportMonth? = nil, builtinThemes: URL, limits: InputLimits = .standard,
        archive: ArchiveLocation = .memory, ingest: Bool = true, reuseUnchanged: Bool = true
    ) {
        self.workspace = workspace
        self.output = output
        self.month = month
        self.builtinThemes = builtinThemes
        self.limits = limits
        self.archive = archive
        self.ingest = ingest
        self.reuseUnchanged = reuseUnchanged
    }

    public var outputFolder: URL { output ?? workspace.appendingPathComponent("public") }

    public var archiveFile: URL? {
        switch archive {
        case .workspace: workspace.appendingPathComponent(".sitegen/archive.sqlite")
        case .file(let url): url
        case .memory, .postgres: nil
        }
    }

    /// The archive as named in messages (a database URL without its password).
    public var archiveDescription: String {
        if case .postgres(let address) = archive { return address.description }
        return archiveFile?.path ?? "archive"
    }
}

/// Stops the build before anything is written: the config or a theme is wrong.
public struct BuildSetupError: Error, CustomStringConvertible {
    /// One line per problem.
    public var failures: [BuildFailure]
    public var description: String { failures.map(\.description).joined(separator: "\n") }
}

/// What a build did, for the run summary and `summary.json` consumers.
public struct BuildReport: Sendable {
    /// Files read in this run (new or changed since the archive took them).
    public var filesRead = 0
    /// Files the archive already held, not read again.
    public var filesKnown = 0
    /// Reports in the files read in this run, duplicates included.
    public var reportsRead = 0
    /// Unique DMARC aggregate reports in the archive.
    public var uniqueReports = 0
    /// Unique SMTP TLS reports in the archive.
    public var uniqueTLSReports = 0
    /// Reports this run added to the archive (DMARC and TLS).
    public var reportsAdded = 0
    /// Repeated reports found in this run, both kinds.
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
    /// Clients whose pages were carried over from the last build unchanged.
    public var clientsReused = 0
    public var pages = 0
    /// Files written into the sites this build replaced (carried-over files included).
    public var filesWritten = 0
    /// Of those, files rendered with the bytes the current version already had: linked into
    /// the new version rather than written again.
    public var filesKept = 0
    /// Sites (reseller roots, the portfolio) swapped in whole; sites of which only the client
    /// folders rendered again were swapped in, and how many folders; sites left in place
    /// because their new version equals the current one.
    public var sitesReplaced = 0
    public var sitesUpdated = 0
    public var clientFoldersReplaced = 0
    public var sitesUnchanged = 0
    public var failures: [BuildFailure] = []
    /// Theme problems that do not stop the build, e.g. words a locale lacks.
    public var themeWarnings: [String] = []
    public var output: URL?

    /// 0: all went well; 1: some input was skipped or a client failed (the rest was written).
    public var exitCode: Int32 {
        skippedFiles.isEmpty && partlySkippedFiles.isEmpty && failures.isEmpty ? 0 : 1
    }
}

/// The build as named steps: config → themes → ingest (into the archive) → per client:
/// aggregate from the archive → render → write; then the portfolio and the swap.
public struct SiteBuilder: Sendable {
    public var options: BuildOptions

    /// Bumped when the pages a given input renders to change, so a new sitegen re-renders
    /// clients an older one rendered.
    static let renderFormat = "sitegen-render-1"

    public init(options: BuildOptions) {
        self.options = options
    }

    public func build(progress: @escaping @Sendable (String) -> Void = { _ in }) throws(BuildSetupError) -> BuildReport {
        try build(progress: progress, stepProgress: { _ in })
    }

    public func build(progress: @escaping @Sendable (String) -> Void, stepProgress: @escaping @Sendable (StepProgress) -> Void) throws(BuildSetupError) -> BuildReport {
        var report = BuildReport()
        let store = try openArchive(progress: progress)
        // The reports folder is read into the archive while the config and themes load. A
        // setup problem still stops the build before anything is written to the output; the
        // archive keeps what the ingest added, as `sitegen ingest` would have.
        let ingestion = options.ingest
            ? BackgroundTask { () throws(BuildSetupError) in try ingest(into: store, progress: progress, stepProgress: stepProgress) }
            : nil
        let setup = Result { () throws(BuildSetupError) in try BuildSetup(loading: self) }
        let ingested: ArchiveIngestResult?
        do {
            ingested = try ingestion?.wait()
        } catch {
            throw (error as? BuildSetupError) ?? BuildSetupError(failures: [BuildFailure(step: .ingest, subject: options.archiveDescription, reason: "\(error)")])
        }
        let loaded = try setup.get()
        let (config, themes, folders) = (loaded.config, loaded.themes, loaded.folders)
        let (classifier, hostConfig, portfolioTheme) = (loaded.classifier, loaded.hostConfig, loaded.portfolioTheme)
        report.themeWarnings = config.resellers.flatMap { reseller in
            (themes[reseller.id]?.warnings ?? []).map { "reseller \(reseller.id): \($0.file): \($0.reason)" }
        }

        if let ingest = ingested {
            report.filesRead = ingest.filesRead
            report.filesKnown = ingest.filesKnown
            report.reportsRead = ingest.reportsRead
            report.reportsAdded = ingest.added.addedReports + ingest.added.addedTLSReports
            report.duplicates = ingest.added.duplicates.sorted { $0.dropped < $1.dropped }
            report.skippedFiles = ingest.skippedFiles
            report.partlySkippedFiles = ingest.partlySkippedFiles
        }

        let plan: ClientRenderPlan
        do {
            // The clients' render states are read on other cores while the totals and the
            // unassigned domains are read here.
            let scope = options.outputFolder.path
            let states = BackgroundTask { [config] in try ClientRenderPlan.readStates(from: store, config: config, scope: scope) }
            let counts = try store.counts()
            report.uniqueReports = counts.reports
            report.uniqueTLSReports = counts.tlsReports
            if let month = options.month { report.reportsAfterMonth = try store.reportCount(beginningAtOrAfter: month.endUnixTime) }
            let unassigned = try UnassignedReports(store: store, config: config, months: PublishedMonths(last: options.month)).find()
            report.unassigned = unassigned.dmarc
            report.unassignedTLS = unassigned.tls
            plan = ClientRenderPlan(
                config: config, folders: folders,
                fingerprint: try buildFingerprint(themes: themes, portfolioTheme: portfolioTheme),
                scope: scope, reuse: options.reuseUnchanged, states: try states.wait())
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .aggregate, subject: options.archiveDescription, reason: "\(error)")])
        }

        let output = options.outputFolder
        let writer: SiteWriter
        do {
            writer = try SiteWriter(destination: output)
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .write, subject: output.path, reason: error.localizedDescription)])
        }
        let renderer = ClientRenderer(store: store, months: PublishedMonths(last: options.month), classifier: classifier, writer: writer)
        var entries: [PortfolioEntry] = []
        var records: [(reseller: String, client: String, record: RenderRecord?)] = []
        do {
            let rowBuilder = try PortfolioRowBuilder(theme: portfolioTheme)
            for reseller in config.resellers {
                guard let theme = themes[reseller.id] else { continue }
                progress("[render] \(reseller.id): \(reseller.clients.count) clients")
                do {
                    let site = try ResellerSiteRenderer(reseller: reseller, theme: theme, folders: folders)
                    let root = try site.rootFiles()
                    try writer.write(root.files.mapKeys { "\(reseller.id)/\($0)" })
                    report.pages += root.pages
                    let outcomes = renderer.render(reseller: reseller, site: site, plan: plan, rows: rowBuilder)
                    for outcome in outcomes {
                        // A carried-over client's record is the one the archive holds.
                        if !outcome.reused { records.append((reseller.id, outcome.client, outcome.record)) }
                        if let entry = outcome.entry { entries.append(entry) }
                        if let failure = outcome.failure {
                            report.failures.append(failure)
                        } else {
                            report.clients += 1
                            report.pages += outcome.pages
                            if outcome.reused { report.clientsReused += 1 }
                        }
                    }
                    report.resellers += 1
                } catch {
                    report.failures.append(BuildFailure(step: .render, subject: reseller.id, reason: "\(error)"))
                }
            }

            var files = hostConfig.files
            files.merge(try PortfolioRenderer(entries: entries, theme: portfolioTheme).render()) { _, new in new }
            if config.resellers.contains(where: \.privateClientFolders) {
                files["_portfolio/client-links.csv"] = ClientLinks.csv(config: config, folders: folders)
            }
            try writer.write(files)
        } catch {
            report.failures.append(BuildFailure(step: .render, subject: PortfolioRenderer.folder, reason: "\(error)"))
        }

        progress("[write] swapping the changed sites into \(output.path)")
        do {
            let written = try writer.commit()
            report.filesWritten = written.filesWritten
            report.filesKept = written.filesKept
            report.sitesReplaced = written.sitesReplaced
            report.sitesUpdated = written.sitesUpdated
            report.clientFoldersReplaced = written.clientFoldersReplaced
            report.sitesUnchanged = written.sitesUnchanged
            report.output = output
            if !records.isEmpty { try store.saveRenderRecords(scope: plan.scope, records) }
        } catch {
            writer.discard()
            report.failures.append(BuildFailure(step: .write, subject: output.path, reason: "\(error)"))
        }
        return report
    }

    /// Only the ingest step: adds the reports folder to the archive and says what it holds now.
    public func ingest(
        batchSize: Int = ArchiveIngester.defaultBatchSize, progress: @Sendable (String) -> Void = { _ in },
        stepProgress: @Sendable (StepProgress) -> Void = { _ in }
    ) throws(BuildSetupError) -> (run: ArchiveIngestResult, archive: ArchiveCounts) {
        let store = try openArchive(progress: progress)
        let run = try ingest(into: store, batchSize: batchSize, progress: { _ in }, stepProgress: stepProgress)
        do {
            return (run, try store.counts())
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .ingest, subject: options.archiveDescription, reason: "\(error)")])
        }
    }

    private func ingest(
        into store: any ReportStore, batchSize: Int = ArchiveIngester.defaultBatchSize,
        progress: @Sendable (String) -> Void, stepProgress: @Sendable (StepProgress) -> Void
    ) throws(BuildSetupError) -> ArchiveIngestResult {
        let reportsFolder = options.workspace.appendingPathComponent("reports")
        progress("[ingest] reading \(reportsFolder.path)")
        do {
            var ingester = ArchiveIngester(store: store, limits: options.limits)
            ingester.batchSize = batchSize
            ingester.rescan = options.rescan
            return try ingester.ingest(folder: reportsFolder, progress: stepProgress)
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .ingest, subject: options.archiveDescription, reason: "\(error)")])
        }
    }

    private func openArchive(progress: (String) -> Void) throws(BuildSetupError) -> any ReportStore {
        if case .postgres(let address) = options.archive { return try openPostgresArchive(address) }
        guard let file = options.archiveFile else {
            do {
                return try SQLiteReportStore()
            } catch {
                throw BuildSetupError(failures: [BuildFailure(step: .ingest, subject: "archive", reason: "cannot open an in-memory archive: \(error)")])
            }
        }
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            if SQLiteReportStore.needsMigration(path: file.path) {
                progress("[archive] bringing \(file.path) up to this sitegen's schema: once, a minute or so for a year of reports")
            }
            return try SQLiteReportStore(path: file.path)
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .ingest, subject: file.path, reason: "cannot open the archive: \(error)")])
        }
    }

    private func openPostgresArchive(_ address: PostgresAddress) throws(BuildSetupError) -> any ReportStore {
        #if PostgreSQL
        // Input paths are relative to the reports folder, so by default a worker's files are
        // remembered under its host and folder: workers on other machines never mistake them.
        let reports = options.workspace.appendingPathComponent("reports").standardizedFileURL.path
        let origin = address.origin ?? "\(ProcessInfo.processInfo.hostName):\(reports)"
        do {
            return try PostgresReportStore(address: address, origin: origin)
        } catch {
            throw BuildSetupError(failures: [BuildFailure(step: .ingest, subject: address.description, reason: "\(error)")])
        }
        #else
        throw BuildSetupError(failures: [BuildFailure(step: .ingest, subject: address.description, reason: ArchiveLocation.postgresUnavailable)])
        #endif
    }

    /// What a build loads before it renders, besides the archive.
    private struct BuildSetup {
        let config: WorkspaceConfig
        let themes: [String: ResolvedTheme]
        let folders: ClientFolders
        let classifier: SenderClassifier
        let hostConfig: HostConfigFiles
        let portfolioTheme: ResolvedTheme

        init(loading builder: SiteBuilder) throws(BuildSetupError) {
            config = try builder.loadConfig()
            let resolved = try builder.resolveThemes(config)
            themes = resolved.resellers
            folders = try ClientFolders(config: config, workspace: builder.options.workspace)
            classifier = try builder.loadSenderCatalog()
            hostConfig = try HostConfigFiles(config: config, themes: themes, folders: folders, workspace: builder.options.workspace)
            portfolioTheme = try builder.portfolioTheme(resolved.portfolio)
        }
    }

    private func portfolioTheme(_ resolution: Result<ResolvedTheme, ThemeCheckFailure>) throws(BuildSetupError) -> ResolvedTheme {
        do {
            return try resolution.get()
        } catch {
            throw BuildSetupError(failures: error.problems.map { BuildFailure(step: .theme, subject: $0.file, reason: "portfolio: \($0.reason)") })
        }
    }

    /// Everything besides a client's own data that its pages depend on: the config, every theme
    /// file, the sender catalog, `--month`, and the render format.
    private func buildFingerprint(themes: [String: ResolvedTheme], portfolioTheme: ResolvedTheme) throws -> String {
        var hasher = SHA256()
        hasher.update(Data(Self.renderFormat.utf8))
        hasher.update(Data((options.month?.description ?? "all").utf8))
        for name in [WorkspaceConfig.fileName, SenderCatalog.workspaceFileName] {
            let url = options.workspace.appendingPathComponent(name)
            hasher.update(Data("\u{0}\(name)\u{0}".utf8))
            if FileManager.default.fileExists(atPath: url.path) { hasher.update(try Data(contentsOf: url)) }
        }
        for (id, theme) in themes.sorted(by: { $0.key < $1.key }) {
            hasher.update(Data("\u{0}theme \(id)\u{0}".utf8))
            hasher.update(Data(try theme.contentFingerprint().utf8))
        }
        hasher.update(Data(try portfolioTheme.contentFingerprint().utf8))
        hasher.update(try Data(contentsOf: try SenderCatalog.shippedFile()))
        return SHA256.hex(hasher.finalize())
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

    /// The resellers' themes by reseller, and the outcome of the portfolio's (the built-in
    /// default), whose failure is reported only after the workspace's own problems.
    private func resolveThemes(
        _ config: WorkspaceConfig
    ) throws(BuildSetupError) -> (resellers: [String: ResolvedTheme], portfolio: Result<ResolvedTheme, ThemeCheckFailure>) {
        let locator = ThemeLocator(builtinRoot: options.builtinThemes)
        // Resellers often share a theme, and the portfolio's (the last reference) is usually
        // theirs too. A theme is what its reference locates, a folder under a name: each is read
        // and checked once, the themes on all cores.
        let names = Array(Set(config.resellers.map(\.theme))).sorted()
        let references: [(name: String, base: URL)] = names.map { ($0, options.workspace) } + [("default", options.builtinThemes)]
        let located = references.map { reference in
            let folder = locator.locate(reference.name, relativeTo: reference.base)
            return "\(folder.url.path)\u{0}\(folder.name)"
        }
        var jobs: [String: (name: String, base: URL)] = [:]
        for (folder, reference) in zip(located, references) where jobs[folder] == nil { jobs[folder] = reference }
        let distinct = jobs.sorted { $0.key < $1.key }
        let outcomes = ParallelMap.map(distinct.map(\.value)) { job in
            Result { () throws(ThemeCheckFailure) in try locator.resolve(job.name, relativeTo: job.base) }
        }
        let byFolder = Dictionary(uniqueKeysWithValues: zip(distinct.map(\.key), outcomes))
        let resolved = located.compactMap { byFolder[$0] }
        let byName = Dictionary(uniqueKeysWithValues: zip(names, resolved))
        var themes: [String: ResolvedTheme] = [:]
        var failures: [BuildFailure] = []
        for reseller in config.resellers {
            switch byName[reseller.theme] {
            case .success(let theme):
                themes[reseller.id] = theme
            case .failure(let error):
                failures += error.problems.map {
                    BuildFailure(step: .theme, subject: $0.file + ($0.line.map { ":\($0)" } ?? ""), reason: "reseller \(reseller.id): \($0.reason)")
                }
            case nil:
                continue
            }
        }
        guard failures.isEmpty else { throw BuildSetupError(failures: failures) }
        return (themes, resolved[names.count])
    }
}
