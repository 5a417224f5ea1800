import GRDB

/// The archive's tables, one migration per schema version. Migrations only ever add: an
/// archive written by an older sitegen is brought up to date when it is opened.
enum ArchiveSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE input_file (
                  path TEXT PRIMARY KEY NOT NULL,
                  size INTEGER NOT NULL,
                  modified INTEGER NOT NULL,
                  content_hash TEXT NOT NULL,
                  reports INTEGER NOT NULL,
                  known_content INTEGER NOT NULL,
                  problems TEXT NOT NULL
                );
                CREATE INDEX input_file_content ON input_file (content_hash);
                CREATE TABLE report (
                  id INTEGER PRIMARY KEY,
                  kind TEXT NOT NULL CHECK (kind IN ('dmarc', 'tls')),
                  org_name TEXT NOT NULL,
                  report_id TEXT NOT NULL,
                  begin INTEGER NOT NULL,
                  "end" INTEGER NOT NULL,
                  counted INTEGER NOT NULL,
                  -- parsedmarc rewrites org_name and report_id; both forms meet in this key
                  transcription_key TEXT,
                  transcribed INTEGER NOT NULL,
                  source_file TEXT NOT NULL,
                  source_entries BLOB NOT NULL,
                  body BLOB NOT NULL,
                  UNIQUE (kind, org_name, report_id)
                );
                CREATE INDEX report_transcription ON report (transcription_key);
                CREATE TABLE report_domain (
                  domain_key TEXT NOT NULL,
                  report INTEGER NOT NULL REFERENCES report (id),
                  PRIMARY KEY (domain_key, report)
                ) WITHOUT ROWID;
                CREATE TABLE duplicate (
                  kind TEXT NOT NULL,
                  org_name TEXT NOT NULL,
                  report_id TEXT NOT NULL,
                  source_file TEXT NOT NULL,
                  source_entries BLOB NOT NULL,
                  UNIQUE (kind, org_name, report_id, source_file, source_entries)
                );
                CREATE TABLE render_state (
                  scope TEXT NOT NULL,
                  reseller TEXT NOT NULL,
                  client TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  pages INTEGER NOT NULL,
                  summary BLOB NOT NULL,
                  PRIMARY KEY (scope, reseller, client)
                );
                """)
        }
        // Bodies apart from the report rows: the rows stay small, so lookups over the whole
        // archive read megabytes, not every stored report; the totals read one small index.
        migrator.registerMigration("v2-report-body") { db in
            try db.execute(sql: """
                CREATE TABLE report_body (
                  report INTEGER PRIMARY KEY REFERENCES report (id),
                  body BLOB NOT NULL
                );
                INSERT INTO report_body (report, body) SELECT id, body FROM report;
                ALTER TABLE report DROP COLUMN body;
                CREATE INDEX report_kind_counted ON report (kind, counted);
                """)
        }
        // What lets a run skip what it knows is unchanged: the stamps of folders whose every
        // entry was ingested, and which files are settled (see `IngestedFile.settled`).
        migrator.registerMigration("v3-listing-memory") { db in
            db.add(function: parentFolder)
            try db.execute(sql: """
                ALTER TABLE input_file ADD COLUMN folder TEXT NOT NULL DEFAULT '';
                ALTER TABLE input_file ADD COLUMN inode INTEGER NOT NULL DEFAULT 0;
                -- 1 settled, 0 not, -1 not known yet: a file that gave reports and no problem before
                -- this version, settled once its first bytes show it is not of a kind that grows.
                ALTER TABLE input_file ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;
                UPDATE input_file SET folder = parent_folder(path),
                  settled = CASE WHEN content_hash != '' AND problems = '' AND (reports > 0 OR known_content = 1) THEN -1 ELSE 0 END;
                CREATE INDEX input_file_settled ON input_file (folder, path, inode) WHERE settled = 1;
                CREATE INDEX input_file_unsettled ON input_file (path, size, modified, settled) WHERE settled != 1;
                CREATE INDEX input_file_skipped ON input_file (path) WHERE reports = 0 AND known_content = 0;
                -- What every report counts together, kept as reports are added: summing it is a
                -- pass over every report, and each ingest needs it.
                CREATE TABLE archive_total (counted INTEGER NOT NULL);
                INSERT INTO archive_total (counted) SELECT coalesce(sum(counted), 0) FROM report;
                CREATE TABLE input_folder (
                  path TEXT PRIMARY KEY NOT NULL,
                  device INTEGER NOT NULL,
                  inode INTEGER NOT NULL,
                  modified INTEGER NOT NULL,
                  changed INTEGER NOT NULL,
                  files INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // Lookups by number instead of by long text (`LookupKey`), and no index of what every
        // report counts (`archive_total` keeps the sum; a count by kind reads the UNIQUE index).
        // Every file and report ingested inserts into these indexes, at random places.
        migrator.registerMigration("v4-lookup-keys") { db in
            db.add(function: lookupKey)
            // A sitegen of v3 would write rows without these numbers, which no lookup would find
            // (a parsedmarc copy of its report would be counted again): the CHECKs make it fail.
            // SQLite tests a new column's CHECK on every row at once; they hold once filled in.
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            defer { try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF") }
            try db.execute(sql: """
                ALTER TABLE input_file ADD COLUMN content_lookup INTEGER CHECK (content_lookup IS NOT NULL);
                UPDATE input_file SET content_lookup = lookup_key(content_hash);
                DROP INDEX input_file_content;
                CREATE INDEX input_file_content_lookup ON input_file (content_lookup);
                ALTER TABLE report ADD COLUMN transcription_lookup INTEGER
                  CHECK ((transcription_lookup IS NULL) = (transcription_key IS NULL));
                UPDATE report SET transcription_lookup = lookup_key(transcription_key) WHERE transcription_key IS NOT NULL;
                DROP INDEX report_transcription;
                CREATE INDEX report_transcription_lookup ON report (transcription_lookup) WHERE transcription_lookup IS NOT NULL;
                DROP INDEX report_kind_counted;
                """)
        }
        return migrator
    }

    /// `lookup_key(text)`: `LookupKey.of(text)`, NULL for NULL.
    private static let lookupKey = DatabaseFunction("lookup_key", argumentCount: 1, pure: true) { values in
        guard let text = String.fromDatabaseValue(values[0]) else { return nil }
        return LookupKey.of(text)
    }

    /// `parent_folder(path)`: the folder part of a path relative to the reports folder.
    private static let parentFolder = DatabaseFunction("parent_folder", argumentCount: 1, pure: true) { values in
        guard let path = String.fromDatabaseValue(values[0]) else { return nil }
        return String(PreparedFile.folder(of: path))
    }
}
