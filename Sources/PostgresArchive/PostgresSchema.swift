#if PostgreSQL
import PostgresNIO

/// The PostgreSQL archive's tables: those of the SQLite archive (`ArchiveSchema`), plus the
/// origin of input files and report copies (see `PostgresAddress.origin`) and the content hash
/// of the file a report came from. A listed duplicate is one copy of a report by the bytes of
/// its file (and its place in it): two workers that both read a copy list it once.
///
/// One migration per version, recorded in `schema_version`. Migrations only ever add, and run
/// under a transaction-level advisory lock, so several workers opening a new database at the
/// same moment create the tables once.
enum PostgresSchema {
    /// Arbitrary, fixed: the advisory lock that serialises migrations ("sitegen" in ASCII).
    static let migrationLock: Int64 = 0x73_69_74_65_67_65_6E

    static let migrations: [(version: Int, statements: [PostgresQuery])] = [
        (1, [
            """
            CREATE TABLE input_file (
              origin TEXT NOT NULL,
              path TEXT NOT NULL,
              size BIGINT NOT NULL,
              modified BIGINT NOT NULL,
              content_hash TEXT NOT NULL,
              reports BIGINT NOT NULL,
              known_content BOOLEAN NOT NULL,
              problems TEXT NOT NULL,
              PRIMARY KEY (origin, path)
            )
            """,
            "CREATE INDEX input_file_content ON input_file (content_hash)",
            """
            CREATE TABLE report (
              id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              kind TEXT NOT NULL CHECK (kind IN ('dmarc', 'tls')),
              org_name TEXT NOT NULL,
              report_id TEXT NOT NULL,
              begin_time BIGINT NOT NULL,
              end_time BIGINT NOT NULL,
              counted BIGINT NOT NULL,
              transcription_key TEXT,
              transcribed BOOLEAN NOT NULL,
              source_origin TEXT NOT NULL,
              source_file TEXT NOT NULL,
              source_entries TEXT[] NOT NULL,
              source_hash TEXT NOT NULL,
              body BYTEA NOT NULL,
              UNIQUE (kind, org_name, report_id)
            )
            """,
            "CREATE INDEX report_transcription ON report (transcription_key)",
            "CREATE INDEX report_begin ON report (begin_time)",
            // COLLATE "C": the subtree ranges rely on byte order ('/' right after '.'), which a
            // language collation does not keep.
            """
            CREATE TABLE report_domain (
              domain_key TEXT COLLATE "C" NOT NULL,
              report BIGINT NOT NULL REFERENCES report (id),
              PRIMARY KEY (domain_key, report)
            )
            """,
            """
            CREATE TABLE duplicate (
              kind TEXT NOT NULL,
              org_name TEXT NOT NULL,
              report_id TEXT NOT NULL,
              source_origin TEXT NOT NULL,
              source_file TEXT NOT NULL,
              source_entries TEXT[] NOT NULL,
              source_hash TEXT NOT NULL,
              UNIQUE (kind, org_name, report_id, source_hash, source_entries)
            )
            """,
            """
            CREATE TABLE render_state (
              scope TEXT NOT NULL,
              reseller TEXT NOT NULL,
              client TEXT NOT NULL,
              fingerprint TEXT NOT NULL,
              pages BIGINT NOT NULL,
              summary BYTEA NOT NULL,
              PRIMARY KEY (scope, reseller, client)
            )
            """,
        ]),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database up to the latest version, in one transaction.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var current = 0
            for try await version in try await connection.query("SELECT coalesce(max(version), 0) FROM schema_version", logger: logger)
                .decode(Int.self) {
                current = version
            }
            guard current <= latestVersion else {
                throw PostgresArchiveError(
                    step: "open", reason: "the archive has schema version \(current), newer than this sitegen knows (\(latestVersion)); update sitegen")
            }
            for migration in migrations where migration.version > current {
                for statement in migration.statements { try await connection.query(statement, logger: logger) }
                try await connection.query("INSERT INTO schema_version (version) VALUES (\(migration.version))", logger: logger)
            }
        }
    }
}
#endif
