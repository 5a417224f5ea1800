#if PostgreSQL
import Foundation
import PostgresNIO
import ReportArchive
import ReportModel

/// The archive in a PostgreSQL database, for several ingest workers (`sitegen ingest` on one or
/// several machines) sharing one archive. Same semantics as `SQLiteReportStore`: reports kept
/// once per (kind, reporter org_name, report_id) in `ReportCodec` form, indexed by reversed
/// domain, each `commit` one transaction.
///
/// Workers may commit the same reports at the same moment: a report is inserted with
/// `ON CONFLICT DO NOTHING`, which waits for a concurrent insert of the same key to finish, and
/// the kept row is then read inside the same transaction (read committed: it sees the other
/// worker's row). A batch that deadlocks with another or fails to serialise is rolled back and
/// run again, so none is lost or counted twice.
///
/// Input file paths are remembered per `origin` (see `PostgresAddress.origin`); content hashes
/// are shared by every origin, so a file any worker archived is not parsed again by another.
public final class PostgresReportStore: ReportStore {
    public let address: PostgresAddress
    /// The reports folder this store's ingests read, as named in `input_file.origin`.
    public let origin: String
    private let bridge = BlockingBridge()
    private let client: PostgresClient
    private let runLoop: Task<Void, Never>
    /// postgres-nio's own messages are not shown: failures reach the caller as errors.
    private let logger = PostgresArchiveError.quietLogger("sitegen.postgres-archive")
    /// Tries of one transaction that deadlocked or failed to serialise with another worker's.
    static let maximumTries = 8

    /// Connects, brings the schema up to date and starts the connection pool.
    public init(address: PostgresAddress, origin: String) throws {
        self.address = address
        self.origin = origin
        let tls = try Self.tls(address.tls)
        let logger = logger
        // One plain connection first: a wrong address or password fails here, at once and
        // clearly, rather than as a pool that keeps retrying.
        var connectionConfiguration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: tls.connection)
        connectionConfiguration.options.connectTimeout = .seconds(15)
        try bridge.wait { [connectionConfiguration] in
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
            } catch {
                throw PostgresArchiveError(step: "connect to \(address)", reason: PostgresArchiveError.describe(error))
            }
            do {
                try await PostgresSchema.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw PostgresArchiveError(step: "prepare the tables in \(address)", reason: PostgresArchiveError.describe(error))
            }
            try? await connection.close()
        }
        var configuration = PostgresClient.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: tls.client)
        configuration.options.maximumConnections = 8
        configuration.options.connectTimeout = .seconds(15)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runLoop = bridge.start { await client.run() }
    }

    deinit {
        runLoop.cancel()
    }

    public func knownFiles() throws -> [String: FileStamp] {
        try run("read the known files") { [origin] client in
            var stamps: [String: FileStamp] = [:]
            let rows = try await client.query("SELECT path, size, modified FROM input_file WHERE origin = \(origin)")
            for try await (path, size, modified) in rows.decode((String, Int64, Int64).self) {
                stamps[path] = FileStamp(size: size, modified: modified)
            }
            return stamps
        }
    }

    public func knownContents(_ hashes: Set<String>) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        let list = hashes.sorted()
        return try run("look up content hashes") { client in
            var known = Set<String>()
            let rows = try await client.query("SELECT DISTINCT content_hash FROM input_file WHERE content_hash = ANY(\(list))")
            for try await hash in rows.decode(String.self) { known.insert(hash) }
            return known
        }
    }

    public func commit(prepared batch: [PreparedFile]) throws -> CommitResult {
        try run("commit \(batch.count) files") { [origin, logger] client in
            try await Self.retryingConflicts {
                try await client.withTransaction(logger: logger) { connection in
                    var writer = PostgresBatchWriter(connection: connection, origin: origin, logger: logger)
                    for file in batch { try await writer.add(file) }
                    return writer.result
                }
            }
        }
    }

    public func reports(_ selections: [DomainSelection]) throws -> ArchivedReports {
        let stored = try run("read reports") { client in
            var bodies: [Int64: (kind: String, body: ByteBuffer)] = [:]
            for selection in selections {
                let rows = try await client.query(Self.selectReports(selection))
                for try await (id, kind, body) in rows.decode((Int64, String, ByteBuffer).self) {
                    bodies[id] = (kind, body)
                }
            }
            return bodies.sorted { $0.key < $1.key }.map { (id: $0.key, kind: $0.value.kind, body: $0.value.body) }
        }
        var result = ArchivedReports()
        let interner = StoredValueInterner()
        for (id, kind, body) in stored {
            let bytes = Array(body.readableBytesView)
            do {
                switch kind {
                case ReportKind.tls: result.tlsReports.append(try ReportCodec.decodeTLS(bytes))
                default: result.reports.append(try ReportCodec.decodeAggregate(bytes, sharing: interner))
                }
            } catch {
                throw PostgresArchiveError(step: "read reports", reason: "report \(id) in the archive cannot be read back: \(error.reason)")
            }
        }
        return result
    }

    public func dataVersion(_ selections: [DomainSelection]) throws -> DataVersion {
        try run("read the data version") { client in
            var ids = Set<Int64>()
            for selection in selections {
                let rows = try await client.query(Self.selectReportIDs(selection))
                for try await id in rows.decode(Int64.self) { ids.insert(id) }
            }
            return DataVersion(reports: ids.count, lastReport: ids.max() ?? 0)
        }
    }

    public func domains() throws -> [String] {
        try run("read the domains") { client in
            var domains: [String] = []
            for try await key in try await client.query("SELECT DISTINCT domain_key FROM report_domain").decode(String.self) {
                domains.append(DomainKey.domain(fromKey: key))
            }
            return domains.sorted()
        }
    }

    public func counts() throws -> ArchiveCounts {
        try run("count the archive") { client in
            let rows = try await client.query("""
                SELECT (SELECT count(*) FROM input_file),
                       (SELECT count(*) FROM report WHERE kind = \(ReportKind.dmarc)),
                       (SELECT count(*) FROM report WHERE kind = \(ReportKind.tls)),
                       (SELECT count(*) FROM duplicate),
                       (SELECT count(*) FROM input_file WHERE reports = 0 AND NOT known_content)
                """)
            for try await (files, reports, tlsReports, duplicates, skipped) in rows.decode((Int, Int, Int, Int, Int).self) {
                return ArchiveCounts(files: files, reports: reports, tlsReports: tlsReports, duplicates: duplicates, skippedFiles: skipped)
            }
            throw PostgresArchiveError(step: "count the archive", reason: "the count query returned no row")
        }
    }

    public func countedTotal() throws -> Int {
        try run("sum the counts") { client in
            for try await total in try await client.query("SELECT coalesce(sum(counted), 0)::bigint FROM report").decode(Int.self) {
                return total
            }
            return 0
        }
    }

    public func reportCount(beginningAtOrAfter time: Int64) throws -> Int {
        try run("count reports") { client in
            for try await count in try await client.query("SELECT count(*) FROM report WHERE begin_time >= \(time)").decode(Int.self) {
                return count
            }
            return 0
        }
    }

    public func renderRecord(scope: String, reseller: String, client clientName: String) throws -> RenderRecord? {
        try run("read the render state") { client in
            let rows = try await client.query("""
                SELECT fingerprint, pages, summary FROM render_state
                WHERE scope = \(scope) AND reseller = \(reseller) AND client = \(clientName)
                """)
            for try await (fingerprint, pages, summary) in rows.decode((String, Int, ByteBuffer).self) {
                return RenderRecord(fingerprint: fingerprint, pages: pages, summary: Array(summary.readableBytesView))
            }
            return nil
        }
    }

    public func saveRenderRecords(scope: String, _ records: [(reseller: String, client: String, record: RenderRecord?)]) throws {
        let entries = records.map { RenderEntry(reseller: $0.reseller, client: $0.client, record: $0.record) }
        try run("save the render state") { [logger] client in
            try await Self.retryingConflicts {
                try await client.withTransaction(logger: logger) { connection in
                    for entry in entries {
                        if let record = entry.record {
                            try await connection.query("""
                                INSERT INTO render_state (scope, reseller, client, fingerprint, pages, summary)
                                VALUES (\(scope), \(entry.reseller), \(entry.client), \(record.fingerprint), \(record.pages), \(ByteBuffer(bytes: record.summary)))
                                ON CONFLICT (scope, reseller, client) DO UPDATE SET
                                  fingerprint = excluded.fingerprint, pages = excluded.pages, summary = excluded.summary
                                """, logger: logger)
                        } else {
                            try await connection.query(
                                "DELETE FROM render_state WHERE scope = \(scope) AND reseller = \(entry.reseller) AND client = \(entry.client)",
                                logger: logger)
                        }
                    }
                }
            }
        }
    }

    // MARK: - Running calls

    private func run<Value: Sendable>(_ step: String, _ work: @escaping @Sendable (PostgresClient) async throws -> Value) throws -> Value {
        let client = client
        do {
            return try bridge.wait { try await work(client) }
        } catch let error as PostgresArchiveError {
            throw error
        } catch {
            throw PostgresArchiveError(step: "\(step) in \(address)", reason: PostgresArchiveError.describe(error))
        }
    }

    /// Runs a transaction again when the server aborted it for a deadlock or a serialisation
    /// failure with another worker's transaction (nothing of it was kept).
    static func retryingConflicts<Value: Sendable>(_ transaction: () async throws -> Value) async throws -> Value {
        var tries = 0
        while true {
            tries += 1
            do {
                return try await transaction()
            } catch {
                guard tries < maximumTries, PostgresArchiveError.isConflict(error) else { throw error }
                // A short, growing, jittered pause so the two workers do not meet again at once.
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...20) << min(tries, 6)))
            }
        }
    }

    private static func tls(_ mode: PostgresAddress.TLSMode) throws -> (connection: PostgresConnection.Configuration.TLS, client: PostgresClient.Configuration.TLS) {
        switch mode {
        case .disable:
            return (.disable, .disable)
        case .prefer, .require:
            let configuration = TLSConfiguration.makeClientConfiguration()
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: configuration)
            } catch {
                throw PostgresArchiveError(step: "set up TLS", reason: "\(error)")
            }
            return mode == .prefer ? (.prefer(context), .prefer(configuration)) : (.require(context), .require(configuration))
        }
    }

    private static func selectReports(_ selection: DomainSelection) -> PostgresQuery {
        switch selection {
        case .subtree(let domain):
            let range = DomainKey.subtree(domain)
            return """
                SELECT id, kind, body FROM report WHERE id IN (
                  SELECT report FROM report_domain WHERE domain_key >= \(range.lower) AND domain_key < \(range.upper))
                """
        case .exact(let domain):
            return "SELECT id, kind, body FROM report WHERE id IN (SELECT report FROM report_domain WHERE domain_key = \(DomainKey.key(domain)))"
        }
    }

    private static func selectReportIDs(_ selection: DomainSelection) -> PostgresQuery {
        switch selection {
        case .subtree(let domain):
            let range = DomainKey.subtree(domain)
            return "SELECT report FROM report_domain WHERE domain_key >= \(range.lower) AND domain_key < \(range.upper)"
        case .exact(let domain):
            return "SELECT report FROM report_domain WHERE domain_key = \(DomainKey.key(domain))"
        }
    }
}

private struct RenderEntry: Sendable {
    var reseller: String
    var client: String
    var record: RenderRecord?
}

public struct PostgresArchiveError: Error, CustomStringConvertible {
    public var step: String
    public var reason: String
    public var description: String { "cannot \(step): \(reason)" }

    /// postgres-nio hides the server's message from `description` (it may hold data); the
    /// archive's messages are the user's own, so they are shown.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            return "the server said: \(message) (SQLSTATE \(info[.sqlState] ?? "unknown"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }

    /// Deadlock detected (40P01) or serialization failure (40001).
    static func isConflict(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}
#endif
