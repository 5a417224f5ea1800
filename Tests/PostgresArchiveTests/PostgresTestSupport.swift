#if PostgreSQL
import Foundation
import PostgresArchive
import PostgresNIO
import ReportArchive
import ReportModel
import SyntheticReports
import Testing

/// The server the tests use, from `SITEGEN_TEST_POSTGRES_URL` (password in the URL or in
/// PGPASSWORD); the tests skip when it is not set. `Tests/Postgres/run.sh` sets up a local one.
enum TestServer {
    static let url: String? = ProcessInfo.processInfo.environment["SITEGEN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let skipReason: Comment = "SITEGEN_TEST_POSTGRES_URL is not set (Tests/Postgres/run.sh sets up a local server)"
}

struct TestSetupError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// A database of its own for one test, made on the test server and dropped at the end.
struct ScratchDatabase {
    let server: PostgresAddress
    let address: PostgresAddress

    static func create() async throws -> ScratchDatabase {
        guard let url = TestServer.url else { throw TestSetupError(reason: "SITEGEN_TEST_POSTGRES_URL is not set") }
        let server = try PostgresAddress(url: url)
        var address = server
        address.database = "sitegen_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await execute("CREATE DATABASE \(address.database)", on: server)
        return ScratchDatabase(server: server, address: address)
    }

    func drop() async {
        try? await Self.execute("DROP DATABASE IF EXISTS \(address.database) WITH (FORCE)", on: server)
    }

    func store(origin: String = "test") throws -> PostgresReportStore {
        try PostgresReportStore(address: address, origin: origin)
    }

    /// Runs one statement of the test's own making (a database name it generated).
    static func execute(_ sql: String, on server: PostgresAddress) async throws {
        var logger = Logger(label: "sitegen.tests")
        logger.logLevel = .critical
        let tls: PostgresConnection.Configuration.TLS =
            server.tls == .disable ? .disable : .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: server.host, port: server.port, username: server.user, password: server.password,
                                 database: server.database, tls: tls),
            id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

/// Small hand-made reports and files, as in the SQLite store's tests.
enum StoreFixtures {
    static func report(org: String = "Google", id: String, headerFrom: [String]) -> AggregateReport {
        AggregateReport(
            schema: .rfc7489, version: "1.0",
            metadata: ReportMetadata(orgName: org, email: "noreply@example.net", reportID: id, dateRange: DateRange(begin: 1_764_547_200, end: 1_764_633_599)),
            policy: PublishedPolicy(domain: headerFrom.first ?? "", p: PolicyAction.none),
            records: headerFrom.enumerated().map { index, domain in
                ReportRecord(sourceIP: "192.0.2.\(index)", count: index + 1, disposition: .none, dkimAligned: .pass, spfAligned: .pass, headerFrom: domain)
            })
    }

    static func file(_ path: String, _ reports: [AggregateReport], modified: Int64 = 1, hash: String? = nil) -> IngestedFile {
        var load = FileLoad(file: path)
        load.reports = reports.enumerated().map { index, report in
            LoadedReport(source: ReportSource(file: path, entries: reports.count > 1 ? ["entry-\(index).xml"] : []), report: report)
        }
        return IngestedFile(
            path: path, stamp: FileStamp(size: 100, modified: modified), contentHash: hash ?? "hash-\(path)-\(modified)", outcome: .loaded(load))
    }
}

/// A reports folder of synthetic files (DMARC and TLS), plus re-sent copies of some reports
/// in other bytes (true duplicates), byte copies under other names and a file that is no report.
struct WorkerFolders {
    let root: URL
    /// Every file's path relative to a reports folder, sorted, with its bytes.
    let files: [(path: String, bytes: Data)]

    init() throws {
        var spec = SyntheticWorkspaceSpec.demo()
        spec.monthCount = 2
        let output = try SyntheticWorkspace(spec: spec).generate()
        var files = output.allFiles.map { (path: $0.relativePath, bytes: $0.bytes) }
        let writer = ReportXMLWriter(quirks: .paddedValues)
        for (index, file) in output.files.enumerated() where index % 25 == 0 {
            files.append((path: "zz-resent/\(index).xml", bytes: writer.data(for: file.report) + Data("\n".utf8)))
        }
        for (index, file) in output.allFiles.enumerated() where index % 40 == 0 {
            files.append((path: "zz-copies/\(index)-\(file.relativePath.split(separator: "/").last ?? "")", bytes: file.bytes))
        }
        files.append((path: "0-notes/readme.txt", bytes: Data("not a report\n".utf8)))
        self.files = files.sorted { $0.path < $1.path }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-pg-\(UUID().uuidString)")
    }

    /// Writes the files of `range` (by index in `files`) into a folder of its own.
    func folder(_ name: String, _ range: Range<Int>) throws -> URL {
        let folder = root.appendingPathComponent(name)
        for file in files[range] {
            let url = folder.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.bytes.write(to: url)
        }
        return folder
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
#endif
