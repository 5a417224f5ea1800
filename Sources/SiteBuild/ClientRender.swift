import ContentDigest
import Foundation
import ReportArchive
import ReportModel

/// What the build needs to decide, per client, whether its pages can be carried over.
struct ClientRenderPlan: Sendable {
    let config: WorkspaceConfig
    let folders: ClientFolders
    /// Digest of everything besides the clients' data that pages depend on.
    let fingerprint: String
    /// Render records are kept per output folder.
    let scope: String
    let reuse: Bool
    let router: DomainRouter<ClientKey>
    /// Each client's data version and last render record, read together before rendering.
    let states: [ClientKey: ClientRenderState]

    init(config: WorkspaceConfig, folders: ClientFolders, fingerprint: String, scope: String, reuse: Bool, states: [ClientKey: ClientRenderState]) {
        self.config = config
        self.folders = folders
        self.fingerprint = fingerprint
        self.scope = scope
        self.reuse = reuse
        self.states = states
        router = DomainRouter(owners: config.domainOwners)
    }

    /// Every configured client's render state, read from the archive together (see `ReportStore.renderStates`).
    static func readStates(from store: any ReportStore, config: WorkspaceConfig, scope: String) throws -> [ClientKey: ClientRenderState] {
        let keys = config.resellers.flatMap { reseller in reseller.clients.map { ClientKey(reseller: reseller.id, client: $0.id) } }
        let queries = config.resellers.flatMap { reseller in
            reseller.clients.map { ClientDataQuery(reseller: reseller.id, client: $0.id, selections: $0.archiveSelections) }
        }
        let states = try store.renderStates(scope: scope, clients: queries)
        return Dictionary(zip(keys, states)) { first, _ in first }
    }

    func clientFingerprint(_ key: ClientKey, data: DataVersion) -> String {
        var hasher = SHA256()
        hasher.update(Data("\(fingerprint)\u{0}\(key.reseller)\u{0}\(key.client)\u{0}\(folders.folder(key))\u{0}\(data)".utf8))
        return SHA256.hex(hasher.finalize())
    }
}

/// How one client went: rendered, carried over, or failed.
struct ClientOutcome: Sendable {
    var client: String
    var pages = 0
    var reused = false
    var entry: PortfolioEntry?
    /// What to remember for the next build; nil after a failure, so it is rendered again.
    var record: RenderRecord?
    var failure: BuildFailure?
}

/// Renders the clients of one reseller on all cores, each from its own reports in the archive,
/// writing each client's files as soon as they are ready.
struct ClientRenderer: Sendable {
    let store: any ReportStore
    let months: PublishedMonths
    let classifier: SenderClassifier
    let writer: SiteWriter

    func render(reseller: ResellerConfig, site: ResellerSiteRenderer, plan: ClientRenderPlan, rows: PortfolioRowBuilder) -> [ClientOutcome] {
        ParallelMap.map(reseller.clients) { client in
            do {
                return try render(client, of: reseller, site: site, plan: plan, rows: rows)
            } catch {
                return ClientOutcome(client: client.id, failure: BuildFailure(step: .render, subject: "\(reseller.id)/\(client.id)", reason: "\(error)"))
            }
        }
    }

    private func render(
        _ client: ClientConfig, of reseller: ResellerConfig, site: ResellerSiteRenderer, plan: ClientRenderPlan, rows: PortfolioRowBuilder
    ) throws -> ClientOutcome {
        let key = ClientKey(reseller: reseller.id, client: client.id)
        let folder = plan.folders.folder(key)
        let selections = client.archiveSelections
        let state = try plan.states[key] ?? ClientRenderState(
            data: store.dataVersion(selections), record: store.renderRecord(scope: plan.scope, reseller: reseller.id, client: client.id))
        let fingerprint = plan.clientFingerprint(key, data: state.data)
        let outputFolder = "\(reseller.id)/\(folder)"

        if plan.reuse, writer.canCarryOver(outputFolder),
           let previous = state.record,
           previous.fingerprint == fingerprint, let entry = PortfolioEntry.decoded(previous.summary) {
            writer.carryOver(outputFolder)
            return ClientOutcome(client: client.id, pages: previous.pages, reused: true, entry: entry, record: previous)
        }

        let data = try aggregate(selections, for: key, router: plan.router)
        let senders = ClientSenders(client: client, months: data, classifier: classifier)
        let rendered = try site.renderClient(client, months: data, senders: senders)
        try writer.write(rendered.files.mapKeys { "\(reseller.id)/\($0)" }, clientFolder: outputFolder)
        let entry = rows.entry(reseller: reseller, client: client, months: data, senders: senders, folder: folder)
        return ClientOutcome(
            client: client.id, pages: rendered.pages, entry: entry,
            record: RenderRecord(fingerprint: fingerprint, pages: rendered.pages, summary: entry.encoded()))
    }

    /// The client's months from the archive. Other clients' records in the same reports (a
    /// report may cover several domains) are routed to them and dropped here.
    private func aggregate(_ selections: [DomainSelection], for key: ClientKey, router: DomainRouter<ClientKey>) throws -> [ReportMonth: OwnerMonth] {
        try ReportAggregator(router: router, adding: store.reports(selections), in: months).owners[key] ?? [:]
    }
}

/// Records and TLS results whose domain no client owns, for the run summary.
struct UnassignedReports {
    let store: any ReportStore
    let config: WorkspaceConfig
    let months: PublishedMonths

    func find() throws -> (dmarc: [UnassignedDomain], tls: [UnassignedDomain]) {
        let router = DomainRouter(owners: config.domainOwners)
        // A domain under a client's domain is that client's (its `.subtree` selection reads it),
        // so only the domains outside every client's subtrees need routing.
        let owned = config.resellers.flatMap { $0.clients.flatMap(\.domains) }
        let orphans = try store.domains(outside: owned).filter { router.route($0) == nil }
        let aggregator = try ReportAggregator(router: router, adding: store.reports(orphans.map(DomainSelection.exact)), in: months)
        return (aggregator.unassigned.values.sorted { $0.headerFrom < $1.headerFrom },
                aggregator.unassignedTLS.values.sorted { $0.headerFrom < $1.headerFrom })
    }
}

extension ClientConfig {
    /// The client's reports in the archive: those of its domains and their subdomains.
    var archiveSelections: [DomainSelection] { domains.map(DomainSelection.subtree) }
}

extension ReportAggregator {
    /// An aggregation of the archived reports that belong to the published months.
    init(router: DomainRouter<Owner>, adding archived: ArchivedReports, in months: PublishedMonths) {
        self.init(router: router)
        add(archived.reports.filter { months.includes($0.metadata.dateRange) })
        for report in archived.tlsReports where months.includes(report.dateRange) { add(report) }
    }
}

extension Dictionary where Key == String {
    func mapKeys(_ transform: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
