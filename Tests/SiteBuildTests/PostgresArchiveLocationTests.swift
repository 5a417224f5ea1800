import Foundation
import ReportArchive
import SiteBuild
import Testing

@Suite("Archive: a postgres:// archive")
struct PostgresArchiveLocationTests {
    @Test func theURLIsReadWithThePasswordFromTheEnvironmentAndNeverShown() throws {
        let address = try PostgresAddress(
            url: "postgres://ingest@db.example:6543/reports?sslmode=require&origin=mx-eu",
            environment: ["PGPASSWORD": "s3cret"])
        #expect(address.host == "db.example")
        #expect(address.port == 6543)
        #expect(address.user == "ingest")
        #expect(address.password == "s3cret")
        #expect(address.database == "reports")
        #expect(address.tls == .require)
        #expect(address.origin == "mx-eu")
        let inURL = try PostgresAddress(url: "postgresql://ingest:p%40ss@db.example/reports", environment: ["PGPASSWORD": "other"])
        #expect(inURL.password == "p@ss")
        #expect(inURL.port == 5432)
        #expect(inURL.description == "postgres://ingest@db.example:5432/reports")
        #expect(!address.description.contains("s3cret"))
        #expect(PostgresAddress.isPostgresURL("POSTGRES://x@y/z"))
        #expect(!PostgresAddress.isPostgresURL("archive/postgres.sqlite"))
        #expect(throws: PostgresAddressError.self) { try PostgresAddress(url: "postgres://db.example/reports", environment: [:]) }
        #expect(throws: PostgresAddressError.self) { try PostgresAddress(url: "postgres://u@db.example/reports?sslmode=maybe", environment: [:]) }
        #expect(throws: PostgresAddressError.self) { try PostgresAddress(url: "postgres://u@db.example/reports?timeout=3", environment: [:]) }
    }

    #if !PostgreSQL
    @Test func withoutThePostgreSQLTraitTheArchiveSaysHowToBuildWithIt() throws {
        #expect(!ArchiveLocation.postgresAvailable)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sitegen-no-pg-\(UUID().uuidString)")
        let address = try PostgresAddress(url: "postgres://ingest:hidden@127.0.0.1:1/reports", environment: [:])
        let options = BuildOptions(workspace: folder, builtinThemes: folder, archive: .postgres(address))
        do {
            _ = try SiteBuilder(options: options).ingest()
            Issue.record("a postgres archive opened without the PostgreSQL trait")
        } catch {
            #expect(error.description.contains("--traits PostgreSQL"))
            #expect(error.description.contains("postgres://ingest@127.0.0.1:1/reports"))
            #expect(!error.description.contains("hidden"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }
    #endif
}
